"""Length limits of meetings' fields (issue 10) and the checks every meeting action shares."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from kenes.errors import ActionError

# Length limits, one per field, in characters (issue 10): enforced here, published in the API schema.
MAX_TITLE = 300  # a meeting's, a document's or an agenda item's title


MAX_CODE = 100  # a meeting's or a document's code


MAX_CITY = 100


MAX_NAME = 200  # a presenter; a delegation member's name and position
MAX_NOTE = 4_000  # the reason an accreditation is refused


MAX_BODY = 200_000  # a document's text: some 30,000 words


MAX_RULES_BASIS = 300


def too_long(max_length: int) -> str:
    return _("This is longer than %(max)d characters.") % {"max": max_length}


def local_time(value: dt.time | None, field: str) -> dt.time | None:
    """A meeting's local opening or closing time: a time of day at the venue, with no UTC offset
    (the venue's time zone says where it is)."""
    if value is not None and value.tzinfo is not None:
        raise ActionError(
            _("Give the local time at the venue without a UTC offset; the time zone says where it is."), field=field
        )
    return value
