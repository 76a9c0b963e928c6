"""iCalendar (RFC 5545) feeds of meetings, built with the ``icalendar`` library.

The caller decides *which* meetings go in (always through ``access.policy.visible``); this module
only decides *what* each one says, and it says nothing a reader of the meeting list could not see:
title, dates, venue, status and a link. No agenda, no documents, no notes.

- One VEVENT per meeting whose start is a full day (``2022-07-21``); meetings the sources date only
  to a month or a year cannot be placed in a calendar and are left out.
- ``UID`` is ``<code>@kenes``, stable for the life of the meeting; ``SEQUENCE`` is the meeting's
  version, which every reschedule and status change increments, so clients replace their copy.
- With an opening time and a known venue zone, ``DTSTART``/``DTEND`` are local times with the
  venue's ``TZID`` and the calendar carries the matching ``VTIMEZONE`` components (Astana is on
  Asia/Almaty, UTC+5; Bishkek on Asia/Bishkek, UTC+6). Without a closing time the event runs to
  the end of its last day. Without an opening time (or without a zone) the event is all-day,
  ``DTEND`` being the day after the last day, as RFC 5545 counts it.
- ``STATUS``: planned, postponed and unverified meetings are ``TENTATIVE``; convened and held ones
  ``CONFIRMED``; cancelled ones ``CANCELLED`` (kept in the feed so clients remove or strike them).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from kenes.access.levels import Classification
from kenes.meetings.models import Meeting, MeetingStatus

PRODID = "-//Kenes//Kenes meeting calendar//EN"
UID_DOMAIN = "kenes"

STATUS: dict[str, str] = {
    MeetingStatus.PLANNED: "TENTATIVE",
    MeetingStatus.POSTPONED: "TENTATIVE",
    MeetingStatus.UNVERIFIED: "TENTATIVE",
    MeetingStatus.CONVENED: "CONFIRMED",
    MeetingStatus.HELD: "CONFIRMED",
    MeetingStatus.CANCELLED: "CANCELLED",
}


def uid(meeting: Meeting) -> str:
    return f"{meeting.code}@{UID_DOMAIN}"


def location(meeting: Meeting) -> str:
    parts = [meeting.city_en, meeting.country.name if meeting.country else ""]
    return ", ".join(part for part in parts if part)


def _zone(meeting: Meeting) -> zoneinfo.ZoneInfo | None:
    name = meeting.venue_timezone
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def span(meeting: Meeting) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime] | None:
    """(DTSTART, DTEND) of the meeting's event, or None when its start day is not known."""
    start_day = meeting.start_date
    if start_day is None:
        return None
    end_day = meeting.end_date or start_day
    if end_day < start_day:
        end_day = start_day
    zone = _zone(meeting)
    if meeting.start_time is None or zone is None:
        return start_day, end_day + dt.timedelta(days=1)
    start = dt.datetime.combine(start_day, meeting.start_time, tzinfo=zone)
    end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    if meeting.end_time is not None:
        closing = dt.datetime.combine(end_day, meeting.end_time, tzinfo=zone)
        if closing > start:
            end = closing
    return start, end


def meeting_event(meeting: Meeting, *, stamp: dt.datetime, base_url: str = "") -> Event | None:
    """The VEVENT of one meeting, or None when it has no full start date."""
    dates = span(meeting)
    if dates is None:
        return None
    event = Event()
    event.add("uid", uid(meeting))
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.version)
    event.add("dtstart", dates[0])
    event.add("dtend", dates[1])
    event.add("summary", meeting.display_title)
    where = location(meeting)
    if where:
        event.add("location", where)
    event.add("status", STATUS.get(meeting.status, "TENTATIVE"))
    event.add("class", "PUBLIC" if meeting.classification == Classification.PUBLIC else "CONFIDENTIAL")
    lines = [_("Status: %(status)s") % {"status": meeting.get_status_display()}]
    if base_url:
        url = f"{base_url.rstrip('/')}/meetings/{meeting.code}/"
        event.add("url", url)
        lines.append(url)
    event.add("description", "\n".join(lines))
    return event


def build_calendar(
    meetings: Iterable[Meeting],
    *,
    name: str,
    base_url: str = "",
    stamp: dt.datetime | None = None,
) -> Calendar:
    """A VCALENDAR holding one VEVENT per meeting (with a full start date) and the VTIMEZONEs they use."""
    stamp = (stamp or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    # Ask clients to poll hourly, so reschedules and cancellations reach them the same day.
    calendar.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    first: dt.date | None = None
    last: dt.date | None = None
    for meeting in meetings:
        event = meeting_event(meeting, stamp=stamp, base_url=base_url)
        if event is None:
            continue
        calendar.add_component(event)
        start, end = meeting.start_date, meeting.end_date or meeting.start_date
        if start is not None and end is not None:
            first = start if first is None or start < first else first
            last = end if last is None or end > last else last
    if first is not None and last is not None:
        # Transitions a year either side of the events are enough for every client to place them.
        calendar.add_missing_timezones(
            first_date=dt.date(first.year - 1, 1, 1), last_date=dt.date(max(last.year + 2, first.year + 2), 1, 1)
        )
    return calendar


def to_ical(meetings: Iterable[Meeting], *, name: str, base_url: str = "") -> bytes:
    return build_calendar(meetings, name=name, base_url=base_url).to_ical()
