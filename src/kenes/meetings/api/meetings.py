"""API: meetings — list, read, create, change status, reschedule."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Status

from kenes.access.levels import Classification
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Key, LocalTime, Str, StrictSchema, Version, errors
from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.api.common import VERSIONED, api_fields, state_or_400, visible_meeting
from kenes.meetings.api.outputs import MeetingDetailOut, MeetingOut, meeting_detail_out, meeting_out
from kenes.meetings.models import (
    MeetingKind,
    MeetingStatus,
)

router = Router(tags=["meetings"])


@router.get("/meetings", response={200: list[MeetingOut], **errors(422)})
def list_meetings(request: HttpRequest, format: Key | None = None) -> list[MeetingOut]:
    return [meeting_out(m) for m in queries.meetings_for(account_of(request), format_code=format)]


@router.get("/meetings/{code}", response={200: MeetingDetailOut, **errors(404, 422)})
def get_meeting(request: HttpRequest, code: Key) -> MeetingDetailOut:
    return meeting_detail_out(account_of(request), code)


class MeetingCreate(StrictSchema):
    format: Key
    start_date: dt.date
    end_date: dt.date | None = None
    city_en: Str = Field("", max_length=actions.MAX_CITY)
    country: Key | None = None
    chair_state: Key | None = None
    timezone: Str = Field("", max_length=64, description="The venue's IANA time zone, e.g. `Asia/Bishkek`.")
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    kind: MeetingKind = MeetingKind.REGULAR
    classification: Classification | None = None
    title_en: Str = Field("", max_length=actions.MAX_TITLE)
    title_ru: Str = Field("", max_length=actions.MAX_TITLE)


_SCHEDULE_FIELDS = {"start_text": "start_date", "end_text": "end_date"}


@router.post("/meetings", response={201: MeetingDetailOut, **errors(400, 403, 413, 422)}, auth=RequiredAuth())
def create_meeting(request: HttpRequest, payload: MeetingCreate) -> Status[MeetingDetailOut]:
    """Plan a meeting (the format's secretariat): regular meetings get the next ordinal."""
    account = account_of(request)
    fmt = queries.formats().filter(code=payload.format).first()
    if fmt is None:
        raise ActionError(_("Unknown format."), field="format")
    with api_fields(**_SCHEDULE_FIELDS):
        meeting = actions.create_meeting(
            account,
            fmt=fmt,
            title_en=payload.title_en.strip(),
            title_ru=payload.title_ru.strip(),
            start_text=payload.start_date.isoformat(),
            end_text=payload.end_date.isoformat() if payload.end_date else "",
            city_en=payload.city_en.strip(),
            country=state_or_400(payload.country, "country"),
            chair_state=state_or_400(payload.chair_state, "chair_state"),
            timezone_name=payload.timezone.strip(),
            start_time=payload.start_time,
            end_time=payload.end_time,
            kind=str(payload.kind),
            classification=str(payload.classification) if payload.classification else None,
        )
    return Status(201, meeting_detail_out(account, meeting.code))


class StatusChange(StrictSchema):
    status: MeetingStatus
    version: Version


@router.post("/meetings/{code}/status", response={200: MeetingDetailOut, **VERSIONED}, auth=RequiredAuth())
def change_status(request: HttpRequest, code: Key, payload: StatusChange) -> MeetingDetailOut:
    account = account_of(request)
    meeting = visible_meeting(account, code)
    actions.change_meeting_status(account, meeting, str(payload.status), expected_version=payload.version)
    return meeting_detail_out(account, code)


class Reschedule(StrictSchema):
    start_date: dt.date
    end_date: dt.date | None = None
    version: Version
    city_en: Str | None = Field(None, max_length=actions.MAX_CITY)
    country: Key | None = None


@router.post("/meetings/{code}/reschedule", response={200: MeetingDetailOut, **VERSIONED}, auth=RequiredAuth())
def reschedule(request: HttpRequest, code: Key, payload: Reschedule) -> MeetingDetailOut:
    account = account_of(request)
    meeting = visible_meeting(account, code)
    with api_fields(**_SCHEDULE_FIELDS):
        actions.reschedule_meeting(
            account,
            meeting,
            start_text=payload.start_date.isoformat(),
            end_text=payload.end_date.isoformat() if payload.end_date else "",
            expected_version=payload.version,
            city_en=payload.city_en.strip() if payload.city_en is not None else None,
            country=state_or_400(payload.country, "country"),
        )
    return meeting_detail_out(account, code)
