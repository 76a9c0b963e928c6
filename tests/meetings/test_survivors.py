"""Mutation survivors of the cadence (issue 17): the day a meeting is due is not yet overdue.

The format's last regular meeting is put exactly N months before today (dates are computed from
``timezone.localdate()``), so the next one is due today: "due soon", 0 days left, the 7-day
reminder; overdue only from tomorrow. Through the rule, the reminder action, the pages and the API.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kenes.formats import short_date
from kenes.meetings import actions, queries
from kenes.meetings.cadence import CadenceState, add_months, compliance
from kenes.meetings.models import CadenceReminder, Format, Meeting, MeetingKind, MeetingStatus
from tests.conftest import verified

FM = "ca_foreign_ministers"


def _months_back_to(today: dt.date) -> tuple[int, dt.date]:
    """A rule of N months and a day exactly N months before ``today`` (6 months where the calendar allows)."""
    for months in (6, *range(1, 61)):
        last = add_months(today, -months)
        if add_months(last, months) == today:
            return months, last
    raise AssertionError(f"no whole number of months ends on {today}")


@pytest.fixture
def due_today(accounts: dict[str, Any]) -> dict[str, Any]:
    """The ministers' format with a cadence rule whose next meeting is due today."""
    sec = verified(accounts["secretariat"])
    today = timezone.localdate()
    months, last = _months_back_to(today)
    fm = Format.objects.get(code=FM)
    actions.update_format_rules(
        sec, fm, expected_version=fm.rules_version, cadence_months=months, chair_rule=fm.chair_rule,
        rotation_order=fm.rotation, invitable=fm.invitable_standings, default_classification=fm.default_classification,
        working_languages=fm.languages,
    )  # fmt: skip
    meeting = actions.create_meeting(sec, fmt=fm, start_text=last.isoformat(), city_en="Test City",
                                     classification="public")  # fmt: skip
    Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD)  # held on that day
    fm.refresh_from_db()
    assert fm.cadence_months == months
    assert Meeting.objects.get(pk=meeting.pk).kind == MeetingKind.REGULAR
    held = queries.held_regular_dates(fm)
    assert max(held) == last  # the meeting of N months ago is the last one held
    return {"format": fm, "today": today, "last": last, "months": months}


def test_the_due_day_is_due_soon_and_the_day_after_is_overdue() -> None:
    today = timezone.localdate()
    months, last = _months_back_to(today)
    on_the_day = compliance(months, [last], today)
    assert on_the_day.next_due == today and on_the_day.days_left == 0
    assert on_the_day.state == CadenceState.DUE_SOON
    assert on_the_day.reminder_due == "7"
    late = compliance(months, [last], today + dt.timedelta(days=1))
    assert late.state == CadenceState.OVERDUE and late.days_left == -1 and late.reminder_due == "overdue"


@pytest.mark.django_db
def test_format_compliance_on_the_due_day(due_today: dict[str, Any]) -> None:
    state = queries.format_compliance(due_today["format"], today=due_today["today"])
    assert (state.state, state.last_held, state.next_due, state.days_left) == (
        CadenceState.DUE_SOON, due_today["last"], due_today["today"], 0,
    )  # fmt: skip


@pytest.mark.django_db
def test_the_reminder_on_the_due_day_is_the_seven_day_one(due_today: dict[str, Any]) -> None:
    fm, today = due_today["format"], due_today["today"]
    sent = actions.send_cadence_reminders("test", today=today)
    assert (FM, "7") in sent and (FM, "overdue") not in sent
    kinds = set(CadenceReminder.objects.filter(format=fm, due_date=today).values_list("kind", flat=True))
    assert kinds == {"7"}
    assert (FM, "overdue") in actions.send_cadence_reminders("test", today=today + dt.timedelta(days=1))
    kinds = set(CadenceReminder.objects.filter(format=fm, due_date=today).values_list("kind", flat=True))
    assert kinds == {"7", "overdue"}


def _row(page: str) -> str:
    match = re.search(rf'<tr>\s*<th scope="row" class="fmt"><a href="/formats/{FM}/">.*?</tr>', page, re.S)
    assert match is not None, "the ministers' row is missing"
    return match.group(0)


@pytest.mark.django_db
def test_the_cadence_page_and_api_say_due_today_not_overdue(due_today: dict[str, Any]) -> None:
    today = due_today["today"].isoformat()
    response = Client().get("/cadence/")
    assert response.status_code == 200
    row = _row(response.content.decode())
    assert short_date(due_today["today"]) in row and short_date(due_today["last"]) in row
    assert "cadence-due_soon" in row and "due today" in row
    assert "cadence-overdue" not in row and "overdue" not in row and 'class="late"' not in row

    expected = {"state": "due_soon", "last_held": due_today["last"].isoformat(), "next_due": today, "days_left": 0}
    dashboard = Client().get("/api/v1/cadence").json()
    assert next(r for r in dashboard if r["format"] == FM)["compliance"] == expected
    assert Client().get(f"/api/v1/formats/{FM}").json()["compliance"] == expected
