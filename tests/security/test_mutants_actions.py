"""The distribution rules of the security channel's writes, as ``./dev mutate`` found them untested
(docs/mutation.md): who may file and assess, the members-only distribution that always includes
the author's state, the limits of a report, and what is recorded."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kenes.access.levels import Classification
from kenes.audit.models import AuditEvent
from kenes.errors import ActionError
from kenes.people.actions import create_account
from kenes.people.models import Account
from kenes.security import actions
from kenes.security.models import Assessment, ThreatReport
from kenes.states.models import State
from tests.conftest import stale, verified

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2026, 1, 5, 8, 30, tzinfo=dt.UTC)
OFFICER_ONLY = r"^Only a cleared security officer may do this\.$"
_numbers = itertools.count()


def _states(*codes: str) -> list[State]:
    return [State.objects.get(iso2=code) for code in codes]


def _account(iso2: str | None, roles: list[tuple[str | None, str]], clearance: str = "restricted") -> Account:
    from kenes.meetings.models import Format

    return verified(
        create_account(
            "test", email=f"person{next(_numbers)}@test.kenes.invalid",
            full_name="Test (fictional)", password=None, affiliation="state" if iso2 else "secretariat",
            state=State.objects.get(iso2=iso2) if iso2 else None, clearance=clearance,
            roles=[(Format.objects.get(code=f) if f else None, r) for f, r in roles],
        )
    )  # fmt: skip


def _file(actor: Any, **changes: Any) -> ThreatReport:
    fields: dict[str, Any] = {
        "title": "Fictional report (test)",
        "category": "border_incident",
        "severity": 2,
        "occurred_at": WHEN,
        "summary": "Fictional summary (test).",
        "distribution": _states("UZ"),
    }
    return actions.file_report(actor, **(fields | changes))


def _refusal(actor: Any, **changes: Any) -> tuple[str, str | None]:
    with pytest.raises(ActionError) as caught:
        _file(actor, **changes)
    return caught.value.message, caught.value.field


# --- Who may write -------------------------------------------------------------------------------


def test_only_a_cleared_officer_of_a_state_with_a_fresh_code_files_a_report(accounts: dict[str, Any]) -> None:
    refused = [
        accounts["kg"],  # no second factor in this session
        stale(accounts["kg"]),  # a code, but too long ago
        verified(accounts["kz"]),  # cleared members
        _account("UZ", [(None, "delegate")]),  # cleared restricted, not an officer
        _account("UZ", [("ca_foreign_ministers", "security_officer")]),  # an officer of another format
        _account(None, [(None, "security_officer")]),  # of no state
    ]
    for actor in refused:
        with pytest.raises(PermissionDenied, match=OFFICER_ONLY):
            _file(actor)
    assert not ThreatReport.objects.filter(title="Fictional report (test)").exists()
    report = _file(
        _account("UZ", [("ca_security_council_secretaries", "security_officer")]), distribution=_states("KZ")
    )
    assert report.author_state.iso2 == "UZ"


def test_an_operators_command_files_for_the_state_it_names(accounts: dict[str, Any]) -> None:
    report = _file("load_demo", author_state=State.objects.get(iso2="TJ"), distribution=_states("KZ"))
    assert (report.author, report.author_state.iso2) == (None, "TJ")
    assert sorted(s.iso2 for s in report.distribution.all()) == ["KZ", "TJ"]
    assert _refusal("load_demo") == ("A report is filed by a state.", "author_state")


# --- The distribution ---------------------------------------------------------------------------


def test_the_distribution_names_member_states_only_and_always_includes_the_authors(accounts: dict[str, Any]) -> None:
    kg = verified(accounts["kg"])
    assert _refusal(kg, distribution=[]) == ("Choose the states the report is distributed to.", "distribution")
    assert _refusal(kg, distribution=_states("UZ", "RU", "CN")) == (
        "Only member states may be named here; not: CN, RU.", "distribution",
    )  # fmt: skip
    report = _file(kg, distribution=_states("UZ", "KZ"), affected_states=_states("TJ"))
    assert sorted(s.iso2 for s in report.distribution.all()) == ["KG", "KZ", "UZ"]
    assert [s.iso2 for s in report.affected_states.all()] == ["TJ"]
    assert report.classification == Classification.RESTRICTED
    event = AuditEvent.objects.get(verb="security.report_filed", target_id=str(report.pk))
    assert event.data == {"distribution": ["KG", "KZ", "UZ"], "category": "border_incident", "severity": 2}
    assert event.actor == kg
    assert not any(report.title in str(value) for value in event.data.values())


# --- A report's fields --------------------------------------------------------------------------


def test_a_report_needs_a_title_a_category_a_severity_and_a_summary_within_limits(accounts: dict[str, Any]) -> None:
    kg = verified(accounts["kg"])
    title = (f"Give the report a title of at most {actions.MAX_TITLE} characters.", "title")
    assert _refusal(kg, title="   ") == title
    assert _refusal(kg, title="x" * (actions.MAX_TITLE + 1)) == title
    assert _refusal(kg, category="weather") == ("Unknown category.", "category")
    severity = ("Choose a severity: low, moderate, high or critical.", "severity")
    assert _refusal(kg, severity="high") == severity
    assert _refusal(kg, severity=None) == severity
    assert _refusal(kg, severity=5) == severity
    assert _refusal(kg, summary="  ") == ("Write a summary.", "summary")
    limits = {"summary": actions.MAX_SUMMARY, "details": actions.MAX_DETAILS, "place": actions.MAX_PLACE}
    for field, limit in limits.items():
        message, refused_field = _refusal(kg, **{field: "x" * (limit + 1)})
        assert refused_field == field and str(limit) in message
    assert not ThreatReport.objects.filter(author_state__iso2="KG", title__startswith="x").exists()
    at_the_limits = {field: " " + "x" * limit + " " for field, limit in limits.items()}
    report = _file(kg, title="  " + "t" * actions.MAX_TITLE + " ", severity="4", **at_the_limits)
    assert (len(report.title), report.severity, len(report.summary), len(report.details), len(report.place)) == (
        actions.MAX_TITLE, 4, actions.MAX_SUMMARY, actions.MAX_DETAILS, actions.MAX_PLACE,
    )  # fmt: skip
    plain = _file(kg, details="  Details (test).  ", place="  Osh  ")
    assert (plain.details, plain.place, plain.occurred_at, plain.author) == ("Details (test).", "Osh", WHEN, kg)


# --- Assessments --------------------------------------------------------------------------------


def test_an_addressed_state_assesses_for_itself_and_a_new_assessment_replaces_the_old(
    accounts: dict[str, Any], reports: dict[str, ThreatReport], officer_tj: Any
) -> None:
    x = reports["x"]  # Kyrgyzstan's, for Uzbekistan
    kg = verified(accounts["kg"])
    with pytest.raises(PermissionDenied, match=r"^A state assesses for itself only\.$"):
        actions.assess(kg, x, view="agreed", state=State.objects.get(iso2="UZ"))
    uz = _account("UZ", [(None, "security_officer")])
    first = actions.assess(uz, x, view="raised", comments=" First (test). ", measures=" Patrols (test). ")
    assert (first.state.iso2, first.view, first.comments, first.measures, first.author) == (
        "UZ", "raised", "First (test).", "Patrols (test).", uz,
    )  # fmt: skip
    second = actions.assess(uz, x, view="lowered", state=State.objects.get(iso2="UZ"))
    assert second.pk == first.pk and Assessment.objects.filter(report=x).count() == 1
    assert (second.view, second.comments) == ("lowered", "")
    assert second.created_at >= first.created_at
    events = AuditEvent.objects.filter(verb="security.assessed", target_id=str(x.pk)).order_by("seq")
    assert [e.data for e in events] == [{"state": "UZ", "view": "raised"}, {"state": "UZ", "view": "lowered"}]


def test_only_the_states_a_report_is_addressed_to_assess_it(
    accounts: dict[str, Any], reports: dict[str, ThreatReport]
) -> None:
    x = reports["x"]
    kg = verified(accounts["kg"])
    with pytest.raises(ActionError) as caught:
        actions.assess("load_demo", x, view="agreed", state=State.objects.get(iso2="KZ"))
    assert (caught.value.message, caught.value.field) == (
        "Only the states the report is addressed to may assess it.", "state",
    )  # fmt: skip
    with pytest.raises(ActionError) as caught:
        actions.assess("load_demo", x, view="agreed")
    assert caught.value.field == "state"
    assert actions.assess("load_demo", x, view="agreed", state=State.objects.get(iso2="UZ")).author is None
    with pytest.raises(ActionError) as caught:
        actions.assess(kg, x, view="doubled")
    assert (caught.value.message, caught.value.field) == (
        "Say whether the severity is agreed, raised or lowered.", "view",
    )  # fmt: skip
    limit = actions.MAX_ASSESSMENT
    for field in ("comments", "measures"):
        with pytest.raises(ActionError) as caught:
            actions.assess(kg, x, view="agreed", **{field: "c" * (limit + 1)})
        assert caught.value.field == field and str(limit) in caught.value.message
    assert actions.assess(kg, x, view="agreed", comments="c" * limit, measures="m" * limit).state.iso2 == "KG"
    with pytest.raises(PermissionDenied, match=OFFICER_ONLY):
        actions.assess(_account("UZ", [(None, "delegate")]), x, view="agreed")
    assert timezone.now() > WHEN
