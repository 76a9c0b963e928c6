"""Every refusal of the security channel's actions that no other test met: what the officer is
told (the API's status and detail) and that nothing changed (no audit event, no row written)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from kenes.meetings.models import Meeting
from kenes.security import actions
from kenes.security.models import ConsultationRequest, ThreatReport
from kenes.states.models import State
from tests.conftest import verified
from tests.refusing import refused

pytestmark = pytest.mark.django_db


def _file(actor: Any, **changes: Any) -> Callable[[], Any]:
    arguments: dict[str, Any] = {
        "title": "Fictional test report", "category": "border_incident", "severity": 2,
        "occurred_at": timezone.now() - dt.timedelta(hours=1), "summary": "Fictional summary.",
        "distribution": list(State.objects.filter(iso2="UZ")),
    }  # fmt: skip
    arguments.update(changes)
    return lambda: actions.file_report(actor, **arguments)


REPORT_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "no title": ({"title": "   "}, "Give the report a title of at most 200 characters.", "title"),
    "an unknown category": ({"category": "gossip"}, "Unknown category.", "category"),
    "a severity out of scale": ({"severity": 5}, "Choose a severity: low, moderate, high or critical.", "severity"),
    "a severity that is no number": (
        {"severity": "grave"}, "Choose a severity: low, moderate, high or critical.", "severity"),
    "no summary": ({"summary": "\n"}, "Write a summary.", "summary"),
    "no distribution": ({"distribution": []}, "Choose the states the report is distributed to.", "distribution"),
}  # fmt: skip


@pytest.mark.parametrize("case", REPORT_CASES)
def test_file_report_refusals(case: str, accounts: dict[str, Any]) -> None:
    changes, detail, field = REPORT_CASES[case]
    refused(_file(verified(accounts["kg"]), **changes), 400, detail, field=field, counts=[ThreatReport])


def test_only_a_cleared_officer_of_a_state_files(accounts: dict[str, Any]) -> None:
    for name in ("secretariat", "kz"):
        refused(_file(verified(accounts[name])), 403, "Only a cleared security officer may do this.",
                counts=[ThreatReport])  # fmt: skip
    refused(_file("test"), 400, "A report is filed by a state.", field="author_state", counts=[ThreatReport])


def test_consultation_refusals(accounts: dict[str, Any], reports: dict[str, ThreatReport]) -> None:
    kg, x = verified(accounts["kg"]), reports["x"]
    for within in (0, 61, "soon"):
        refused(
            lambda w=within: actions.request_consultation(kg, x, within_days=w),
            400,
            "Choose within how many days: 1 to 60.",
            field="within_days",
            counts=[ConsultationRequest],
        )
    request = actions.request_consultation(kg, x, within_days=10)
    today = timezone.localdate()
    refused(
        lambda: actions.convene_consultation(kg, request, start=today + dt.timedelta(days=11)),
        400,
        "Choose a day within 10 days from today.",
        field="start",
        watch=[request],
        counts=[Meeting],
    )
    actions.convene_consultation(kg, request, start=today + dt.timedelta(days=3))
    request = ConsultationRequest.objects.get(pk=request.pk)
    refused(
        lambda: actions.convene_consultation(kg, request, start=today + dt.timedelta(days=4)),
        400,
        "This consultation is already convened.",
        watch=[request],
        counts=[Meeting],
    )
