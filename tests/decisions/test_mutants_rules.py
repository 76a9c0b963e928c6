"""An instruction's status by example, as ``./dev mutate`` found it untested (docs/mutation.md):
the labels people read, which reminder is due, the due day itself, the earliest of several
accepted reports, and the period of a recurring instruction."""

from __future__ import annotations

import datetime as dt

import pytest

from kenes.decisions.rules import ReportFact, Standing, Status, standing
from kenes.meetings.cadence import CadenceState, Compliance

D = dt.date
BASIS, DUE = D(2026, 1, 10), D(2026, 6, 30)
UZ, KZ = 1, 2


def _report(state: int, progress: str, review: str, filed: dt.date, reviewed: dt.date | None = None) -> ReportFact:
    return ReportFact(state, progress, review, filed, reviewed)


def test_each_status_has_the_label_people_read() -> None:
    labels = {status: Standing(status, None).label for status in Status}
    assert labels == {
        Status.NOT_STARTED: "not started",
        Status.IN_PROGRESS: "in progress",
        Status.DONE: "done",
        Status.OVERDUE: "overdue",
        Status.CANCELLED: "cancelled",
        Status.PROPOSED: "proposed — not a recorded decision",
    }


@pytest.mark.parametrize(
    ("status", "days_left", "reminder"),
    [
        (Status.IN_PROGRESS, None, None),
        (Status.IN_PROGRESS, -1, "overdue"),
        (Status.OVERDUE, -20, "overdue"),
        (Status.NOT_STARTED, 0, "7"),
        (Status.NOT_STARTED, 7, "7"),
        (Status.IN_PROGRESS, 8, "30"),
        (Status.IN_PROGRESS, 30, "30"),
        (Status.IN_PROGRESS, 31, None),
        (Status.DONE, 3, None),
        (Status.CANCELLED, -3, None),
        (Status.PROPOSED, 3, None),
    ],
)
def test_the_reminder_to_a_focal_point(status: Status, days_left: int | None, reminder: str | None) -> None:
    assert Standing(status, DUE, None, days_left).reminder_due == reminder


def test_cancelled_and_proposed_have_no_due_date() -> None:
    base = {"today": D(2026, 7, 1), "basis_date": BASIS, "due_date": DUE, "recurrence_months": 6}
    assert standing(cancelled=True, **base) == Standing(Status.CANCELLED, None)
    assert standing(proposal=True, **base) == Standing(Status.PROPOSED, None)


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (CadenceState.OVERDUE, Status.OVERDUE),
        (CadenceState.NEVER_HELD, Status.NOT_STARTED),
        (CadenceState.DUE_SOON, Status.IN_PROGRESS),
        (CadenceState.OK, Status.IN_PROGRESS),
    ],
)
def test_an_instruction_to_meet_follows_the_formats_cadence(state: CadenceState, status: Status) -> None:
    cadence = Compliance(state, D(2025, 12, 1), D(2026, 6, 1), 42)
    assert standing(today=D(2026, 4, 20), basis_date=BASIS, cadence=cadence) == Standing(
        status, D(2026, 6, 1), None, 42
    )


def test_a_one_off_instruction_is_in_progress_on_its_due_day_and_overdue_the_day_after() -> None:
    filed = [_report(UZ, "in_progress", "submitted", D(2026, 2, 1))]
    on_the_day = standing(today=DUE, basis_date=BASIS, due_date=DUE, reports=filed, reporting_states={UZ})
    assert on_the_day == Standing(Status.IN_PROGRESS, DUE, None, 0)
    after = standing(today=DUE + dt.timedelta(days=1), basis_date=BASIS, due_date=DUE, reporting_states={UZ})
    assert after == Standing(Status.OVERDUE, DUE, None, -1)
    before = standing(today=D(2026, 6, 1), basis_date=BASIS, due_date=DUE, reporting_states={UZ})
    assert before == Standing(Status.NOT_STARTED, DUE, None, 29)


def test_done_is_dated_by_the_earliest_accepted_done_report_of_the_last_state() -> None:
    reports = [
        _report(UZ, "done", "accepted", D(2026, 3, 1), D(2026, 3, 5)),  # reviewed later than filed
        _report(UZ, "done", "accepted", D(2026, 2, 1), D(2026, 2, 3)),  # the earlier one counts
        _report(KZ, "done", "accepted", D(2026, 4, 1)),  # never reviewed on a day: its filing day
        _report(KZ, "in_progress", "accepted", D(2026, 1, 20), D(2026, 1, 21)),  # not a done report
    ]
    result = standing(today=D(2026, 8, 1), basis_date=BASIS, due_date=DUE, reports=reports, reporting_states={UZ, KZ})
    assert result == Standing(Status.DONE, DUE, D(2026, 4, 1), None)
    # For a format or a body one accepted "done" report suffices: the first.
    body = standing(today=D(2026, 8, 1), basis_date=BASIS, due_date=DUE, reports=reports)
    assert body == Standing(Status.DONE, DUE, D(2026, 2, 3), None)
    only_uz = standing(
        today=D(2026, 8, 1), basis_date=BASIS, due_date=DUE, reports=reports[:2], reporting_states={UZ, KZ}
    )
    assert only_uz.status == Status.OVERDUE


def test_a_recurring_instruction_counts_its_period_from_the_last_accepted_report() -> None:
    base = {"basis_date": BASIS, "recurrence_months": 3, "reporting_states": {UZ, KZ}}
    assert standing(today=D(2026, 2, 1), **base) == Standing(Status.NOT_STARTED, D(2026, 4, 10), None, 68)
    reports = [
        _report(UZ, "in_progress", "accepted", D(2026, 3, 1), D(2026, 3, 2)),
        _report(UZ, "in_progress", "accepted", D(2026, 5, 1), D(2026, 5, 2)),
        _report(KZ, "in_progress", "accepted", D(2026, 4, 1), D(2026, 4, 2)),
    ]
    # Uzbekistan last reported on 1 May, Kazakhstan on 1 April: the period runs from 1 April.
    result = standing(today=D(2026, 6, 1), reports=reports, **base)
    assert result == Standing(Status.IN_PROGRESS, D(2026, 7, 1), None, 30)
    assert standing(today=D(2026, 7, 2), reports=reports, **base).status == Status.OVERDUE
    assert standing(today=D(2026, 7, 1), reports=reports, **base).status == Status.IN_PROGRESS
    # Until every assignee has reported, it runs from the decision.
    early = standing(today=D(2026, 3, 15), reports=reports[:1], **base)
    assert early == Standing(Status.IN_PROGRESS, D(2026, 4, 10), None, 26)
    # For a format or a body, from the latest accepted report of anyone; a submitted one is not yet.
    submitted = _report(KZ, "in_progress", "submitted", D(2026, 6, 1))
    body = standing(today=D(2026, 6, 2), basis_date=BASIS, recurrence_months=3, reports=[*reports, submitted])
    assert body == Standing(Status.IN_PROGRESS, D(2026, 8, 1), None, 60)
    returned = [_report(UZ, "in_progress", "returned", D(2026, 2, 1), D(2026, 2, 2))]
    assert standing(today=D(2026, 2, 3), reports=returned, **base).status == Status.NOT_STARTED


def test_without_a_due_date_or_a_period_an_instruction_is_only_started_or_not() -> None:
    assert standing(today=D(2030, 1, 1), basis_date=BASIS) == Standing(Status.NOT_STARTED, None)
    filed = [_report(UZ, "done", "submitted", D(2026, 2, 1))]
    assert standing(today=D(2030, 1, 1), basis_date=BASIS, reports=filed) == Standing(Status.IN_PROGRESS, None)
