"""What the meetings API's modules share: the error sets of a write, field renames, state and meeting lookups."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils.translation import gettext as _

from kenes.access.policy import get_visible_or_404
from kenes.api.schemas import errors
from kenes.errors import ActionError
from kenes.meetings.models import (
    Meeting,
)
from kenes.states.models import State


@contextmanager
def api_fields(**names: str) -> Iterator[None]:
    """Name the API's field in an action's error where the action calls it differently."""
    try:
        yield
    except ActionError as exc:
        if exc.field in names:
            exc.field = names[exc.field]
        raise


def state_or_400(iso2: str | None, field: str) -> State | None:
    if not iso2:
        return None
    state = State.objects.filter(iso2=iso2.strip().upper()).first()
    if state is None:
        raise ActionError(_("Unknown state code %(code)s.") % {"code": iso2}, field=field)
    return state


# A write with a body: refused by a rule, not allowed, no such object, too large, not this schema.
WRITE = errors(400, 403, 404, 413, 422)


# The same with an expected version: someone else changed the object since it was read.
VERSIONED = errors(400, 403, 404, 409, 413, 422)


def visible_meeting(account: Any, code: str) -> Meeting:
    """A meeting the account may read, for a write (404 otherwise)."""
    qs = Meeting.objects.select_related("format__mechanism", "country", "chair_state")
    return get_visible_or_404(account, qs, code=code)  # type: ignore[no-any-return]
