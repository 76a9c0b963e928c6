"""Every refusal of the decision and instruction actions that no other test met: what the user is
told (the API's status and detail) and that nothing changed (no audit event, no row, no file)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.utils import timezone

from kenes.decisions import actions
from kenes.decisions.actions import AssigneeSpec
from kenes.decisions.models import Decision, Instruction, Report
from kenes.texts.models import Text, TextStatus, Unit
from tests.decisions.conftest import adopt
from tests.refusing import refused

pytestmark = pytest.mark.django_db


def _decision(people: dict[str, Any], text: Text) -> Decision:
    return actions.mark_decision(people["secretariat"], text, text.units.get(uid="OP1"))


def _instruct(people: dict[str, Any], decision: Decision, **changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "title": "Prepare a transport plan (test)", "assignee_kind": "states",
        "states": [AssigneeSpec(people["uz"].state, people["uz"], "Ministry of Transport")],
        "due_date": decision.adopted_on + dt.timedelta(days=90),
    }  # fmt: skip
    arguments.update(changes)
    return lambda: actions.create_instruction(people["secretariat"], decision, **arguments)


def test_marking_a_paragraph_that_is_not_the_texts(people: dict[str, Any], adopted: Text) -> None:
    other = adopt(people, code="test-other-adopted")
    refused(
        lambda: actions.mark_decision(people["secretariat"], adopted, other.units.get(uid="OP1")),
        400,
        "The paragraph belongs to another text.",
        field="unit",
        counts=[Decision],
    )
    Unit.objects.filter(text=adopted, uid="OP2").update(removed=True)
    refused(
        lambda: actions.mark_decision(people["secretariat"], adopted, adopted.units.get(uid="OP2")),
        400,
        "This paragraph was removed from the text.",
        field="unit",
        counts=[Decision],
    )


INSTRUCTION_CASES: dict[str, tuple[dict[str, Any], str, str | None]] = {
    "an unknown level": ({"classification": "secret"}, "Unknown classification.", "classification"),
    "no title": ({"title": "  \n "}, "Say what the instruction asks.", "title"),
    "a long title": ({"title": "T" * 301}, "The instruction is longer than 300 characters.", "title"),
    "a long body name": (
        {"assignee_kind": "body", "assignee_body": "B" * 201, "states": []},
        "The body's name is longer than 200 characters.", "assignee_body"),
}  # fmt: skip


@pytest.mark.parametrize("case", INSTRUCTION_CASES)
def test_create_instruction_refusals(case: str, people: dict[str, Any], adopted: Text) -> None:
    changes, detail, field = INSTRUCTION_CASES[case]
    decision = _decision(people, adopted)
    refused(_instruct(people, decision, **changes), 400, detail, field=field, counts=[Instruction])


def test_only_an_adopted_text_gives_instructions(people: dict[str, Any], adopted: Text) -> None:
    decision = _decision(people, adopted)
    # The data says otherwise than the decision (a text put back by hand in the database): refused.
    Text.objects.filter(pk=adopted.pk).update(status=TextStatus.DRAFTING)
    decision = Decision.objects.select_related("text").get(pk=decision.pk)
    refused(_instruct(people, decision), 400, "Only an adopted text gives instructions.", counts=[Instruction])


@pytest.fixture
def instruction(people: dict[str, Any], adopted: Text, settings: Any, tmp_path: Path) -> Instruction:
    settings.MEDIA_ROOT = tmp_path
    decision = _decision(people, adopted)
    created: Instruction = _instruct(people, decision)()
    return created


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def test_attachments_that_are_too_big_or_empty(people: dict[str, Any], instruction: Instruction,
                                               tmp_path: Path) -> None:  # fmt: skip
    huge = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    huge.size = actions.MAX_ATTACHMENT_BYTES + 1
    refused(
        lambda: actions.file_report(people["uz"], instruction, body="Plan (test).", progress="done", attachment=huge),
        400,
        "The attachment is larger than 10 MB.",
        field="attachment",
        counts=[Report],
    )
    empty = SimpleUploadedFile("plan.pdf", b"", content_type="application/pdf")
    refused(
        lambda: actions.file_report(people["uz"], instruction, body="Plan (test).", progress="done", attachment=empty),
        400,
        "The attachment is empty.",
        field="attachment",
        counts=[Report],
    )
    assert _files(tmp_path) == []


def test_a_report_on_an_instruction_cancelled_meanwhile(people: dict[str, Any], instruction: Instruction) -> None:
    # The focal point opened the instruction before the secretariat cancelled it.
    Instruction.objects.filter(pk=instruction.pk).update(cancelled_at=timezone.now())
    refused(
        lambda: actions.file_report(people["uz"], instruction, body="Done (test).", progress="done"),
        400,
        "This instruction is cancelled: it takes no more reports.",
        counts=[Report],
    )


def test_a_report_that_cannot_be_saved_leaves_no_attachment_behind(
    people: dict[str, Any], instruction: Instruction, tmp_path: Path
) -> None:
    from kenes.audit.models import AuditEvent

    events = AuditEvent.objects.count()
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with mock.patch.object(Report, "save", side_effect=DatabaseError("disk full")), pytest.raises(DatabaseError):
        actions.file_report(people["uz"], instruction, body="Plan (test).", progress="done", attachment=upload)
    assert _files(tmp_path) == []  # the stored file went with the failed row
    assert not Report.objects.filter(instruction=instruction).exists()
    assert AuditEvent.objects.count() == events
