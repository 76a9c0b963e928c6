"""Every refusal of the meeting actions that no other test met: what the user is told (the API's
status and detail) and that nothing changed (no audit event, no row written, objects as they were)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kenes.meetings import actions
from kenes.meetings.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Document,
    Format,
    Invitation,
    Meeting,
    MeetingStatus,
)
from kenes.meetings.permissions import require_security_channel
from kenes.states.models import State
from tests.conftest import verified
from tests.refusing import refused

FM = "ca_foreign_ministers"
DEMO_MEETING = "demo-fm-2027"


@pytest.fixture
def sec(accounts: dict[str, Any]) -> Any:
    return verified(accounts["secretariat"])


def _states(*codes: str) -> list[State]:
    return list(State.objects.filter(iso2__in=codes))


def _later(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def _create_meeting(actor: Any, **changes: Any) -> Callable[[], Any]:
    arguments: dict[str, Any] = {
        "fmt": Format.objects.get(code=FM), "code": "test-refused", "title_en": "TEST refused meeting (fictional)",
        "start_text": _later(300), "city_en": "Demo City", "timezone_name": "Asia/Almaty", "ordinal": "",
    }  # fmt: skip
    arguments.update(changes)
    return lambda: actions.create_meeting(actor, **arguments)


MEETING_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "an unknown level": ({"classification": "secret"}, "Unknown classification.", "classification"),
    "a distribution on open material": (
        {"distribution": ["KZ"]}, "Only restricted material has a distribution list.", "distribution"),
    "an unknown kind": ({"kind": "summit"}, "Unknown kind of meeting.", "kind"),
    "a meeting already held": ({"status": "held"}, "A new meeting is planned or convened.", "status"),
    "sixteen days": ({"end_text": _later(315)}, "A meeting lasts at most 15 days.", "end_text"),
    "a taken code": ({"code": DEMO_MEETING}, "A meeting with this code already exists.", "code"),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", MEETING_CASES)
def test_create_meeting_refusals(case: str, sec: Any) -> None:
    changes, detail, field = MEETING_CASES[case]
    if "distribution" in changes:
        changes = {**changes, "distribution": _states(*changes["distribution"])}
    refused(_create_meeting(sec, **changes), 400, detail, field=field, counts=[Meeting])


@pytest.mark.django_db
def test_restricted_material_needs_its_distribution(accounts: dict[str, Any]) -> None:
    officer = verified(accounts["kg"])
    scs = Format.objects.get(code="ca_security_council_secretaries")
    refused(
        lambda: require_security_channel(officer, scs, []),
        400,
        "Restricted material needs a distribution list of states.",
        field="distribution",
    )


@pytest.mark.django_db
def test_status_and_dates_refusals(sec: Any) -> None:
    meeting = Meeting.objects.get(code=DEMO_MEETING)
    refused(
        lambda: actions.change_meeting_status(sec, meeting, "finished"),
        400,
        "Unknown status.",
        field="status",
        watch=[meeting],
    )
    cancelled = actions.change_meeting_status(sec, meeting, MeetingStatus.CANCELLED)
    refused(
        lambda: actions.reschedule_meeting(sec, cancelled, start_text=_later(320)),
        400,
        "A held or cancelled meeting keeps its dates.",
        field="start_text",
        watch=[cancelled],
    )
    refused(
        lambda: actions.invite(sec, cancelled, state=State.objects.get(iso2="CN"), standing="observer"),
        400,
        "Invitations are sent before a meeting, not after it or once cancelled.",
        counts=[Invitation],
    )


def _create_document(actor: Any, **changes: Any) -> Callable[[], Any]:
    arguments: dict[str, Any] = {
        "fmt": Format.objects.get(code=FM), "code": "test-refused-doc", "title_en": "TEST refused (fictional)",
        "kind": "note", "classification": "participants",
    }  # fmt: skip
    arguments.update(changes)
    return lambda: actions.create_document(actor, **arguments)


DOCUMENT_CASES: dict[str, tuple[dict[str, Any], str, str]] = {
    "an unknown level": ({"classification": "secret"}, "Unknown classification.", "classification"),
    "restricted without a distribution": (
        {"classification": "restricted"}, "Restricted material needs a distribution list of states.", "distribution"),
    "a distribution on open material": (
        {"distribution": ["KZ"]}, "Only restricted material has a distribution list.", "distribution"),
    "a meeting of another format": (
        {"meeting": "demo-hos-extra-2027"}, "The meeting belongs to another format.", "meeting"),
    "a taken code": ({"code": "demo-fm-2027-agenda"}, "A document with this code already exists.", "code"),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", DOCUMENT_CASES)
def test_create_document_refusals(case: str, sec: Any) -> None:
    changes, detail, field = DOCUMENT_CASES[case]
    if "distribution" in changes:
        changes = {**changes, "distribution": _states(*changes["distribution"])}
    if "meeting" in changes:
        changes = {**changes, "meeting": Meeting.objects.get(code=changes["meeting"])}
    refused(_create_document(sec, **changes), 400, detail, field=field, counts=[Document])


@pytest.mark.django_db
def test_a_delegation_writes_only_its_own_private_notes(accounts: dict[str, Any]) -> None:
    uz = verified(accounts["uz"])
    refused(
        _create_document(uz, owner_state=State.objects.get(iso2="KZ"), classification="members"),
        403,
        "Only a delegation writes its own private notes.",
        counts=[Document],
    )


@contextmanager
def _written_meanwhile(fragment: str, insert: Callable[[], None]) -> Iterator[list[bool]]:
    """Right after the action's uniqueness check (the first query containing ``fragment``) found
    nothing, ``insert`` writes the row a concurrent request would have committed."""
    done: list[bool] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if not done and fragment in sql:
            done.append(True)
            insert()
        return result

    with connection.execute_wrapper(wrapper):
        yield done


@pytest.mark.django_db
def test_two_requests_creating_the_same_document_code(sec: Any) -> None:
    fm = Format.objects.get(code=FM)

    def other_request() -> None:
        Document.objects.create(format=fm, code="raced-doc", title_en="TEST the other request's document",
                                kind="note", classification="participants")  # fmt: skip

    check = 'FROM "meetings_document" WHERE "meetings_document"."code" ='
    with _written_meanwhile(check, other_request) as done:
        refused(_create_document(sec, code="raced-doc"), 400, "A document with this code already exists.",
                field="code", counts=[])  # fmt: skip
    assert done, "the uniqueness check did not run"
    assert Document.objects.get(code="raced-doc").title_en == "TEST the other request's document"


@pytest.mark.django_db
def test_document_classification_refusals(sec: Any, accounts: dict[str, Any]) -> None:
    agenda = Document.objects.get(code="demo-fm-2027-agenda")
    refused(
        lambda: actions.update_document(sec, agenda, classification="secret"),
        400,
        "Unknown classification.",
        field="classification",
        watch=[agenda],
    )
    restricted = Document.objects.get(code="demo-scs-threat-summary")
    officer = verified(accounts["kg"])
    refused(
        lambda: actions.update_document(officer, restricted, classification="members"),
        400,
        "Restricted material cannot be declassified here.",
        field="classification",
        watch=[restricted],
    )


@pytest.mark.django_db
def test_invitation_and_rules_refusals(sec: Any) -> None:
    meeting = Meeting.objects.get(code=DEMO_MEETING)
    refused(
        lambda: actions.invite(sec, meeting, state=State.objects.get(iso2="CN"), standing="ally"),
        400,
        "Unknown standing.",
        field="standing",
        counts=[Invitation],
    )
    fm = meeting.format
    rules: dict[str, Any] = {
        "expected_version": fm.rules_version, "cadence_months": fm.cadence_months, "chair_rule": fm.chair_rule,
        "rotation_order": fm.rotation, "invitable": fm.invitable_standings,
        "default_classification": fm.default_classification, "working_languages": fm.languages,
    }  # fmt: skip
    refused(
        lambda: actions.update_format_rules(sec, fm, **rules, decision_rule="majority"),
        400,
        "Unknown decision rule.",
        field="decision_rule",
        watch=[fm],
    )


@pytest.mark.django_db
def test_agenda_refusals(sec: Any) -> None:
    meeting = Meeting.objects.get(code=DEMO_MEETING)
    refused(
        lambda: actions.add_agenda_item(sec, meeting, title="TEST item", classification="secret"),
        400,
        "Unknown classification.",
        field="classification",
        counts=[AgendaItem],
    )
    refused(
        lambda: actions.add_agenda_item(sec, meeting, title="TEST item", distribution=_states("KZ")),
        400,
        "Only restricted material has a distribution list.",
        field="distribution",
        counts=[AgendaItem],
    )
    elsewhere = Document.objects.get(code="demo-hos-extra-2027-agenda")
    refused(
        lambda: actions.add_agenda_item(sec, meeting, title="TEST item", documents=[elsewhere]),
        400,
        "Only documents of this meeting can be linked.",
        field="documents",
        counts=[AgendaItem],
    )
    item = actions.add_agenda_item(sec, meeting, title="TEST item (fictional)")
    refused(
        lambda: actions.update_agenda_item(sec, item, title="   "),
        400,
        "Give the item a title of at most 300 characters.",
        field="title",
        watch=[item],
    )
    refused(
        lambda: actions.update_agenda_item(sec, item, status="postponed"),
        400,
        "Unknown status.",
        field="status",
        watch=[item],
    )


@pytest.mark.django_db
def test_delegation_refusals(accounts: dict[str, Any]) -> None:
    meeting = Meeting.objects.get(code=DEMO_MEETING)
    counts = [Delegation, DelegationMember]
    one = [{"full_name": "TEST delegate (fictional)", "role": "head"}]
    refused(
        lambda: actions.save_delegation("test", meeting, members=one),
        400,
        "Name the state of the delegation.",
        field="state",
        counts=counts,
    )
    revoked = Meeting.objects.get(code="demo-hos-extra-2027")  # China's invitation to it was revoked
    refused(
        lambda: actions.save_delegation("test", revoked, members=one, state=State.objects.get(iso2="CN")),
        400,
        "Only member states and accepted guests send a delegation.",
        field="state",
        counts=counts,
    )
    uz = verified(accounts["uz"])
    refused(
        lambda: actions.save_delegation(uz, meeting, members=[{"full_name": "  ", "role": "head"}]),
        400,
        "Each member needs a name of at most 200 characters.",
        field="members.0.full_name",
        counts=counts,
    )
    refused(
        lambda: actions.save_delegation(uz, meeting, members=[{"full_name": "TEST (fictional)", "role": "driver"}]),
        400,
        "Unknown role in the delegation.",
        field="members.0.role",
        counts=counts,
    )
