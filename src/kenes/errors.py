"""Errors an action raises for bad input or a refused change; their text is shown to the user."""

from __future__ import annotations


class ActionError(Exception):
    """Bad input or a change the rules refuse: nothing was written."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Conflict(ActionError):
    """Someone else changed the object since the user loaded it."""

    status = 409
