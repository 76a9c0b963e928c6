"""API: decisions, instructions and reports, read through the access policy.

Reads go through ``decisions.queries`` (an object the caller may not see is a 404); writes call
``decisions.actions``. Every protected object carries its ``classification``. Reports are filed as
JSON here; attachments are uploaded through the instruction's page.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kenes.access.levels import Classification
from kenes.access.policy import get_visible_or_404
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Id, Key, SourceOut, Str, StrictSchema, csv_cell, errors
from kenes.decisions import actions, queries
from kenes.decisions.models import AssigneeKind, Decision, Instruction, Progress, Report
from kenes.decisions.rules import Standing
from kenes.decisions.rules import Status as InstructionStatus
from kenes.errors import ActionError
from kenes.meetings.models import Format
from kenes.people.models import Account
from kenes.states.models import State

router = Router(tags=["decisions"])


# --- Schemas ----------------------------------------------------------------------------------------


class DecisionOut(Schema):
    id: int
    text: str
    text_title: str
    unit: str
    content: str
    adopted_on: dt.date
    format: str
    meeting: str | None
    classification: str
    is_demo: bool


class AssigneeOut(Schema):
    state: str
    ministry: str
    focal_point: str | None


class ProposalOut(Schema):
    code: str
    meeting: str | None
    text_en: str
    text_ru: str
    sources: list[SourceOut]
    note: str


class InstructionOut(Schema):
    id: int
    title: str
    basis: str
    basis_note: str
    decision: int | None
    proposal: str | None
    format: str
    meeting: str | None
    basis_date: dt.date
    assignee_kind: str
    assignee_format: str | None
    assignee_body: str
    assignees: list[AssigneeOut]
    due_date: dt.date | None
    recurrence_months: int | None
    meets: bool
    imposes_cadence: bool
    status: str
    next_due: dt.date | None
    completed_on: dt.date | None
    cancelled_at: dt.datetime | None
    classification: str
    is_demo: bool


class InstructionReportOut(Schema):
    id: int
    instruction: int
    state: str
    author: str | None
    body: str
    progress: str
    review: str
    review_comment: str
    attachment: str
    created_at: dt.datetime
    reviewed_at: dt.datetime | None
    classification: str
    is_demo: bool


class EventOut(Schema):
    when: str
    what: str
    detail: str
    kind: str


class InstructionDetailOut(InstructionOut):
    decision_detail: DecisionOut | None
    proposal_detail: ProposalOut | None
    reports: list[InstructionReportOut]
    timeline: list[EventOut]


def _decision_out(decision: Decision) -> DecisionOut:
    text = decision.text
    language = (get_language() or "en").split("-")[0]
    unit = decision.unit
    return DecisionOut(
        id=decision.pk,
        text=text.code,
        text_title=text.title,
        unit=unit.uid,
        content=queries.unit_content(unit, language, text.working_language),
        adopted_on=decision.adopted_on,
        format=text.format.code,
        meeting=text.meeting.code if text.meeting else None,
        classification=text.classification,
        is_demo=decision.is_demo,
    )


def basis_note(instruction: Instruction) -> str:
    if instruction.is_proposal:
        meeting = instruction.meeting
        return _("Proposed at the %(meeting)s meeting — adoption as a decision is not recorded in the sources.") % {
            "meeting": meeting.ordinal if meeting and meeting.ordinal else ""
        }
    return ""


def _instruction_fields(instruction: Instruction, state: Standing) -> dict[str, Any]:
    return {
        "id": instruction.pk,
        "title": instruction.title,
        "basis": instruction.basis,
        "basis_note": basis_note(instruction),
        "decision": instruction.decision_id,
        "proposal": instruction.proposal.code if instruction.proposal else None,
        "format": instruction.format.code,
        "meeting": instruction.meeting.code if instruction.meeting else None,
        "basis_date": instruction.basis_date,
        "assignee_kind": instruction.assignee_kind,
        "assignee_format": instruction.assignee_format.code if instruction.assignee_format else None,
        "assignee_body": instruction.assignee_body,
        "assignees": [
            AssigneeOut(
                state=a.state.iso2, ministry=a.ministry, focal_point=a.focal_point.email if a.focal_point else None
            )
            for a in instruction.assignees.all()
        ],
        "due_date": instruction.due_date,
        "recurrence_months": instruction.recurrence_months,
        "meets": instruction.meets,
        "imposes_cadence": instruction.imposes_cadence,
        "status": str(state.status),
        "next_due": state.due,
        "completed_on": state.completed_on,
        "cancelled_at": instruction.cancelled_at,
        "classification": instruction.classification,
        "is_demo": instruction.is_demo,
    }


def _report_out(report: Report) -> InstructionReportOut:
    return InstructionReportOut(
        id=report.pk,
        instruction=report.instruction_id,
        state=report.state.iso2,
        author=report.author.email if report.author else None,
        body=report.body,
        progress=report.progress,
        review=report.review,
        review_comment=report.review_comment,
        attachment=report.attachment_name,
        created_at=report.created_at,
        reviewed_at=report.reviewed_at,
        classification=report.classification,
        is_demo=report.is_demo,
    )


def _detail(account: Any, pk: int) -> InstructionDetailOut:
    instruction = queries.instruction_for(account, pk)
    state = queries.standing_of(instruction, today=timezone.localdate(), account=account)
    reports = queries.reports_for(account, instruction)
    proposal = instruction.proposal
    return InstructionDetailOut(
        **_instruction_fields(instruction, state),
        decision_detail=_decision_out(queries.decision_for(account, instruction.decision_id))
        if instruction.decision_id
        else None,
        proposal_detail=ProposalOut(
            code=proposal.code,
            meeting=instruction.meeting.code if instruction.meeting else None,
            text_en=proposal.text_en,
            text_ru=proposal.text_ru,
            sources=[SourceOut.model_validate(s, from_attributes=True) for s in proposal.sources.all()],
            note=proposal.note,
        )
        if proposal
        else None,
        reports=[_report_out(r) for r in reports],
        timeline=[
            EventOut(when=e.when.isoformat(), what=str(e.what), detail=str(e.detail), kind=e.kind)
            for e in queries.timeline(instruction, reports)
        ],
    )


# --- Decisions --------------------------------------------------------------------------------------


@router.get("/decisions", response={200: list[DecisionOut], **errors()})
def list_decisions(request: HttpRequest) -> list[DecisionOut]:
    qs = queries.decisions_for(account_of(request)).prefetch_related("unit__versions")
    return [_decision_out(d) for d in qs]


@router.get("/decisions/{decision_id}", response={200: DecisionOut, **errors(404, 422)})
def get_decision(request: HttpRequest, decision_id: Id) -> DecisionOut:
    return _decision_out(queries.decision_for(account_of(request), decision_id))


class DecisionIn(StrictSchema):
    text: Key
    unit: Key


# A write with a body: refused by a rule, not allowed, no such object, too large, not this schema.
_WRITE = errors(400, 403, 404, 413, 422)


@router.post("/decisions", response={201: DecisionOut, **_WRITE}, auth=RequiredAuth())
def mark_decision(request: HttpRequest, payload: DecisionIn) -> Status[DecisionOut]:
    """Mark a unit (paragraph) of an adopted text as a decision (the format's secretariat)."""
    from kenes.texts.queries import text_for, unit_named

    account = account_of(request)
    text = text_for(account, payload.text)
    unit = unit_named(text, payload.unit, field="unit")
    decision = actions.mark_decision(account, text, unit)
    return Status(201, _decision_out(queries.decision_for(account, decision.pk)))


# --- Instructions -----------------------------------------------------------------------------------


@router.get("/instructions", response={200: list[InstructionOut], **errors(422)})
def list_instructions(
    request: HttpRequest, meeting: Key = "", assignee: Key = "", status: InstructionStatus | None = None
) -> list[InstructionOut]:
    """The instructions the caller may read. ``assignee`` is ``format:<code>``, ``state:<ISO2>`` or
    ``body:<name>``."""
    filters = queries.Filters(meeting=meeting, assignee=assignee, status=str(status) if status else "")
    return [InstructionOut(**_instruction_fields(i, s)) for i, s in queries.filtered(account_of(request), filters)]


CSV_HEADER = [
    "id", "title", "basis", "decision_text", "decision_unit", "proposal", "sources", "meeting", "format",
    "basis_date", "assignee_kind", "assignee", "due_date", "recurrence_months", "status", "next_due",
    "completed_on", "classification", "is_demo",
]  # fmt: skip


def csv_rows(rows: list[tuple[Instruction, Standing]]) -> str:
    """The instructions as CSV (UTF-8 with a BOM for spreadsheets); cells never start a formula."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for i, s in rows:
        writer.writerow([csv_cell(v) for v in (
            i.pk, i.title, i.basis, i.decision.text.code if i.decision else "",
            i.decision.unit.uid if i.decision else "",
            i.proposal.code if i.proposal else "",
            ";".join(src.code for src in i.proposal.sources.all()) if i.proposal else "",
            i.meeting.code if i.meeting else "", i.format.code, i.basis_date.isoformat(), i.assignee_kind,
            queries.assignee_label(i), i.due_date.isoformat() if i.due_date else "", i.recurrence_months or "",
            str(s.status), s.due.isoformat() if s.due else "", s.completed_on.isoformat() if s.completed_on else "",
            i.classification, "yes" if i.is_demo else "no",
        )])  # fmt: skip
    return out.getvalue()


@router.get(
    "/instructions.csv",
    response=errors(422),
    openapi_extra={"responses": {200: {"description": "CSV of the instructions the caller may read",
                                       "content": {"text/csv": {"schema": {"type": "string"}}}}}},
)  # fmt: skip
def export_instructions(
    request: HttpRequest, meeting: Key = "", assignee: Key = "", status: InstructionStatus | None = None
) -> HttpResponse:
    """The same rows as ``GET /instructions`` (same access rules and filters), as CSV."""
    filters = queries.Filters(meeting=meeting, assignee=assignee, status=str(status) if status else "")
    response = HttpResponse(csv_rows(queries.filtered(account_of(request), filters)),
                            content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = 'attachment; filename="instructions.csv"'
    return response


@router.get("/instructions/{instruction_id}", response={200: InstructionDetailOut, **errors(404, 422)})
def get_instruction(request: HttpRequest, instruction_id: Id) -> InstructionDetailOut:
    return _detail(account_of(request), instruction_id)


class AssigneeIn(StrictSchema):
    state: Key
    focal_point: Str = Field(max_length=254, description="The e-mail address of the state's responsible focal point.")
    ministry: Str = Field("", max_length=actions.MAX_MINISTRY)


class InstructionIn(StrictSchema):
    decision: Id
    title: Str = Field(min_length=1, max_length=actions.MAX_TITLE)
    assignee_kind: AssigneeKind
    assignee_format: Key | None = None
    assignee_body: Str = Field("", max_length=actions.MAX_BODY_NAME)
    states: list[AssigneeIn] = Field([], max_length=50)
    due_date: dt.date | None = None
    recurrence_months: int | None = Field(None, ge=1, le=60)
    annually: bool = False
    meets: bool = False
    classification: Classification | None = None


def _assignees(payload: InstructionIn) -> list[actions.AssigneeSpec]:
    specs = []
    for item in payload.states:
        state = State.objects.filter(iso2=item.state.strip().upper()).first()
        if state is None:
            raise ActionError(_("Unknown state code %(code)s.") % {"code": item.state}, field="states")
        focal = Account.objects.filter(email=item.focal_point.strip().lower()).first()
        if focal is None:
            raise ActionError(
                _("The responsible focal point for %(state)s must be an active account of %(state)s with the "
                  "focal point role.") % {"state": state.name},
                field="states",
            )  # fmt: skip
        specs.append(actions.AssigneeSpec(state=state, focal_point=focal, ministry=item.ministry))
    return specs


@router.post("/instructions", response={201: InstructionDetailOut, **_WRITE}, auth=RequiredAuth())
def create_instruction(request: HttpRequest, payload: InstructionIn) -> Status[InstructionDetailOut]:
    """Give an instruction from a decision: to a format, a named body or states (each with its
    responsible focal point, by e-mail), with a due date or a recurrence (``recurrence_months`` or
    ``annually``). ``meets`` asks a format to meet on the recurrence and sets its cadence rule."""
    account = account_of(request)
    decision = queries.decision_for(account, payload.decision)
    fmt = None
    if payload.assignee_format:
        fmt = Format.objects.filter(code=payload.assignee_format).first()
        if fmt is None:
            raise ActionError(_("Unknown format."), field="assignee_format")
    months = payload.recurrence_months
    if payload.annually:
        if months not in (None, 12):
            raise ActionError(_("Give either every N months or annually."), field="recurrence_months")
        months = 12
    instruction = actions.create_instruction(
        account,
        decision,
        title=payload.title,
        assignee_kind=str(payload.assignee_kind),
        assignee_format=fmt,
        assignee_body=payload.assignee_body,
        states=_assignees(payload),
        due_date=payload.due_date,
        recurrence_months=months,
        meets=payload.meets,
        classification=str(payload.classification) if payload.classification else None,
    )
    return Status(201, _detail(account, instruction.pk))


class CancelIn(StrictSchema):
    reason: Str = Field(min_length=1, max_length=actions.MAX_REASON)


@router.post(
    "/instructions/{instruction_id}/cancel", response={200: InstructionDetailOut, **_WRITE}, auth=RequiredAuth()
)  # fmt: skip
def cancel_instruction(request: HttpRequest, instruction_id: Id, payload: CancelIn) -> InstructionDetailOut:
    account = account_of(request)
    actions.cancel_instruction(account, queries.instruction_for(account, instruction_id), reason=payload.reason)
    return _detail(account, instruction_id)


# --- Reports ----------------------------------------------------------------------------------------


class InstructionReportIn(StrictSchema):
    body: Str = Field(min_length=1, max_length=actions.MAX_REPORT)
    progress: Progress


@router.post(
    "/instructions/{instruction_id}/reports", response={201: InstructionReportOut, **_WRITE}, auth=RequiredAuth()
)  # fmt: skip
def file_report(request: HttpRequest, instruction_id: Id, payload: InstructionReportIn) -> Status[InstructionReportOut]:
    """An assignee state's focal point reports progress (attachments: through the page)."""
    account = account_of(request)
    instruction = queries.instruction_for(account, instruction_id)
    report = actions.file_report(account, instruction, body=payload.body, progress=str(payload.progress))
    return Status(201, _report_out(_report(account, report.pk)))


def _report(account: Any, pk: int) -> Report:
    qs = Report.objects.select_related("instruction__format", "state", "author")
    return get_visible_or_404(account, qs, pk=pk)  # type: ignore[no-any-return]


class ReviewIn(StrictSchema):
    comment: Str = Field("", max_length=actions.MAX_COMMENT)


class ReturnIn(StrictSchema):
    comment: Str = Field(min_length=1, max_length=actions.MAX_COMMENT, description="Why the report is returned.")


@router.post("/reports/{report_id}/accept", response={200: InstructionReportOut, **_WRITE}, auth=RequiredAuth())
def accept_report(request: HttpRequest, report_id: Id, payload: ReviewIn) -> InstructionReportOut:
    account = account_of(request)
    actions.review_report(account, _report(account, report_id), accept=True, comment=payload.comment)
    return _report_out(_report(account, report_id))


@router.post("/reports/{report_id}/return", response={200: InstructionReportOut, **_WRITE}, auth=RequiredAuth())
def return_report(request: HttpRequest, report_id: Id, payload: ReturnIn) -> InstructionReportOut:
    account = account_of(request)
    actions.review_report(account, _report(account, report_id), accept=False, comment=payload.comment)
    return _report_out(_report(account, report_id))
