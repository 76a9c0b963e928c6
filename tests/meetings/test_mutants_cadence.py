"""Cadence compliance by example, as ``./dev mutate`` found it untested (docs/mutation.md): month
arithmetic at the month's end and across years, the meeting held today, the edges of "due soon"
and the reminder steps."""

from __future__ import annotations

import datetime as dt

import pytest

from kenes.meetings.cadence import DUE_SOON_DAYS, CadenceState, Compliance, add_months, compliance

D = dt.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 1, 31), 3, D(2025, 4, 30)),  # April has 30 days
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # a leap year's February
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2025, 1, 30), 1, D(2025, 2, 28)),
        (D(2025, 5, 15), 6, D(2025, 11, 15)),
        (D(2025, 11, 15), 3, D(2026, 2, 15)),  # into the next year
        (D(2025, 12, 1), 1, D(2026, 1, 1)),
        (D(2025, 12, 1), 12, D(2026, 12, 1)),
        (D(2025, 6, 10), 24, D(2027, 6, 10)),
        (D(2025, 1, 10), 11, D(2025, 12, 10)),
        (D(2025, 1, 10), 0, D(2025, 1, 10)),
    ],
)
def test_months_are_added_on_the_calendar_clamped_to_month_end(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_the_last_meeting_held_counts_today_included_and_in_any_order() -> None:
    today = D(2026, 3, 1)
    held = [D(2025, 6, 1), D(2026, 3, 1), D(2025, 12, 1), D(2026, 9, 1)]  # the last one is planned
    result = compliance(6, held, today)
    assert result == Compliance(CadenceState.OK, D(2026, 3, 1), D(2026, 9, 1), 184)


def test_a_format_without_a_rule_keeps_its_last_meeting_and_one_never_held_has_no_due_date() -> None:
    today = D(2026, 3, 1)
    assert compliance(None, [D(2025, 6, 1)], today) == Compliance(CadenceState.NO_RULE, D(2025, 6, 1), None, None)
    assert compliance(0, [], today) == Compliance(CadenceState.NO_RULE, None, None, None)
    assert compliance(6, [], today) == Compliance(CadenceState.NEVER_HELD, None, None, None)
    assert compliance(6, [D(2026, 4, 1)], today) == Compliance(CadenceState.NEVER_HELD, None, None, None)


def test_due_soon_starts_sixty_days_before_the_due_date() -> None:
    last = D(2025, 9, 1)
    due = D(2026, 3, 1)
    assert DUE_SOON_DAYS == 60
    assert compliance(6, [last], due - dt.timedelta(days=61)).state == CadenceState.OK
    assert compliance(6, [last], due - dt.timedelta(days=60)) == Compliance(CadenceState.DUE_SOON, last, due, 60)
    assert compliance(6, [last], due - dt.timedelta(days=1)).state == CadenceState.DUE_SOON
    assert compliance(6, [last], due + dt.timedelta(days=1)) == Compliance(CadenceState.OVERDUE, last, due, -1)


@pytest.mark.parametrize(
    ("days_left", "reminder"),
    [
        (None, None),
        (-30, "overdue"),
        (-1, "overdue"),
        (0, "7"),
        (7, "7"),
        (8, "30"),
        (30, "30"),
        (31, "60"),
        (60, "60"),
        (61, None),
    ],
)
def test_the_reminder_due_is_the_nearest_step_not_yet_passed(days_left: int | None, reminder: str | None) -> None:
    assert Compliance(CadenceState.OK, None, None, days_left).reminder_due == reminder
