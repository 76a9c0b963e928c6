"""Cadence compliance: computed from the meetings actually held, never from a stored flag.

A format's rule "at least once every N months" makes the next meeting due N months after the
last one held. ``due soon`` starts ``DUE_SOON_DAYS`` before that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

DUE_SOON_DAYS = 60
REMINDER_DAYS = (60, 30, 7)


class CadenceState(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NO_RULE = "no_rule"
    NEVER_HELD = "never_held"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover  (day 28 exists in every month)


@dataclass(frozen=True)
class Compliance:
    state: CadenceState
    last_held: dt.date | None
    next_due: dt.date | None
    days_left: int | None

    @property
    def reminder_due(self) -> str | None:
        """Which reminder is due today: "60", "30", "7", "overdue", or None."""
        if self.days_left is None:
            return None
        if self.days_left < 0:
            return "overdue"
        for days in sorted(REMINDER_DAYS):
            if self.days_left <= days:
                return str(days)
        return None


def compliance(months: int | None, held: list[dt.date], today: dt.date) -> Compliance:
    """The cadence state of a format with rule ``months`` given the days its meetings were held."""
    past = sorted(d for d in held if d <= today)
    last = past[-1] if past else None
    if not months:
        return Compliance(CadenceState.NO_RULE, last, None, None)
    if last is None:
        return Compliance(CadenceState.NEVER_HELD, None, None, None)
    due = add_months(last, months)
    days_left = (due - today).days
    if days_left < 0:
        state = CadenceState.OVERDUE
    elif days_left <= DUE_SOON_DAYS:
        state = CadenceState.DUE_SOON
    else:
        state = CadenceState.OK
    return Compliance(state, last, due, days_left)
