"""What the meetings pages share: reading a form's version, state, date and the zone offset."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.levels import Classification, rank
from kenes.errors import ActionError
from kenes.inputs import refuse_forbidden
from kenes.states.models import State


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def form_version(data: QueryDict) -> int:
    try:
        return int(data.get("version", ""))
    except ValueError:
        return -1


def state_or_none(code: str, field: str) -> State | None:
    code = refuse_forbidden(code or "", field).strip().upper()
    if not code:
        return None
    state = State.objects.filter(iso2=code).first()
    if state is None:
        raise ActionError(_("Unknown state."), field=field)
    return state


def parse_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ActionError(_("Dates are written YYYY-MM-DD."), field=field) from None


def utc_offset(zone: str, day: dt.date | None) -> str:
    """``UTC+05:00`` for a venue's IANA zone on the meeting's first day (or today)."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    moment = dt.datetime.combine(day or timezone.localdate(), dt.time(12), tzinfo=tz)
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def shared_levels(floor: str = Classification.PUBLIC) -> list[Classification]:
    """Levels a page may set: restricted material is made in the security channel, with a distribution."""
    return [c for c in Classification if c != Classification.RESTRICTED and rank(c) >= rank(floor)]
