"""The request boundary of the pages: where an action's refusal becomes a response.

A page handler reads: load, act, succeed. It neither catches ``PermissionDenied`` (Django's
``handler403`` renders ``403.html`` with the action's reason, already in the reader's language)
nor ``ActionError``: ``renders_action_errors`` catches that once and hands it to the page's own
re-render, which puts the message on its field (``exc.field``) and keeps what was typed, with the
error's status (400, or 409 for a stale form).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from kenes.errors import ActionError

PageView = Callable[..., HttpResponse]
Rerender = Callable[..., HttpResponse]  # (request, exc, *the view's own arguments)


def renders_action_errors(rerender: Rerender) -> Callable[[PageView], PageView]:
    """Decorate a page handler: an ``ActionError`` it raises re-renders the page with the error."""

    def decorate(view: PageView) -> PageView:
        @functools.wraps(view)
        def handler(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except ActionError as exc:
                return rerender(request, exc, *args, **kwargs)

        return handler

    return decorate


def field_errors(exc: ActionError, default: str = "form") -> dict[str, str]:
    """``{field: message}`` for a template that shows each message beside its field."""
    return {exc.field or default: exc.message}
