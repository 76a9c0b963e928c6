"""An instruction's status, derived (never stored) from its reports, due date, recurrence, the
meetings held and its cancellation.

* cancelled — the secretariat cancelled it;
* proposed — its basis is a proposal whose adoption the sources do not record: Kenes tracks no
  status for it and claims nothing about its follow-up;
* a recurring instruction to a format to meet takes the format's cadence compliance (computed
  from the meetings actually held): never held → not started, overdue → overdue, else in progress;
* a one-off instruction is done when every assignee state has an accepted report saying "done"
  (for a format or a body: one accepted "done" report); otherwise overdue after its due date, in
  progress once a report is filed (returned reports do not count), else not started;
* any other recurring instruction is due again N months after the last period's accepted report
  (of the state that reported least recently), or after the decision: overdue past that day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import pgettext_lazy

from kenes.meetings.cadence import CadenceState, Compliance, add_months

REMINDER_DAYS = (30, 7)


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"
    PROPOSED = "proposed"


STATUS_LABELS = {
    Status.NOT_STARTED: pgettext_lazy("instruction status", "not started"),
    Status.IN_PROGRESS: pgettext_lazy("instruction status", "in progress"),
    Status.DONE: pgettext_lazy("instruction status", "done"),
    Status.OVERDUE: pgettext_lazy("instruction status", "overdue"),
    Status.CANCELLED: pgettext_lazy("instruction status", "cancelled"),
    Status.PROPOSED: pgettext_lazy("instruction status", "proposed — not a recorded decision"),
}
# The statuses of instructions Kenes follows up (a proposal is shown but not followed up).
TRACKED = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.OVERDUE, Status.CANCELLED)


@dataclass(frozen=True)
class ReportFact:
    state_id: int
    progress: str  # "in_progress" | "done"
    review: str  # "submitted" | "accepted" | "returned"
    filed_on: dt.date
    reviewed_on: dt.date | None


@dataclass(frozen=True)
class Standing:
    status: Status
    due: dt.date | None  # when the next step is due (the due date, the next period, the next meeting)
    completed_on: dt.date | None = None
    days_left: int | None = None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def reminder_due(self) -> str | None:
        """Which reminder to a focal point is due today: "30", "7", "overdue", or None."""
        if self.days_left is None or self.status in (Status.DONE, Status.CANCELLED, Status.PROPOSED):
            return None
        if self.days_left < 0:
            return "overdue"
        for days in sorted(REMINDER_DAYS):
            if self.days_left <= days:
                return str(days)
        return None


def _with_days(status: Status, due: dt.date | None, today: dt.date, completed: dt.date | None = None) -> Standing:
    return Standing(status, due, completed, (due - today).days if due else None)


def standing(
    *,
    today: dt.date,
    basis_date: dt.date,
    cancelled: bool = False,
    proposal: bool = False,
    due_date: dt.date | None = None,
    recurrence_months: int | None = None,
    cadence: Compliance | None = None,
    reports: list[ReportFact] | tuple[ReportFact, ...] = (),
    reporting_states: set[int] | None = None,
) -> Standing:
    """The status of one instruction on ``today``.

    ``cadence`` is given for an instruction tied to its format's cadence; ``reporting_states`` is
    the set of assignee states (None for a format or a body, where any member state reports).
    """
    if cancelled:
        return Standing(Status.CANCELLED, None)
    if proposal:
        return Standing(Status.PROPOSED, None)
    if cadence is not None:
        mapping = {
            CadenceState.OVERDUE: Status.OVERDUE,
            CadenceState.NEVER_HELD: Status.NOT_STARTED,
        }
        return Standing(mapping.get(cadence.state, Status.IN_PROGRESS), cadence.next_due, None, cadence.days_left)
    live = [r for r in reports if r.review != "returned"]
    accepted = [r for r in reports if r.review == "accepted"]
    if due_date is not None:
        done_on: dict[int, dt.date] = {}
        for r in accepted:
            if r.progress == "done":
                day = r.reviewed_on or r.filed_on
                done_on[r.state_id] = min(day, done_on.get(r.state_id, day))
        completed: dt.date | None = None
        if reporting_states:
            if reporting_states <= set(done_on):
                completed = max(done_on[s] for s in reporting_states)
        elif done_on:
            completed = min(done_on.values())
        if completed is not None:
            return Standing(Status.DONE, due_date, completed, None)
        if today > due_date:
            return _with_days(Status.OVERDUE, due_date, today)
        return _with_days(Status.IN_PROGRESS if live else Status.NOT_STARTED, due_date, today)
    if recurrence_months:
        latest: dict[int, dt.date] = {}
        for r in accepted:
            latest[r.state_id] = max(r.filed_on, latest.get(r.state_id, r.filed_on))
        if reporting_states:
            reference = min(latest[s] for s in reporting_states) if reporting_states <= set(latest) else basis_date
        else:
            reference = max(latest.values()) if latest else basis_date
        due = add_months(max(reference, basis_date), recurrence_months)
        if today > due:
            return _with_days(Status.OVERDUE, due, today)
        return _with_days(Status.IN_PROGRESS if live else Status.NOT_STARTED, due, today)
    return Standing(Status.IN_PROGRESS if live else Status.NOT_STARTED, None)
