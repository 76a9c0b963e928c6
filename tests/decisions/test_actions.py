"""Decisions, instructions and reports through the actions: every rule, every refusal changes
nothing, the cadence tie, reminders once each, the real proposals and the demo material."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from kenes.access.policy import can, visible
from kenes.audit.models import AuditEvent
from kenes.decisions import actions, queries
from kenes.decisions.actions import AssigneeSpec
from kenes.decisions.models import Decision, Instruction, InstructionReminder, Report, WeeklySummary
from kenes.decisions.rules import Status
from kenes.errors import ActionError
from kenes.formats import long_date
from kenes.meetings.models import Format
from kenes.people.models import Notification
from kenes.texts.models import Text
from tests.decisions.conftest import FM

pytestmark = pytest.mark.django_db


def _decision(people: dict[str, Any], text: Text, uid: str = "OP1") -> Decision:
    return actions.mark_decision(people["secretariat"], text, text.units.get(uid=uid))


def _to_uz(people: dict[str, Any], decision: Decision, **extra: Any) -> Instruction:
    extra.setdefault("due_date", decision.adopted_on + dt.timedelta(days=90))
    return actions.create_instruction(
        people["secretariat"], decision, title="Prepare a transport plan (test)", assignee_kind="states",
        states=[AssigneeSpec(people["uz"].state, people["uz"], "Ministry of Transport")], **extra,
    )  # fmt: skip


def _snapshot() -> tuple[int, int, int, int]:
    return (Decision.objects.count(), Instruction.objects.count(), Report.objects.count(), AuditEvent.objects.count())


# --- decisions ------------------------------------------------------------------------------------


def test_secretariat_marks_a_unit_of_an_adopted_text(people: dict[str, Any], adopted: Text) -> None:
    decision = _decision(people, adopted)
    assert decision.adopted_on == timezone.localtime(adopted.adopted_at).date()
    assert AuditEvent.objects.filter(verb="decision.marked", target_id=str(decision.pk)).exists()
    before = _snapshot()
    with pytest.raises(ActionError, match="already marked"):
        _decision(people, adopted)
    assert _snapshot() == before


def test_a_preambular_paragraph_gives_no_decision(people: dict[str, Any]) -> None:
    from kenes.people.demo import DEMO_TEXT

    text = Text.objects.get(code=DEMO_TEXT)
    before = _snapshot()
    with pytest.raises(ActionError, match="preambular"):
        actions.mark_decision(people["secretariat"], text, text.units.get(uid="PP1"))
    assert _snapshot() == before


def test_a_draft_text_gives_no_decision(people: dict[str, Any]) -> None:
    from kenes.texts import actions as text_actions

    draft = text_actions.create_text(
        people["secretariat"], fmt=Format.objects.get(code=FM), code="test-draft", title="TEST draft",
        kind="joint_statement", classification="members", units=[{"kind": "operative", "content": "Instruct (test)."}],
    )  # fmt: skip
    before = _snapshot()
    with pytest.raises(ActionError, match="not adopted"):
        actions.mark_decision(people["secretariat"], draft, draft.units.get())
    assert _snapshot() == before


def test_only_the_secretariat_marks_decisions(people: dict[str, Any], adopted: Text) -> None:
    with pytest.raises(PermissionDenied):
        actions.mark_decision(people["kz"], adopted, adopted.units.get(uid="OP1"))
    with pytest.raises(Http404):  # a guest may not even know the members-only text exists
        actions.mark_decision(people["cn"], adopted, adopted.units.get(uid="OP1"))
    assert not Decision.objects.filter(text=adopted).exists()


# --- instructions ---------------------------------------------------------------------------------


def test_instruction_inherits_the_text_classification(
    people: dict[str, Any], adopted: Text, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        instruction = _to_uz(people, _decision(people, adopted))
    assert instruction.classification == "members" == adopted.classification
    assert instruction.format == adopted.format and instruction.meeting == adopted.meeting
    assignee = instruction.assignees.get()
    assert (assignee.state.iso2, assignee.ministry, assignee.focal_point) == (
        "UZ",
        "Ministry of Transport",
        people["uz"],
    )
    notice = Notification.objects.get(account=people["uz"], verb="instruction.assigned",
                                      url=f"/instructions/{instruction.pk}/")  # fmt: skip
    assert instruction.title not in notice.text


def test_classification_never_lower_than_the_text(people: dict[str, Any], public_adopted: Text, adopted: Text) -> None:
    raised = _to_uz(people, _decision(people, public_adopted), classification="members")
    assert raised.classification == "members"
    decision = _decision(people, adopted)
    before = _snapshot()
    for level in ("public", "participants"):
        with pytest.raises(ActionError, match="at least as high"):
            _to_uz(people, decision, classification=level)
    with pytest.raises(ActionError, match="security channel"):
        _to_uz(people, decision, classification="restricted")
    assert _snapshot() == before


def test_due_date_before_the_decision_is_a_clear_error(people: dict[str, Any], adopted: Text) -> None:
    decision = _decision(people, adopted)
    before = _snapshot()
    with pytest.raises(ActionError, match="before the decision") as error:
        _to_uz(people, decision, due_date=decision.adopted_on - dt.timedelta(days=1))
    assert error.value.field == "due_date"
    assert long_date(decision.adopted_on) in error.value.message
    assert _snapshot() == before
    same_day = _to_uz(people, decision, due_date=decision.adopted_on)  # the day itself is fine
    assert same_day.due_date == decision.adopted_on


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ({"due_date": None}, "either a due date or a recurrence"),
        ({"recurrence_months": 6}, "either a due date or a recurrence"),  # both
        ({"due_date": None, "recurrence_months": 0}, "1 to 60"),
        ({"due_date": None, "recurrence_months": 61}, "1 to 60"),
    ],
)
def test_schedule_is_a_due_date_or_a_recurrence(
    people: dict[str, Any], adopted: Text, schedule: dict[str, Any], message: str
) -> None:
    decision = _decision(people, adopted)
    before = _snapshot()
    with pytest.raises(ActionError, match=message):
        _to_uz(people, decision, **schedule)
    assert _snapshot() == before


def test_focal_point_must_be_a_focal_point_of_that_state(people: dict[str, Any], adopted: Text) -> None:
    decision = _decision(people, adopted)
    before = _snapshot()
    wrong = [
        AssigneeSpec(people["uz"].state, people["focal_kz"]),  # a focal point of another state
        AssigneeSpec(people["kz"].state, people["kz"]),  # Kazakhstan's delegate, not a focal point
    ]
    for spec in wrong:
        with pytest.raises(ActionError, match="focal point role"):
            actions.create_instruction(people["secretariat"], decision, title="x", assignee_kind="states",
                                       states=[spec], due_date=decision.adopted_on)  # fmt: skip
    with pytest.raises(ActionError, match="twice"):
        actions.create_instruction(
            people["secretariat"], decision, title="x", assignee_kind="states", due_date=decision.adopted_on,
            states=[AssigneeSpec(people["uz"].state, people["uz"]), AssigneeSpec(people["uz"].state, people["uz"])],
        )  # fmt: skip
    assert _snapshot() == before


def test_focal_point_must_be_able_to_read_the_instruction(people: dict[str, Any], adopted: Text) -> None:
    """China's focal point (a guest, participants clearance) cannot be responsible for members-only material."""
    decision = _decision(people, adopted)
    before = _snapshot()
    with pytest.raises(ActionError, match="could not read"):
        actions.create_instruction(people["secretariat"], decision, title="x", assignee_kind="states",
                                   states=[AssigneeSpec(people["cn"].state, people["focal_cn"])],
                                   due_date=decision.adopted_on)  # fmt: skip
    assert _snapshot() == before


def test_assignee_kinds_need_their_assignee(people: dict[str, Any], adopted: Text) -> None:
    decision = _decision(people, adopted)
    base = {"title": "x", "due_date": decision.adopted_on}
    for kind, message in (("format", "Choose the format"), ("body", "Name the body"), ("states", "at least one"),
                          ("nobody", "Choose who")):  # fmt: skip
        with pytest.raises(ActionError, match=message):
            actions.create_instruction(people["secretariat"], decision, assignee_kind=kind, **base)
    name = "Expert platform on border delimitation (test)"
    body = actions.create_instruction(people["secretariat"], decision, assignee_kind="body", assignee_body=name, **base)
    assert queries.assignee_label(body) == name


def test_only_the_secretariat_gives_instructions(people: dict[str, Any], adopted: Text) -> None:
    decision = _decision(people, adopted)
    with pytest.raises(PermissionDenied):
        _to_uz({**people, "secretariat": people["uz"]}, decision)
    assert not Instruction.objects.filter(decision=decision).exists()


# --- the cadence tie ------------------------------------------------------------------------------


@pytest.mark.clock
def test_recurring_meeting_instruction_sets_the_format_cadence(people: dict[str, Any], adopted: Text) -> None:
    fmt = Format.objects.get(code=FM)
    assert fmt.cadence_months is None  # the six months is only a proposal in the reference data
    decision = _decision(people, adopted)
    instruction = actions.create_instruction(
        people["secretariat"], decision, title="Foreign ministers meet at least once every six months (test)",
        assignee_kind="format", assignee_format=fmt, recurrence_months=6, meets=True,
    )  # fmt: skip
    fmt.refresh_from_db()
    assert fmt.cadence_months == 6
    assert fmt.rules_basis == instruction.imposed_basis
    assert f"instruction no. {instruction.pk}" in fmt.rules_basis and decision.unit.uid in fmt.rules_basis
    assert adopted.title not in fmt.rules_basis  # a members-only text is not named on the public format page
    assert instruction.tied_to_cadence
    assert queries.imposed_by(people["kz"], [fmt]) == {fmt.pk: instruction}
    assert queries.imposed_by(people["cn"], [fmt]) == {}  # a guest does not see the members-only instruction
    # compliance comes from the meetings held: one foreign ministers' meeting, 2023-09-13, long overdue
    state = queries.standing_of(instruction, today=timezone.localdate())
    assert state.status == Status.OVERDUE and state.due == dt.date(2024, 3, 13)

    actions.cancel_instruction(people["secretariat"], instruction, reason="Superseded (test).")
    fmt.refresh_from_db()
    assert (fmt.cadence_months, fmt.rules_basis) == (None, "")
    assert queries.imposed_by(people["kz"], [fmt]) == {}


def test_meets_only_for_a_recurring_instruction_to_a_format(people: dict[str, Any], adopted: Text) -> None:
    decision = _decision(people, adopted)
    fmt = Format.objects.get(code=FM)
    version = fmt.rules_version
    with pytest.raises(ActionError, match="Only a recurring instruction to a format"):
        actions.create_instruction(people["secretariat"], decision, title="x", assignee_kind="format",
                                   assignee_format=fmt, due_date=decision.adopted_on, meets=True)  # fmt: skip
    fmt.refresh_from_db()
    assert fmt.rules_version == version and fmt.cadence_months is None


def test_cancelling_keeps_rules_changed_since(people: dict[str, Any], adopted: Text) -> None:
    from kenes.meetings.actions import update_format_rules

    fmt = Format.objects.get(code=FM)
    instruction = actions.create_instruction(people["secretariat"], _decision(people, adopted), title="Meet (test)",
                                             assignee_kind="format", assignee_format=fmt, recurrence_months=6,
                                             meets=True)  # fmt: skip
    fmt.refresh_from_db()
    update_format_rules(people["secretariat"], fmt, expected_version=fmt.rules_version, cadence_months=4,
                        chair_rule=fmt.chair_rule, rotation_order=fmt.rotation, invitable=fmt.invitable_standings,
                        default_classification=fmt.default_classification, working_languages=fmt.languages,
                        rules_basis="Changed by hand (test)")  # fmt: skip
    actions.cancel_instruction(people["secretariat"], instruction, reason="test")
    fmt.refresh_from_db()
    assert (fmt.cadence_months, fmt.rules_basis) == (4, "Changed by hand (test)")


# --- reports --------------------------------------------------------------------------------------


@pytest.mark.clock
def test_focal_point_reports_and_secretariat_accepts(
    people: dict[str, Any], adopted: Text, django_capture_on_commit_callbacks: Any
) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    today = timezone.localdate()
    link = f"/instructions/{instruction.pk}/"
    assert queries.standing_of(instruction, today=today).status == Status.NOT_STARTED
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.file_report(people["uz"], instruction, body="Working group set up (test).", progress="done")
    assert report.classification == "members" and report.state.iso2 == "UZ"
    assert Notification.objects.filter(account=people["secretariat"], verb="report.filed", url=link).exists()
    assert queries.standing_of(Instruction.objects.get(pk=instruction.pk), today=today).status == Status.IN_PROGRESS
    with django_capture_on_commit_callbacks(execute=True):
        actions.review_report(people["secretariat"], report, accept=True)
    state = queries.standing_of(Instruction.objects.get(pk=instruction.pk), today=today)
    assert state.status == Status.DONE and state.completed_on == today
    assert Notification.objects.filter(account=people["uz"], verb="report.reviewed", url=link).exists()
    with pytest.raises(ActionError, match="already reviewed"):
        actions.review_report(people["secretariat"], Report.objects.get(pk=report.pk), accept=False, comment="x")


@pytest.mark.clock
def test_returning_needs_a_comment(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    report = actions.file_report(people["uz"], instruction, body="Draft (test).", progress="in_progress")
    with pytest.raises(ActionError, match="why the report is returned"):
        actions.review_report(people["secretariat"], report, accept=False)
    returned = actions.review_report(people["secretariat"], report, accept=False, comment="Add the dates (test).")
    assert (returned.review, returned.review_comment) == ("returned", "Add the dates (test).")
    state = queries.standing_of(Instruction.objects.get(pk=instruction.pk), today=timezone.localdate())
    assert state.status == Status.NOT_STARTED  # a returned report does not count
    with pytest.raises(PermissionDenied):
        actions.review_report(people["kz"], returned, accept=True)


def test_report_from_a_state_that_is_not_an_assignee(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    before = _snapshot()
    with pytest.raises(ActionError, match="Kazakhstan is not an assignee") as error:
        actions.file_report(people["focal_kz"], instruction, body="We did it too (test).", progress="done")
    assert error.value.field == "state"
    assert _snapshot() == before
    with pytest.raises(PermissionDenied, match="focal point"):  # a delegate is not a focal point
        actions.file_report(people["kz"], instruction, body="x", progress="done")
    with pytest.raises(Http404):  # a guest cannot see the members-only instruction at all
        actions.file_report(people["focal_cn"], instruction, body="x", progress="done")
    assert _snapshot() == before


def test_report_on_a_cancelled_instruction(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    submitted = actions.file_report(people["uz"], instruction, body="Before cancelling (test).", progress="done")
    actions.cancel_instruction(people["secretariat"], instruction, reason="Overtaken by events (test).")
    instruction.refresh_from_db()
    before = _snapshot()
    with pytest.raises(ActionError, match="cancelled: it takes no more reports"):
        actions.file_report(people["uz"], instruction, body="After (test).", progress="done")
    with pytest.raises(ActionError, match="cancelled"):
        actions.review_report(people["secretariat"], submitted, accept=True)
    with pytest.raises(ActionError, match="already cancelled"):
        actions.cancel_instruction(people["secretariat"], instruction, reason="again")
    assert _snapshot() == before
    assert queries.standing_of(instruction, today=timezone.localdate()).status == Status.CANCELLED


def test_cancelling_needs_a_reason_and_the_secretariat(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    with pytest.raises(ActionError, match="why"):
        actions.cancel_instruction(people["secretariat"], instruction, reason=" ")
    with pytest.raises(PermissionDenied):
        actions.cancel_instruction(people["uz"], instruction, reason="no")
    assert Instruction.objects.get(pk=instruction.pk).cancelled_at is None


def test_report_input_is_checked(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    before = _snapshot()
    with pytest.raises(ActionError, match="what was done"):
        actions.file_report(people["uz"], instruction, body="  ", progress="done")
    with pytest.raises(ActionError, match="in progress or done"):
        actions.file_report(people["uz"], instruction, body="x", progress="finished")
    bad = SimpleUploadedFile("plan.exe", b"MZ...", content_type="application/octet-stream")
    with pytest.raises(ActionError, match="Attach a document"):
        actions.file_report(people["uz"], instruction, body="x", progress="done", attachment=bad)
    assert _snapshot() == before


def test_report_attachment_is_stored_under_media_root(
    people: dict[str, Any], adopted: Text, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    instruction = _to_uz(people, _decision(people, adopted))
    upload = SimpleUploadedFile("plan (draft).pdf", b"%PDF-1.4 test", content_type="application/pdf")
    report = actions.file_report(people["uz"], instruction, body="Plan attached (test).", progress="in_progress",
                                 attachment=upload)  # fmt: skip
    assert report.attachment_name == "plan_draft.pdf"
    path = tmp_path / report.attachment.name
    assert path.read_bytes() == b"%PDF-1.4 test"
    assert str(path).startswith(str(tmp_path / "reports" / str(instruction.pk)))


@pytest.mark.clock
def test_two_states_both_report_done(people: dict[str, Any], adopted: Text) -> None:
    decision = _decision(people, adopted)
    instruction = actions.create_instruction(
        people["secretariat"], decision, title="Both (test)", assignee_kind="states",
        due_date=decision.adopted_on + dt.timedelta(days=30),
        states=[AssigneeSpec(people["uz"].state, people["uz"]), AssigneeSpec(people["kz"].state, people["focal_kz"])],
    )  # fmt: skip
    today = timezone.localdate()
    for name in ("uz", "focal_kz"):
        report = actions.file_report(people[name], instruction, body="Done (test).", progress="done")
        actions.review_report(people["secretariat"], report, accept=True)
        status = queries.standing_of(Instruction.objects.get(pk=instruction.pk), today=today).status
        assert status == (Status.IN_PROGRESS if name == "uz" else Status.DONE)


@pytest.mark.clock
def test_overdue_after_the_due_date(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    assert instruction.due_date is not None
    late = queries.standing_of(instruction, today=instruction.due_date + dt.timedelta(days=1))
    assert late.status == Status.OVERDUE


# --- access -----------------------------------------------------------------------------------------


def test_guests_and_the_public_never_see_members_only_instructions_or_reports(
    people: dict[str, Any], adopted: Text
) -> None:
    from django.contrib.auth.models import AnonymousUser

    instruction = _to_uz(people, _decision(people, adopted))
    report = actions.file_report(people["uz"], instruction, body="Members only (test).", progress="in_progress")
    for reader in (people["ru"], people["cn"], people["focal_cn"], AnonymousUser()):
        assert not queries.instructions_for(reader).filter(pk=instruction.pk).exists()
        assert not visible(reader, Report.objects.all()).filter(pk=report.pk).exists()
        assert not queries.decisions_for(reader).filter(pk=instruction.decision_id).exists()
        with pytest.raises(Http404):
            queries.instruction_for(reader, instruction.pk)
        assert not can(reader, "view", report)
    for reader in (people["kz"], people["uz"], people["kg"], people["secretariat"]):
        assert queries.reports_for(reader, instruction) == [report]


def test_reports_on_a_public_instruction_stay_member_material(people: dict[str, Any], public_adopted: Text) -> None:
    from django.contrib.auth.models import AnonymousUser

    instruction = _to_uz(people, _decision(people, public_adopted))
    assert instruction.classification == "public"
    report = actions.file_report(people["uz"], instruction, body="Internal (test).", progress="in_progress")
    assert report.classification == "members"
    assert queries.instruction_for(AnonymousUser(), instruction.pk) == instruction
    assert queries.reports_for(AnonymousUser(), instruction) == []
    assert queries.reports_for(people["cn"], instruction) == []


# --- reminders ----------------------------------------------------------------------------------------


@pytest.mark.clock
def test_reminders_once_each_before_the_due_date_and_when_overdue(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    due = instruction.due_date
    assert due is not None

    def run(day: dt.date) -> list[tuple[int, str]]:
        return [(pk, kind) for pk, kind in actions.send_instruction_reminders("test", day) if pk == instruction.pk]

    assert run(due - dt.timedelta(days=31)) == []
    assert run(due - dt.timedelta(days=30)) == [(instruction.pk, "30")]
    assert run(due - dt.timedelta(days=29)) == []  # once
    assert run(due - dt.timedelta(days=7)) == [(instruction.pk, "7")]
    assert run(due - dt.timedelta(days=1)) == []
    assert run(due + dt.timedelta(days=1)) == [(instruction.pk, "overdue")]
    assert run(due + dt.timedelta(days=20)) == []
    assert InstructionReminder.objects.filter(instruction=instruction).count() == 3
    notices = Notification.objects.filter(account=people["uz"], verb="instruction.reminder",
                                          url=f"/instructions/{instruction.pk}/")  # fmt: skip
    assert notices.count() == 3
    for notice in notices:  # a link, never the content
        assert notice.url == f"/instructions/{instruction.pk}/" and instruction.title not in notice.text


@pytest.mark.clock
def test_no_reminder_once_done(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    report = actions.file_report(people["uz"], instruction, body="Done (test).", progress="done")
    actions.review_report(people["secretariat"], report, accept=True)
    assert instruction.due_date is not None
    sent = actions.send_instruction_reminders("test", instruction.due_date + dt.timedelta(days=3))
    assert instruction.pk not in [pk for pk, _kind in sent]


@pytest.mark.clock
def test_weekly_summary_once_a_week_per_focal_point(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    basis = instruction.basis_date
    monday = basis + dt.timedelta(days=7 - basis.weekday())  # the first Monday after the decision
    assert monday > basis and monday.weekday() == 0
    actions.send_instruction_reminders("test", monday)
    actions.send_instruction_reminders("test", monday + dt.timedelta(days=3))
    assert WeeklySummary.objects.filter(account=people["uz"]).count() == 1
    actions.send_instruction_reminders("test", monday + dt.timedelta(days=7))
    assert WeeklySummary.objects.filter(account=people["uz"]).count() == 2
    summaries = Notification.objects.filter(account=people["uz"], verb="instruction.weekly")
    assert summaries.count() == 2 and summaries.first().url == "/instructions/?mine=1"  # type: ignore[union-attr]


@pytest.mark.clock
def test_reminder_command(people: dict[str, Any], adopted: Text) -> None:
    from io import StringIO

    from django.core.management import call_command

    instruction = _to_uz(people, _decision(people, adopted))
    assert instruction.due_date is not None
    out = StringIO()
    call_command("send_instruction_reminders", "--today", (instruction.due_date - dt.timedelta(days=5)).isoformat(),
                 stdout=out)  # fmt: skip
    assert f"instruction {instruction.pk}: 7" in out.getvalue()


# --- real facts: the IV meeting's proposals --------------------------------------------------------


def test_proposals_p3_and_p4_are_loaded_as_proposal_instructions() -> None:
    from django.contrib.auth.models import AnonymousUser

    p3 = Instruction.objects.get(proposal__code="P3")
    p4 = Instruction.objects.get(proposal__code="P4")
    assert p3.meeting.code == p4.meeting.code == "ca_heads_of_state-IV"  # type: ignore[union-attr]
    assert p3.basis_date == p4.basis_date == dt.date(2022, 7, 21)
    assert (p3.assignee_format.code, p4.assignee_format.code) == (  # type: ignore[union-attr]
        "ca_security_council_secretaries", "ca_foreign_ministers",
    )  # fmt: skip
    assert p4.recurrence_months == 6 and p4.meets and p3.recurrence_months is None
    assert p3.classification == p4.classification == "public" and not p3.is_demo
    assert [s.code for s in p3.proposal.sources.all()] == ["S13"]  # type: ignore[union-attr]
    assert [s.code for s in p4.proposal.sources.all()] == ["S14"]  # type: ignore[union-attr]
    assert not p3.imposes_cadence and not p4.imposes_cadence
    assert Format.objects.get(code="ca_foreign_ministers").cadence_months is None  # no rule imposed
    assert not Report.objects.filter(instruction__in=[p3, p4]).exists()  # no invented reports
    for instruction in (p3, p4):
        assert queries.standing_of(instruction, today=timezone.localdate()).status == Status.PROPOSED
        assert queries.instruction_for(AnonymousUser(), instruction.pk) == instruction
    assert not Instruction.objects.filter(proposal__code__in=["P1", "P2", "P5", "P6"]).exists()


def test_proposal_instructions_load_idempotently() -> None:
    from django.core.management import call_command

    from tests.conftest import DATA_DIR

    before = list(Instruction.objects.filter(proposal__isnull=False).values_list("pk", "title", "recurrence_months"))
    call_command("load_reference", str(DATA_DIR), verbosity=0)
    after = list(Instruction.objects.filter(proposal__isnull=False).values_list("pk", "title", "recurrence_months"))
    assert before == after and len(after) == 2


def test_a_proposal_takes_no_reports_and_cannot_be_cancelled(people: dict[str, Any]) -> None:
    p4 = Instruction.objects.get(proposal__code="P4")
    before = _snapshot()
    with pytest.raises(ActionError, match="not a recorded decision"):
        actions.file_report(people["uz"], p4, body="x", progress="done")
    with pytest.raises(ActionError, match="nothing to cancel"):
        actions.cancel_instruction(people["secretariat"], p4, reason="x")
    assert _snapshot() == before


# --- demo -------------------------------------------------------------------------------------------


def test_demo_decision_instruction_and_report_are_marked_demo() -> None:
    from kenes.people.demo import DEMO_TEXT

    decision = Decision.objects.get(text__code=DEMO_TEXT)
    assert decision.is_demo and decision.unit.uid == "OP1"
    instruction = Instruction.objects.get(decision=decision)
    assert instruction.is_demo and "DEMO" in instruction.title
    report = Report.objects.get(instruction=instruction)
    assert report.is_demo and report.body.startswith("DEMO") and report.review == "submitted"
    # every report on record is either demo or on a test instruction: none on real facts
    assert not Report.objects.filter(instruction__proposal__isnull=False).exists()


def test_timeline_runs_from_the_decision_to_the_last_report(people: dict[str, Any], adopted: Text) -> None:
    instruction = _to_uz(people, _decision(people, adopted))
    report = actions.file_report(people["uz"], instruction, body="x (test)", progress="done")
    actions.review_report(people["secretariat"], report, accept=True, comment="Thank you (test).")
    instruction = queries.instruction_for(people["secretariat"], instruction.pk)
    kinds = [e.kind for e in queries.timeline(instruction, queries.reports_for(people["secretariat"], instruction))]
    assert kinds == ["adopted", "decision", "created", "report", "review"]


@pytest.mark.clock
def test_reminders_run_as_a_scheduled_task(people: dict[str, Any], adopted: Text) -> None:
    from kenes.decisions.tasks import send_instruction_reminders_task
    from kenes.schedules import SCHEDULES

    assert "kenes.decisions.tasks.send_instruction_reminders_task" in {s.func for s in SCHEDULES}
    assert isinstance(send_instruction_reminders_task(), list)
