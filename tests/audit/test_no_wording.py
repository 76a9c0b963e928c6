"""Security review, finding 3: the audit log says what changed, never the protected wording."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kenes.access.levels import Classification
from kenes.audit.models import AuditEvent
from kenes.meetings import actions as meeting_actions
from kenes.meetings.models import Document, Format, Meeting
from kenes.states.models import State
from kenes.texts import actions as text_actions
from kenes.texts.models import Text, TextStatus
from tests.conftest import verified

CANARY = "CANARY-restricted-wording-7f3a"


def _events_since(seq: int) -> list[AuditEvent]:
    events = list(AuditEvent.objects.filter(seq__gt=seq))
    assert events, "the action wrote its audit event"
    return events


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.mark.django_db
def test_editing_a_restricted_paragraph_logs_its_fingerprint_only() -> None:
    states = [State.objects.get(iso2="KG"), State.objects.get(iso2="UZ")]
    text = text_actions.create_text(
        "test", fmt=Format.objects.get(code="ca_security_council_secretaries"), code="test-joint-measures",
        title="Test joint measures", kind="joint_statement", classification=Classification.RESTRICTED,
        units=[{"kind": "operative", "content": "Test paragraph."}], distribution=states,
    )  # fmt: skip
    seq = _last_seq()
    text_actions.edit_unit("test", text.units.get(), language="ru", content=f"New wording {CANARY}")
    [event] = _events_since(seq)
    assert event.verb == "text.unit_edited"
    assert CANARY not in str(event.data)
    assert event.data["after"]["length"] == len(f"New wording {CANARY}")
    assert len(event.data["after"]["sha256"]) == 64


@pytest.mark.django_db
def test_removing_an_agenda_item_does_not_log_its_title() -> None:
    meeting = Meeting.objects.get(code="demo-fm-2027")
    item = meeting_actions.add_agenda_item(
        "test", meeting, title=f"Members-only item {CANARY}", classification=Classification.MEMBERS
    )
    seq = _last_seq()
    meeting_actions.remove_agenda_item("test", item)
    events = _events_since(seq)
    assert [e.verb for e in events] == ["agenda.item_removed"]
    assert CANARY not in str(events[0].data)


@pytest.mark.django_db
def test_updating_a_document_does_not_log_its_title() -> None:
    document = Document.objects.get(code="demo-fm-2027-briefing")
    seq = _last_seq()
    meeting_actions.update_document("test", document, title_en=f"Briefing {CANARY}")
    events = _events_since(seq)
    assert CANARY not in str([e.data for e in events])
    assert events[0].data["fields"] == ["title_en"]


@pytest.mark.django_db
def test_breaking_silence_does_not_log_the_reason(accounts: dict[str, Any]) -> None:
    text = text_actions.create_text(
        "test", fmt=Format.objects.get(code="ca_foreign_ministers"), code="test-silence-reason",
        title="Test silence text", kind="joint_statement", classification=Classification.MEMBERS,
        units=[{"kind": "operative", "content": "Test paragraph."}],
    )  # fmt: skip
    # Circulating needs every member's support first; the set-up puts the text under silence directly.
    deadline = timezone.now() + dt.timedelta(days=2)
    Text.objects.filter(pk=text.pk).update(
        status=TextStatus.SILENCE, silence_deadline=deadline, silence_timezone="Asia/Almaty"
    )
    text.refresh_from_db()
    seq = _last_seq()
    text_actions.break_silence(verified(accounts["kz"]), text, reason=f"We object: {CANARY}")
    events = _events_since(seq)
    assert "silence.broken" in [e.verb for e in events]
    assert CANARY not in str([e.data for e in events])
