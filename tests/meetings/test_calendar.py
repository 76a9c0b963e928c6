"""Calendars (issue 3, item 8): the month and list pages, the public and personal iCalendar feeds.

Feeds are parsed back with ``icalendar`` and checked against RFC 5545 essentials: version and
product id, stable UIDs, SEQUENCE that grows with every change, venue time zones with their
VTIMEZONE, cancellations, and exactly the meetings the account may see.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import dateformat
from django_otp.plugins.otp_totp.models import TOTPDevice
from icalendar import Calendar

from kenes.access.levels import Classification
from kenes.meetings import actions
from kenes.meetings.models import Format, Meeting
from kenes.people.models import Account
from kenes.states.models import State
from tests.conftest import days_ahead, demo_meeting_day, login, verified

# What is upcoming, and the test meetings' days, depend on today: also run with the clock moved ahead.
pytestmark = [pytest.mark.django_db, pytest.mark.clock]

DAY_DATE = days_ahead(400)  # a future day no real or demo meeting uses
DAY = DAY_DATE.isoformat()


def _parse(response: Any) -> Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _public() -> Calendar:
    return _parse(Client().get("/calendar/public.ics"))


def _feed(token: str | None) -> Any:
    return Client().get(f"/calendar/feed/{token}.ics")


@pytest.fixture
def sec(accounts: dict[str, Any]) -> Any:
    return verified(accounts["secretariat"])


@pytest.fixture
def venues(sec: Any) -> tuple[Meeting, Meeting]:
    """Two public meetings opening at 10:00 local time on the same day: Astana and Bishkek."""
    astana = actions.create_meeting(
        sec,
        fmt=Format.objects.get(code="ca_foreign_ministers"),
        code="cal-test-astana",
        start_text=DAY,
        city_en="Astana",
        country=State.objects.get(iso2="KZ"),
        timezone_name="Asia/Almaty",
        start_time=dt.time(10, 0),
        end_time=dt.time(13, 0),
        classification=Classification.PUBLIC,
    )
    bishkek = actions.create_meeting(
        sec,
        fmt=Format.objects.get(code="ca_national_coordinators"),
        code="cal-test-bishkek",
        start_text=DAY,
        city_en="Bishkek",
        country=State.objects.get(iso2="KG"),
        timezone_name="Asia/Bishkek",
        start_time=dt.time(10, 0),
        end_time=dt.time(13, 0),
        classification=Classification.PUBLIC,
    )
    return astana, bishkek


def test_public_feed_is_a_valid_calendar_with_stable_uids() -> None:
    first, second = _public(), _public()
    assert str(first["VERSION"]) == "2.0"
    assert "Kenes" in str(first["PRODID"])
    assert str(first["X-WR-CALNAME"])
    events = _events(first)
    assert set(events) == set(_events(second))
    assert "ca_heads_of_state-IV@kenes" in events
    for event in events.values():
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE", "STATUS"):
            assert required in event, (event["UID"], required)


def test_all_day_meeting_ends_the_day_after() -> None:
    event = _events(_public())["ca_heads_of_state-IV@kenes"]
    assert event.decoded("DTSTART") == dt.date(2022, 7, 21)
    assert event.decoded("DTEND") == dt.date(2022, 7, 22)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Cholpon-Ata" in str(event["LOCATION"])
    # A three-day summit covers three days.
    summit = _events(_public())["c5_cn_summit-II@kenes"]
    assert summit.decoded("DTEND") - summit.decoded("DTSTART") == dt.timedelta(days=3)


def test_meetings_without_a_full_start_date_are_left_out() -> None:
    events = _events(_public())
    assert "ca_heads_of_state-2020@kenes" not in events  # dated only to the year
    assert "c5_ru_ministerial-I@kenes" not in events  # dated only to the month


def test_venue_time_zones_differ_and_are_described(venues: tuple[Meeting, Meeting]) -> None:
    calendar = _public()
    events = _events(calendar)
    astana, bishkek = events["cal-test-astana@kenes"], events["cal-test-bishkek@kenes"]
    assert astana["DTSTART"].params["TZID"] == "Asia/Almaty"
    assert bishkek["DTSTART"].params["TZID"] == "Asia/Bishkek"
    a_start, b_start = astana.decoded("DTSTART"), bishkek.decoded("DTSTART")
    assert (a_start.hour, b_start.hour) == (10, 10)  # both open at 10:00 local time
    assert a_start.astimezone(dt.UTC) == dt.datetime.combine(DAY_DATE, dt.time(5, 0), tzinfo=dt.UTC)
    assert b_start.astimezone(dt.UTC) == dt.datetime.combine(DAY_DATE, dt.time(4, 0), tzinfo=dt.UTC)
    assert a_start - b_start == dt.timedelta(hours=1)
    assert astana.decoded("DTEND").hour == 13
    tzids = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert {"Asia/Almaty", "Asia/Bishkek"} <= tzids
    local_start = f"DTSTART;TZID=Asia/Almaty:{DAY_DATE:%Y%m%d}T100000".encode()
    assert local_start in Client().get("/calendar/public.ics").content


def test_reschedule_bumps_sequence_and_keeps_the_uid(sec: Any, venues: tuple[Meeting, Meeting]) -> None:
    astana, _bishkek = venues
    before = _events(_public())["cal-test-astana@kenes"]
    assert int(before["SEQUENCE"]) == 1
    later = DAY_DATE + dt.timedelta(days=2)
    actions.reschedule_meeting(sec, astana, start_text=later.isoformat())
    after = _events(_public())["cal-test-astana@kenes"]
    assert int(after["SEQUENCE"]) == 2
    assert after.decoded("DTSTART").date() == later
    assert after["DTSTART"].params["TZID"] == "Asia/Almaty"


def test_cancelled_meeting_stays_in_the_feed_as_cancelled(sec: Any, venues: tuple[Meeting, Meeting]) -> None:
    _astana, bishkek = venues
    assert str(_events(_public())["cal-test-bishkek@kenes"]["STATUS"]) == "TENTATIVE"
    actions.change_meeting_status(sec, bishkek, "cancelled")
    event = _events(_public())["cal-test-bishkek@kenes"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 2


def test_public_feed_has_public_meetings_only() -> None:
    events = _events(_public())
    assert "demo-fm-2027@kenes" not in events
    assert "demo-hos-extra-2027@kenes" not in events
    assert {"ca_heads_of_state-IV@kenes", "ca_heads_of_state-VII@kenes", "c5_eu_summit-I@kenes"} <= set(events)


def _rotate(client: Client) -> str:
    response = client.post("/calendar/feed/rotate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/")
    page = client.get("/account/").content.decode()
    match = re.search(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics", page)
    assert match, "the new feed address is shown once on the account page"
    return match.group(1)


def test_personal_feed_of_a_guest_holds_what_the_guest_may_see(signed_in: Any) -> None:
    token = _rotate(signed_in("cn"))
    response = _feed(token)
    assert response["Cache-Control"] == "private, no-store"
    body = response.content.decode()
    events = _events(_parse(response))
    assert "demo-fm-2027@kenes" in events  # invited, accepted
    assert "demo-hos-extra-2027@kenes" not in events  # its invitation was revoked
    assert "ca_heads_of_state-IV@kenes" in events  # public
    assert str(events["demo-fm-2027@kenes"]["CLASS"]) == "CONFIDENTIAL"
    # Titles and dates only: no agenda, no documents, no notes.
    assert "DEMO draft agenda" not in body
    assert "DEMO press note" not in body
    assert "Tokayev" not in body


def test_members_only_meeting_reaches_member_feeds_after_two_factor_only(sec: Any, accounts: dict[str, Any]) -> None:
    actions.create_meeting(
        sec,
        fmt=Format.objects.get(code="ca_security_council_secretaries"),
        code="cal-test-members",
        start_text=days_ahead(420).isoformat(),
        classification=Classification.MEMBERS,
    )
    kz, cn = accounts["kz"], accounts["cn"]
    kz_token = actions.rotate_calendar_token(verified(kz))
    cn_token = actions.rotate_calendar_token(cn)
    assert "cal-test-members@kenes" in _events(_parse(_feed(kz_token)))
    assert "cal-test-members@kenes" not in _events(_parse(_feed(cn_token)))
    # An account that must use 2FA but has no authenticator any more reads only public meetings.
    TOTPDevice.objects.filter(user=kz).delete()
    events = _events(_parse(_feed(kz_token)))
    assert "cal-test-members@kenes" not in events
    assert "ca_heads_of_state-IV@kenes" in events


def test_rotate_and_revoke_end_the_old_address(signed_in: Any) -> None:
    client = signed_in("cn")
    old = _rotate(client)
    assert _feed(old).status_code == 200
    new = _rotate(client)
    assert new != old
    assert _feed(old).status_code == 404
    assert _feed(new).status_code == 200
    assert client.post("/calendar/feed/revoke/").status_code == 302
    assert _feed(new).status_code == 404
    assert Account.objects.get(email="guest.cn@demo.kenes.invalid").calendar_token is None


def test_unknown_or_inactive_feed_address_is_404(accounts: dict[str, Any]) -> None:
    assert _feed("not-a-real-token").status_code == 404
    assert Client().get("/calendar/feed/.ics").status_code == 404
    cn = accounts["cn"]
    token = actions.rotate_calendar_token(cn)
    Account.objects.filter(pk=cn.pk).update(is_active=False)
    assert _feed(token).status_code == 404


def test_rotate_needs_a_signed_in_post() -> None:
    anonymous = Client()
    response = anonymous.post("/calendar/feed/rotate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert anonymous.post("/calendar/feed/revoke/")["Location"].startswith("/login/")


def test_rotate_by_get_is_405(signed_in: Any) -> None:
    client = signed_in("cn")
    assert client.get("/calendar/feed/rotate/").status_code == 405
    assert client.get("/calendar/feed/revoke/").status_code == 405
    assert Account.objects.get(email="guest.cn@demo.kenes.invalid").calendar_token is None


def test_rotate_needs_a_verified_session_where_two_factor_is_required(accounts: dict[str, Any]) -> None:
    client = login(Client(), accounts["kz"], two_factor=False)
    response = client.post("/calendar/feed/rotate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/")
    assert Account.objects.get(pk=accounts["kz"].pk).calendar_token is None


def test_account_page_shows_the_feed_address(signed_in: Any) -> None:
    client = signed_in("cn")
    page = client.get("/account/").content.decode()
    assert "Calendar feed" in page
    assert "Create new address" in page
    assert "http://testserver/calendar/public.ics" in page
    response = client.post("/calendar/feed/rotate/")
    assert response.status_code == 302
    page = client.get("/account/").content.decode()
    token = re.search(r"/calendar/feed/([A-Za-z0-9_-]+)\.ics", page).group(1)  # type: ignore[union-attr]
    assert f"http://testserver/calendar/feed/{token}.ics" in page
    assert f"webcal://testserver/calendar/feed/{token}.ics" in page
    assert "Turn off" in page
    # Shown once: only its digest is stored, and the next visit no longer shows it.
    again = client.get("/account/").content.decode()
    assert token not in again
    assert "Your personal feed is on" in again
    assert "Turn off" in again
    stored = Account.objects.get(email="guest.cn@demo.kenes.invalid").calendar_token
    assert stored is not None and token not in stored
    assert _feed(token).status_code == 200


def test_month_view_places_meetings_on_their_days() -> None:
    response = Client().get("/calendar/?month=2022-07")
    assert response.status_code == 200
    page = response.content.decode()
    assert "July 2022" in page
    assert "/meetings/ca_heads_of_state-IV/" in page
    assert "Cholpon-Ata" in page
    assert "?month=2022-06" in page and "?month=2022-08" in page
    assert "/calendar/list/" in page
    # The grid runs Monday to Sunday: 2022-07-21 was a Thursday, the fourth cell of its row.
    assert page.index('datetime="2022-07-18"') < page.index('datetime="2022-07-21"')
    assert '<time datetime="2022-06-27">' in page  # the Monday before 1 July
    assert '<time datetime="2022-07-31">' in page  # a Sunday: the grid ends there
    assert '<time datetime="2022-08-01">' not in page


def test_month_view_shows_only_visible_meetings(signed_in: Any) -> None:
    month = f"{demo_meeting_day():%Y-%m}"  # the demo meeting's month, about 100 days ahead
    assert "demo-fm-2027" not in Client().get(f"/calendar/?month={month}").content.decode()
    assert "/meetings/demo-fm-2027/" in signed_in("cn").get(f"/calendar/?month={month}").content.decode()


def test_month_view_lists_month_precision_meetings_apart() -> None:
    page = Client().get("/calendar/?month=2020-10").content.decode()
    assert "day not given by the sources" in page
    assert "/meetings/c5_ru_ministerial-I/" in page


def test_month_view_tolerates_a_bad_month() -> None:
    for value in ("nope", "2022-13", "2022-07-01", "0001-01"):
        assert Client().get(f"/calendar/?month={value}").status_code == 200


def test_list_view_groups_upcoming_and_past_by_month(signed_in: Any) -> None:
    response = Client().get("/calendar/list/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Upcoming" in page and "Past" in page
    assert page.index("July 2022") > page.index("Past")
    assert "/meetings/ca_heads_of_state-IV/" in page
    assert "demo-fm-2027" not in page
    guest_page = signed_in("cn").get("/calendar/list/").content.decode()
    upcoming = guest_page[guest_page.index("Upcoming") : guest_page.index("Past")]
    assert "/meetings/demo-fm-2027/" in upcoming
    assert dateformat.format(demo_meeting_day(), "F Y") in upcoming  # e.g. "March 2027"


def test_calendar_is_in_the_navigation_and_in_russian() -> None:
    page = Client().get("/calendar/").content.decode()
    assert 'href="/calendar/"' in page
    russian = Client(headers={"accept-language": "ru"}).get("/calendar/?month=2022-07").content.decode()
    assert "Календарь" in russian
    assert "Июль 2022" in russian
