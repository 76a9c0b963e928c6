"""Mutation survivors of the follow-up (issue 17): a recurring instruction to two states is due
again N months after the accepted report of the state that reported *least* recently, not the
one that reported last. Through the rule, the actions and queries, the page and the API.

All dates are relative to ``timezone.localdate()``: the decision ten months ago, Uzbekistan's
accepted report eight months ago, Kazakhstan's two months ago; every six months, so the next round
was due from Uzbekistan two months ago (overdue), although Kazakhstan's is not due for four more.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kenes.decisions import actions, queries
from kenes.decisions.actions import AssigneeSpec
from kenes.decisions.models import Decision, Instruction, Report
from kenes.decisions.rules import ReportFact, Status, standing
from kenes.formats import short_date
from kenes.meetings.cadence import add_months
from kenes.texts.models import Text
from tests.conftest import login, totp_now
from tests.decisions.conftest import PASSWORD

pytestmark = pytest.mark.django_db

UZ, KZ = 1, 2
MONTHS = 6


def _days() -> dict[str, dt.date]:
    today = timezone.localdate()
    return {
        "today": today,
        "basis": add_months(today, -10),
        "uz": add_months(today, -8),  # reported least recently
        "kz": add_months(today, -2),  # reported last
    }


def test_the_rule_counts_from_the_state_that_reported_least_recently() -> None:
    days = _days()

    def accepted(state: int, day: dt.date) -> ReportFact:
        return ReportFact(state, "in_progress", "accepted", day, day)

    base: dict[str, Any] = {
        "today": days["today"],
        "basis_date": days["basis"],
        "recurrence_months": MONTHS,
        "reporting_states": {UZ, KZ},
    }
    result = standing(reports=[accepted(UZ, days["uz"]), accepted(KZ, days["kz"])], **base)
    assert result.due == add_months(days["uz"], MONTHS) < days["today"]
    assert result.status == Status.OVERDUE and result.reminder_due == "overdue"
    # the reports given in the other order change nothing
    assert standing(reports=[accepted(KZ, days["kz"]), accepted(UZ, days["uz"])], **base) == result


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@pytest.fixture
def recurring(people: dict[str, Any], adopted: Text) -> Instruction:
    """A recurring instruction to Uzbekistan and Kazakhstan, with one accepted report from each,
    dated as described in the module's docstring."""
    days = _days()
    decision = actions.mark_decision(people["secretariat"], adopted, adopted.units.get(uid="OP2"))
    instruction = actions.create_instruction(
        people["secretariat"], decision, title="Report on transport every six months (test)", assignee_kind="states",
        recurrence_months=MONTHS,
        states=[AssigneeSpec(people["uz"].state, people["uz"]), AssigneeSpec(people["kz"].state, people["focal_kz"])],
    )  # fmt: skip
    Decision.objects.filter(pk=decision.pk).update(adopted_on=days["basis"])
    Instruction.objects.filter(pk=instruction.pk).update(basis_date=days["basis"])  # as if decided then
    for name, iso2 in (("uz", "uz"), ("focal_kz", "kz")):
        report = actions.file_report(
            people[name], instruction, body=f"Round one ({iso2}, test).", progress="in_progress"
        )
        actions.review_report(people["secretariat"], report, accept=True)
        Report.objects.filter(pk=report.pk).update(created_at=_at(days[iso2]), reviewed_at=_at(days[iso2]))
    stored = sorted(
        (r.state.iso2, timezone.localtime(r.created_at).date(), r.review)
        for r in Report.objects.filter(instruction=instruction).select_related("state")
    )
    assert stored == [("KZ", days["kz"], "accepted"), ("UZ", days["uz"], "accepted")]
    current = Instruction.objects.get(pk=instruction.pk)
    assert current.basis_date == days["basis"] and current.recurrence_months == MONTHS
    assert {a.state.iso2 for a in current.assignees.all()} == {"UZ", "KZ"}
    return current


@pytest.mark.clock
def test_standing_of_a_recurring_instruction_to_two_states(recurring: Instruction) -> None:
    days = _days()
    result = queries.standing_of(recurring, today=days["today"])
    assert result.status == Status.OVERDUE
    assert result.due == add_months(days["uz"], MONTHS)
    [(listed, listed_standing)] = queries.standings(queries.base().filter(pk=recurring.pk), today=days["today"])
    assert listed.pk == recurring.pk and listed_standing == result


@pytest.mark.clock
def test_the_page_and_the_api_show_it_overdue(recurring: Instruction, people: dict[str, Any]) -> None:
    days = _days()
    due_day = add_months(days["uz"], MONTHS)
    due = due_day.isoformat()
    client = login(Client(), people["uz"])
    page = client.get(f"/instructions/{recurring.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert '<span class="istatus istatus-overdue">overdue</span>' in body and short_date(due_day) in body

    detail = client.get(f"/api/v1/instructions/{recurring.pk}").json()
    assert (detail["status"], detail["next_due"]) == ("overdue", due)
    overdue = client.get("/api/v1/instructions?status=overdue").json()
    assert recurring.pk in {i["id"] for i in overdue}

    # Kazakhstan's focal point sees the same status: it is the instruction's, not the reader's
    focal = Client()
    assert focal.post("/login/", {"username": people["focal_kz"].email, "password": PASSWORD}).status_code == 302
    assert focal.post("/account/2fa/", {"code": totp_now(people["focal_kz"]), "next": "/"}).status_code == 302
    assert focal.get(f"/api/v1/instructions/{recurring.pk}").json()["status"] == "overdue"
