"""The status rules of an instruction, as a pure function (``decisions.rules.standing``)."""

from __future__ import annotations

import datetime as dt

from kenes.decisions.rules import ReportFact, Status, standing
from kenes.meetings.cadence import CadenceState, Compliance

BASIS = dt.date(2026, 1, 10)
DUE = dt.date(2026, 6, 30)
UZ, KZ = 1, 2


def report(state: int, progress: str = "in_progress", review: str = "submitted", day: dt.date = BASIS) -> ReportFact:
    return ReportFact(state, progress, review, day, day if review != "submitted" else None)


def test_one_off_moves_from_not_started_to_done() -> None:
    base = {"basis_date": BASIS, "due_date": DUE, "reporting_states": {UZ}}
    assert standing(today=dt.date(2026, 2, 1), **base).status == Status.NOT_STARTED
    filed = [report(UZ)]
    assert standing(today=dt.date(2026, 2, 1), reports=filed, **base).status == Status.IN_PROGRESS
    done_unreviewed = [report(UZ, "done")]
    assert standing(today=dt.date(2026, 2, 1), reports=done_unreviewed, **base).status == Status.IN_PROGRESS
    done = [report(UZ, "done", "accepted", dt.date(2026, 3, 1))]
    result = standing(today=dt.date(2026, 8, 1), reports=done, **base)
    assert result.status == Status.DONE and result.completed_on == dt.date(2026, 3, 1)


def test_returned_reports_do_not_count() -> None:
    result = standing(today=dt.date(2026, 2, 1), basis_date=BASIS, due_date=DUE,
                      reports=[report(UZ, "done", "returned")], reporting_states={UZ})  # fmt: skip
    assert result.status == Status.NOT_STARTED


def test_overdue_after_the_due_date_until_done() -> None:
    base = {"basis_date": BASIS, "due_date": DUE, "reporting_states": {UZ}}
    late = standing(today=dt.date(2026, 7, 1), reports=[report(UZ)], **base)
    assert late.status == Status.OVERDUE and late.days_left == -1
    assert standing(today=DUE, **base).status == Status.NOT_STARTED  # the due day itself is not late


def test_every_assignee_state_must_be_done() -> None:
    base = {"basis_date": BASIS, "due_date": DUE, "reporting_states": {UZ, KZ}}
    one = [report(UZ, "done", "accepted")]
    assert standing(today=dt.date(2026, 2, 1), reports=one, **base).status == Status.IN_PROGRESS
    both = [*one, report(KZ, "done", "accepted", dt.date(2026, 4, 2))]
    result = standing(today=dt.date(2026, 2, 1), reports=both, **base)
    assert result.status == Status.DONE and result.completed_on == dt.date(2026, 4, 2)


def test_a_format_or_body_is_done_with_one_accepted_report() -> None:
    result = standing(today=dt.date(2026, 2, 1), basis_date=BASIS, due_date=DUE, reporting_states=None,
                      reports=[report(KZ, "done", "accepted")])  # fmt: skip
    assert result.status == Status.DONE


def test_cancelled_and_proposed_win_over_everything() -> None:
    assert standing(today=dt.date(2030, 1, 1), basis_date=BASIS, due_date=DUE, cancelled=True).status == "cancelled"
    proposed = standing(today=dt.date(2030, 1, 1), basis_date=BASIS, recurrence_months=6, proposal=True)
    assert proposed.status == Status.PROPOSED and proposed.due is None and proposed.reminder_due is None


def test_recurring_instruction_is_due_again_after_each_accepted_report() -> None:
    base = {"basis_date": BASIS, "recurrence_months": 6, "reporting_states": {UZ}}
    first = standing(today=dt.date(2026, 3, 1), **base)
    assert first.status == Status.NOT_STARTED and first.due == dt.date(2026, 7, 10)
    assert standing(today=dt.date(2026, 7, 11), **base).status == Status.OVERDUE
    reported = [report(UZ, "in_progress", "accepted", dt.date(2026, 7, 1))]
    again = standing(today=dt.date(2026, 7, 11), reports=reported, **base)
    assert again.status == Status.IN_PROGRESS and again.due == dt.date(2027, 1, 1)


def test_meeting_cadence_comes_from_the_format_compliance() -> None:
    def with_state(state: CadenceState) -> Status:
        compliance = Compliance(state, dt.date(2026, 1, 1), dt.date(2026, 7, 1), 10)
        return standing(today=dt.date(2026, 6, 21), basis_date=BASIS, recurrence_months=6, cadence=compliance).status

    assert with_state(CadenceState.OVERDUE) == Status.OVERDUE
    assert with_state(CadenceState.NEVER_HELD) == Status.NOT_STARTED
    assert with_state(CadenceState.OK) == Status.IN_PROGRESS
    assert with_state(CadenceState.DUE_SOON) == Status.IN_PROGRESS


def test_reminders_30_and_7_days_before_and_overdue() -> None:
    def kind(today: dt.date) -> str | None:
        return standing(today=today, basis_date=BASIS, due_date=DUE, reporting_states={UZ}).reminder_due

    assert kind(DUE - dt.timedelta(days=31)) is None
    assert kind(DUE - dt.timedelta(days=30)) == "30"
    assert kind(DUE - dt.timedelta(days=8)) == "30"
    assert kind(DUE - dt.timedelta(days=7)) == "7"
    assert kind(DUE) == "7"
    assert kind(DUE + dt.timedelta(days=1)) == "overdue"
    done = standing(today=DUE, basis_date=BASIS, due_date=DUE, reporting_states={UZ},
                    reports=[report(UZ, "done", "accepted")])  # fmt: skip
    assert done.reminder_due is None


def test_completion_chart_counts_given_and_done_by_month() -> None:
    from types import SimpleNamespace
    from typing import Any

    from kenes.decisions.queries import completion_chart
    from kenes.decisions.rules import Standing

    def row(basis: dt.date, completed: dt.date | None, status: Status = Status.IN_PROGRESS) -> Any:
        return (SimpleNamespace(basis_date=basis, is_proposal=False), Standing(status, None, completed))

    rows = [
        row(dt.date(2026, 1, 15), dt.date(2026, 3, 2), Status.DONE),
        row(dt.date(2026, 2, 1), None),
        row(dt.date(2026, 2, 3), None, Status.CANCELLED),  # left out
        (SimpleNamespace(basis_date=dt.date(2022, 7, 21), is_proposal=True), Standing(Status.PROPOSED, None)),
    ]
    chart = completion_chart(rows, dt.date(2026, 4, 10))
    assert chart is not None
    assert [m.isoformat() for m in chart.months] == ["2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01",
                                                     "2026-04-01"]  # fmt: skip
    assert chart.given == [0, 1, 2, 2, 2] and chart.done == [0, 0, 0, 1, 1]
    assert chart.ticks[0][2] == "start" and chart.ticks[-1][1:] == ("2026-04", "end")
    assert completion_chart(rows[3:], dt.date(2026, 4, 10)) is None  # proposals alone draw nothing
