"""Meetings: create (with the format's next ordinal), change status, reschedule."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.errors import ActionError, Conflict
from kenes.inputs import checked, refuse_forbidden
from kenes.live.publish import publish_on_commit
from kenes.meetings.actions.limits import MAX_CITY, MAX_CODE, MAX_TITLE, local_time, too_long
from kenes.meetings.models import (
    ChairRule,
    Format,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kenes.meetings.permissions import require_secretariat, require_security_channel
from kenes.states.dates import PartialDate
from kenes.states.models import State


def _parse_day(value: str, field: str) -> dt.date:
    try:
        day = PartialDate.parse(value).as_date()
    except ValueError:
        day = None
    if day is None:
        raise ActionError(_("Dates are written YYYY-MM-DD."), field=field)
    return day


def _roman(number: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
    out = ""
    for value, letters in numerals:
        while number >= value:
            out += letters
            number -= value
    return out


def _from_roman(text: str) -> int | None:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    if not text or any(ch not in values for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


def next_ordinal(fmt: Format) -> str:
    """The next Roman ordinal of a format's regular meetings (the data numbers them I, II, …).

    A format whose meetings so far went unnumbered (the ministers' meeting of 2023) gets no
    number: calling the next one "I" would claim it is the first.
    """
    held = Meeting.objects.filter(format=fmt, kind=MeetingKind.REGULAR, is_demo=False).exclude(
        status__in=[MeetingStatus.POSTPONED, MeetingStatus.CANCELLED, MeetingStatus.UNVERIFIED]
    )
    ordinals = list(held.values_list("ordinal", flat=True))
    if any(not ordinal for ordinal in ordinals):
        return ""
    numbers = [_from_roman(o) for o in Meeting.objects.filter(format=fmt).values_list("ordinal", flat=True)]
    return _roman(max([n for n in numbers if n] or [0]) + 1)


def _validate_schedule(
    fmt: Format,
    *,
    start: dt.date,
    end: dt.date,
    chair_state: State | None,
    timezone_name: str,
    exclude: int | None = None,
) -> None:
    from kenes.states.queries import members_on

    if end < start:
        raise ActionError(_("The meeting ends before it starts."), field="end_text")
    if (end - start).days > 14:
        raise ActionError(_("A meeting lasts at most 15 days."), field="end_text")
    if timezone_name and timezone_name not in zoneinfo.available_timezones():
        raise ActionError(_("Unknown time zone."), field="timezone")
    if chair_state is not None and not members_on(fmt.mechanism_id, start).filter(pk=chair_state.pk).exists():
        raise ActionError(_("The chair must be a member state on the meeting's dates."), field="chair_state")
    others = Meeting.objects.filter(format=fmt, start_sort__lte=end).exclude(
        status__in=[MeetingStatus.CANCELLED, MeetingStatus.POSTPONED]
    )
    if exclude:
        others = others.exclude(pk=exclude)
    for other in others.only("start_text", "end_text", "code"):
        o_start, o_end = other.start_date, other.end_date
        if o_start and o_end and not (o_end < start or o_start > end):
            raise ActionError(
                _("These dates overlap another meeting of this format (%(code)s).") % {"code": other.code},
                field="start_text",
            )


def create_meeting(
    actor: Any,
    *,
    fmt: Format,
    code: str = "",
    title_en: str = "",
    title_ru: str = "",
    start_text: str = "",
    end_text: str = "",
    city_en: str = "",
    country: State | None = None,
    chair_state: State | None = None,
    timezone_name: str = "",
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
    kind: str = MeetingKind.REGULAR,
    ordinal: str | None = None,
    classification: str | None = None,
    status: str = MeetingStatus.PLANNED,
    is_demo: bool = False,
    distribution: list[State] | None = None,
) -> Meeting:
    """Plan a meeting of ``fmt``. Regular meetings get the format's next ordinal; the host chairs
    where the format says so; the classification defaults to the format's.

    A restricted meeting is made only from the security channel, with its ``distribution``."""
    classification = classification or fmt.default_classification
    if classification not in Classification.values:
        raise ActionError(_("Unknown classification."), field="classification")
    if classification == Classification.RESTRICTED and not distribution:  # nobody could read it
        raise ActionError(
            _("Material is made restricted in the security channel, with its distribution."), field="classification"
        )
    if classification == Classification.RESTRICTED:
        require_security_channel(actor, fmt, distribution)
    else:
        require_secretariat(actor, fmt)
        if distribution:
            raise ActionError(_("Only restricted material has a distribution list."), field="distribution")
    if kind not in MeetingKind.values:
        raise ActionError(_("Unknown kind of meeting."), field="kind")
    title_en = checked(title_en, field="title_en", max_length=MAX_TITLE, too_long=too_long(MAX_TITLE))
    title_ru = checked(title_ru, field="title_ru", max_length=MAX_TITLE, too_long=too_long(MAX_TITLE))
    city_en = checked(city_en, field="city_en", max_length=MAX_CITY, too_long=too_long(MAX_CITY))
    code = checked(code, field="code", max_length=MAX_CODE, too_long=too_long(MAX_CODE))
    timezone_name = refuse_forbidden(timezone_name, "timezone")
    start_time, end_time = local_time(start_time, "start_time"), local_time(end_time, "end_time")
    if status not in (MeetingStatus.PLANNED, MeetingStatus.CONVENED):
        raise ActionError(_("A new meeting is planned or convened."), field="status")
    start = _parse_day(start_text, "start_text")
    end = _parse_day(end_text or start_text, "end_text")
    if chair_state is None and fmt.chair_rule == ChairRule.HOST:
        chair_state = country
    _validate_schedule(fmt, start=start, end=end, chair_state=chair_state, timezone_name=timezone_name)
    if ordinal is None:
        ordinal = next_ordinal(fmt) if kind == MeetingKind.REGULAR else ""
    code = code or (f"{fmt.code}-{ordinal}" if ordinal else f"{fmt.code}-{start.isoformat()}")
    taken = _("A meeting with this code already exists.")
    if Meeting.objects.filter(code=code).exists():
        raise ActionError(taken, field="code")
    with transaction.atomic():
        try:
            meeting = Meeting.objects.create(
                format=fmt,
                code=code,
                title_en=title_en,
                title_ru=title_ru,
                ordinal=ordinal,
                kind=kind,
                start_text=start.isoformat(),
                end_text=end.isoformat(),
                city_en=city_en,
                country=country,
                chair_state=chair_state,
                timezone=timezone_name,
                start_time=start_time,
                end_time=end_time,
                classification=classification,
                status=status,
                is_demo=is_demo,
            )
        except IntegrityError as exc:  # created by a concurrent request since the check above
            raise ActionError(taken, field="code") from exc
        if distribution:
            meeting.distribution.set(distribution)
        audit.record(
            actor, "meeting.created", meeting, code=code, classification=classification, start=start.isoformat()
        )
        publish_on_commit(f"format:{fmt.pk}", {"verb": "meeting.created", "meeting": meeting.pk})
    return meeting


# Which status may follow which; every step is its own audited action.
TRANSITIONS: dict[str, set[str]] = {
    MeetingStatus.PLANNED: {MeetingStatus.CONVENED, MeetingStatus.POSTPONED, MeetingStatus.CANCELLED},
    MeetingStatus.CONVENED: {MeetingStatus.HELD, MeetingStatus.POSTPONED, MeetingStatus.CANCELLED},
    MeetingStatus.POSTPONED: {MeetingStatus.PLANNED, MeetingStatus.CANCELLED},
    MeetingStatus.HELD: set(),
    MeetingStatus.CANCELLED: set(),
    MeetingStatus.UNVERIFIED: set(),
}


def change_meeting_status(
    actor: Any, meeting: Meeting, to: str, *, expected_version: int | None = None, today: dt.date | None = None
) -> Meeting:
    require(actor, "view", meeting)
    require_secretariat(actor, meeting.format)
    if to not in MeetingStatus.values:
        raise ActionError(_("Unknown status."), field="status")
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(_("Someone else changed this meeting since you opened it. Reload it and try again."))
        if to not in TRANSITIONS.get(current.status, set()):
            raise ActionError(
                _("A %(from)s meeting cannot become %(to)s.")
                % {"from": current.get_status_display(), "to": MeetingStatus(to).label},
                field="status",
            )
        if to == MeetingStatus.HELD and current.start_date and current.start_date > (today or timezone.localdate()):
            raise ActionError(_("A meeting cannot be marked held before it starts."), field="status")
        before = current.status
        current.status = to
        current.version += 1
        current.save(update_fields=["status", "version", "start_sort"])
        audit.record(actor, "meeting.status_changed", current, before=before, after=to, version=current.version)
        publish_on_commit(f"meeting:{current.pk}", {"verb": "meeting.status_changed", "meeting": current.pk})
    return current


def reschedule_meeting(
    actor: Any,
    meeting: Meeting,
    *,
    start_text: str,
    end_text: str = "",
    expected_version: int | None = None,
    city_en: str | None = None,
    country: State | None = None,
) -> Meeting:
    """New dates (and optionally venue) for a planned, convened or postponed meeting."""
    require(actor, "view", meeting)
    require_secretariat(actor, meeting.format)
    start = _parse_day(start_text, "start_text")
    end = _parse_day(end_text or start_text, "end_text")
    if city_en is not None:
        city_en = checked(city_en, field="city_en", max_length=MAX_CITY, too_long=too_long(MAX_CITY))
    with transaction.atomic():
        current = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(_("Someone else changed this meeting since you opened it. Reload it and try again."))
        if current.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
            raise ActionError(_("A held or cancelled meeting keeps its dates."), field="start_text")
        _validate_schedule(
            current.format,
            start=start,
            end=end,
            chair_state=current.chair_state,
            timezone_name=current.timezone,
            exclude=current.pk,
        )
        before = (current.start_text, current.end_text)
        current.start_text, current.end_text = start.isoformat(), end.isoformat()
        if city_en is not None:
            current.city_en = city_en
        if country is not None:
            current.country = country
        if current.status == MeetingStatus.POSTPONED:
            current.status = MeetingStatus.PLANNED
        current.version += 1
        current.save()
        audit.record(
            actor, "meeting.rescheduled", current, before=list(before), after=[current.start_text, current.end_text]
        )
        publish_on_commit(f"meeting:{current.pk}", {"verb": "meeting.rescheduled", "meeting": current.pk})
    return current
