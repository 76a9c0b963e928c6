"""Every change to decisions, instructions and reports: permission-checked, validated, one
transaction, audited, published on commit. A refusal raises before anything is written (or inside
the transaction, which then rolls back): nothing changes."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.access.actors import require_strong_auth
from kenes.access.levels import Classification, rank
from kenes.access.policy import can, require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprint
from kenes.decisions.models import (
    Assignee,
    AssigneeKind,
    Decision,
    Instruction,
    InstructionReminder,
    Progress,
    Report,
    Review,
    WeeklySummary,
)
from kenes.decisions.permissions import is_focal_point_of, may_report_for
from kenes.errors import ActionError
from kenes.inputs import checked, refuse_forbidden
from kenes.live.bus import publish_on_commit
from kenes.meetings.actions import update_format_rules
from kenes.meetings.models import Format, Proposal, ProposalKind
from kenes.meetings.permissions import require_secretariat
from kenes.states.models import State
from kenes.texts.models import Text, TextStatus, Unit, UnitKind

# Length limits, one per field, in characters (issue 10): enforced here, published in the API schema.
MAX_TITLE = 300
MAX_REPORT = 20_000
MAX_BODY_NAME = 200  # the named body an instruction is given to
MAX_MINISTRY = 200
MAX_REASON = 4_000  # why an instruction is cancelled
MAX_COMMENT = 4_000  # the secretariat's comment on a report
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = (".pdf", ".odt", ".ods", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class AssigneeSpec:
    """One assignee state of a new instruction: the ministry (optional) and its responsible focal point."""

    state: State
    focal_point: Any
    ministry: str = ""


def _event(instruction: Instruction, verb: str, **data: Any) -> None:
    publish_on_commit(f"format:{instruction.format_id}", {"verb": verb, "instruction": instruction.pk, **data})


def _as_reader(account: Any) -> Any:
    """A fresh copy of ``account`` judged at its clearance, as after a strong sign-in (for checks
    and notifications about someone other than the actor)."""
    from kenes.people.models import Account

    fresh = Account.objects.select_related("state").get(pk=account.pk)
    fresh.kenes_token_auth = True  # type: ignore[attr-defined]
    return fresh


def adoption_day(text: Text) -> dt.date:
    assert text.adopted_at is not None
    return timezone.localtime(text.adopted_at).date()


# --- Decisions ------------------------------------------------------------------------------------


def mark_decision(actor: Any, text: Text, unit: Unit, *, is_demo: bool = False) -> Decision:
    """The secretariat marks a unit of an adopted text as a decision (once per unit)."""
    require(actor, "view", text)
    require_secretariat(actor, text.format)
    if text.status != TextStatus.ADOPTED or text.adopted_at is None:
        raise ActionError(_("Only a paragraph of an adopted text becomes a decision; this text is not adopted."))
    if unit.text_id != text.pk:
        raise ActionError(_("The paragraph belongs to another text."), field="unit")
    if unit.removed:
        raise ActionError(_("This paragraph was removed from the text."), field="unit")
    if unit.kind != UnitKind.OPERATIVE:
        raise ActionError(_("A preambular paragraph gives no instructions: mark an operative paragraph."), field="unit")
    marked = _("This paragraph is already marked as a decision.")
    with transaction.atomic():
        if Decision.objects.filter(unit=unit).exists():
            raise ActionError(marked, field="unit")
        try:
            decision = Decision.objects.create(
                text=text, unit=unit, adopted_on=adoption_day(text), is_demo=is_demo,
                marked_by=actor if getattr(actor, "pk", None) else None,
            )  # fmt: skip
        except IntegrityError as exc:  # marked by a concurrent request since the check above
            raise ActionError(marked, field="unit") from exc
        audit.record(actor, "decision.marked", decision, text=text.code, unit=unit.uid)
        publish_on_commit(f"text:{text.pk}", {"verb": "decision.marked", "decision": decision.pk})
    return decision


# --- Instructions ---------------------------------------------------------------------------------


def _classification(text: Text, classification: str | None) -> str:
    """The text's classification, or a higher one the secretariat chose: never lower."""
    level = classification or text.classification
    if level not in Classification.values:
        raise ActionError(_("Unknown classification."), field="classification")
    if rank(level) < rank(text.classification):
        raise ActionError(
            _("An instruction is classified at least as high as the text it comes from (%(level)s).")
            % {"level": Classification(text.classification).label},
            field="classification",
        )
    if level == Classification.RESTRICTED and text.classification != Classification.RESTRICTED:
        raise ActionError(
            _("Material is made restricted in the security channel, with its distribution."), field="classification"
        )
    return level


def basis_label(decision: Decision, instruction_pk: int) -> str:
    """How a format's rules name the decision that imposed them (stored data, in English).

    Format pages are public, so a text that is not public is named by date and paragraph only.
    """
    text = decision.text
    if text.classification == Classification.PUBLIC:
        label = f"Decision of {decision.adopted_on.isoformat()}: {text.title}, {decision.unit.uid}"
    else:
        label = f"Decision of {decision.adopted_on.isoformat()}, paragraph {decision.unit.uid}"
    suffix = f" (instruction no. {instruction_pk})"
    return label[: 300 - len(suffix)] + suffix


def _format_rules_with(actor: Any, fmt: Format, *, cadence_months: int | None, rules_basis: str) -> Format:
    """Change only the cadence and its basis, keeping the format's other rules."""
    current = Format.objects.get(pk=fmt.pk)
    return update_format_rules(
        actor,
        current,
        expected_version=current.rules_version,
        cadence_months=cadence_months,
        chair_rule=current.chair_rule,
        rotation_order=current.rotation,
        decision_rule=current.decision_rule,
        invitable=current.invitable_standings,
        default_classification=current.default_classification,
        working_languages=current.languages,
        rules_basis=rules_basis,
    )


def create_instruction(
    actor: Any,
    decision: Decision,
    *,
    title: str,
    assignee_kind: str,
    assignee_format: Format | None = None,
    assignee_body: str = "",
    states: list[AssigneeSpec] | tuple[AssigneeSpec, ...] = (),
    due_date: dt.date | None = None,
    recurrence_months: int | None = None,
    meets: bool = False,
    classification: str | None = None,
    is_demo: bool = False,
) -> Instruction:
    """An instruction given by ``decision`` to a format, a named body or one or more states.

    A recurring instruction asking a format to meet sets that format's cadence rule (its basis
    names the decision); cancelling the instruction restores the rule it replaced.
    """
    text = decision.text
    require(actor, "view", text)
    require_secretariat(actor, text.format)
    if text.status != TextStatus.ADOPTED:
        raise ActionError(_("Only an adopted text gives instructions."))
    title = " ".join(refuse_forbidden(title or "", "title").split())
    if not title:
        raise ActionError(_("Say what the instruction asks."), field="title")
    if len(title) > MAX_TITLE:
        raise ActionError(_("The instruction is longer than %(max)d characters.") % {"max": MAX_TITLE}, field="title")
    level = _classification(text, classification)

    if assignee_kind not in AssigneeKind.values:
        raise ActionError(_("Choose who the instruction is given to."), field="assignee_kind")
    assignee_body = " ".join(refuse_forbidden(assignee_body or "", "assignee_body").split())
    specs = list(states)
    if assignee_kind == AssigneeKind.FORMAT:
        if assignee_format is None:
            raise ActionError(_("Choose the format the instruction is given to."), field="assignee_format")
        assignee_body, specs = "", []
    elif assignee_kind == AssigneeKind.BODY:
        if not assignee_body:
            raise ActionError(_("Name the body the instruction is given to."), field="assignee_body")
        if len(assignee_body) > MAX_BODY_NAME:
            message = _("The body's name is longer than %(max)d characters.") % {"max": MAX_BODY_NAME}
            raise ActionError(message, field="assignee_body")
        assignee_format, specs = None, []
    else:
        if not specs:
            raise ActionError(_("Choose at least one assignee state."), field="states")
        assignee_format, assignee_body = None, ""
        seen: set[int] = set()
        for spec in specs:
            if spec.state.pk in seen:
                raise ActionError(_("A state is named twice among the assignees."), field="states")
            seen.add(spec.state.pk)
            too_long = _("The ministry's name is longer than %(max)d characters.") % {"max": MAX_MINISTRY}
            checked(spec.ministry, field="states", max_length=MAX_MINISTRY, too_long=too_long)
            if not is_focal_point_of(spec.focal_point, spec.state, [text.format]):
                raise ActionError(
                    _("The responsible focal point for %(state)s must be an active account of %(state)s with the "
                      "focal point role.") % {"state": spec.state.name},
                    field="states",
                )  # fmt: skip

    if (due_date is None) == (recurrence_months is None):
        raise ActionError(_("Give either a due date or a recurrence (every N months or annually)."), field="due_date")
    if due_date is not None and due_date < decision.adopted_on:
        raise ActionError(
            _("The due date %(due)s is before the decision, adopted on %(adopted)s.")
            % {"due": due_date.isoformat(), "adopted": decision.adopted_on.isoformat()},
            field="due_date",
        )
    if recurrence_months is not None and not 1 <= recurrence_months <= 60:
        raise ActionError(_("The recurrence is every 1 to 60 months."), field="recurrence_months")
    if meets and (assignee_kind != AssigneeKind.FORMAT or recurrence_months is None):
        raise ActionError(
            _("Only a recurring instruction to a format asks it to meet on that recurrence."), field="meets"
        )
    if meets:
        assert assignee_format is not None
        require_secretariat(actor, assignee_format)

    with transaction.atomic():
        instruction = Instruction.objects.create(
            decision=decision,
            format=text.format,
            meeting=text.meeting,
            basis_date=decision.adopted_on,
            title=title,
            assignee_kind=assignee_kind,
            assignee_format=assignee_format,
            assignee_body=assignee_body,
            due_date=due_date,
            recurrence_months=recurrence_months,
            meets=meets,
            classification=level,
            is_demo=is_demo,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if level == Classification.RESTRICTED:
            instruction.distribution.set(text.distribution.all())
        for spec in specs:
            Assignee.objects.create(instruction=instruction, state=spec.state, ministry=spec.ministry.strip(),
                                    focal_point=spec.focal_point)  # fmt: skip
            if not can(_as_reader(spec.focal_point), "view", instruction):
                raise ActionError(
                    _("The focal point for %(state)s could not read this instruction at its classification.")
                    % {"state": spec.state.name},
                    field="states",
                )
        imposed = {}
        if meets:
            assert assignee_format is not None
            before = Format.objects.get(pk=assignee_format.pk)
            basis = basis_label(decision, instruction.pk)
            _format_rules_with(actor, before, cadence_months=recurrence_months, rules_basis=basis)
            instruction.imposes_cadence = True
            instruction.imposed_basis = basis
            instruction.previous_cadence_months = before.cadence_months
            instruction.previous_rules_basis = before.rules_basis
            instruction.save(update_fields=["imposes_cadence", "imposed_basis", "previous_cadence_months",
                                            "previous_rules_basis"])  # fmt: skip
            imposed = {"format": before.code, "cadence_months": recurrence_months, "rules_basis": basis}
        audit.record(
            actor, "instruction.created", instruction, decision=decision.pk, text=text.code, unit=decision.unit.uid,
            assignee_kind=assignee_kind, assignee_format=assignee_format.code if assignee_format else "",
            assignee_body=assignee_body, states=[s.state.iso2 for s in specs],
            due_date=due_date.isoformat() if due_date else "", recurrence_months=recurrence_months,
            classification=level, imposed=imposed,
        )  # fmt: skip
        _event(instruction, "instruction.created")
    for spec in specs:
        assigned = gettext_lazy("Your state was given an instruction. Open Kenes to read it.")
        transaction.on_commit(partial(_notify, spec.focal_point, instruction, "instruction.assigned", assigned))
    return instruction


def cancel_instruction(actor: Any, instruction: Instruction, *, reason: str) -> Instruction:
    """The secretariat cancels an instruction; a cadence rule it imposed is put back as it was."""
    require(actor, "view", instruction)
    require_secretariat(actor, instruction.format)
    if instruction.is_proposal:
        raise ActionError(_("A proposal is not followed up in Kenes: there is nothing to cancel."))
    reason = checked(reason, field="reason", max_length=MAX_REASON,
                     too_long=_("The reason is longer than %(max)d characters.") % {"max": MAX_REASON})  # fmt: skip
    if not reason:
        raise ActionError(_("Say why the instruction is cancelled."), field="reason")
    with transaction.atomic():
        current = Instruction.objects.select_for_update().get(pk=instruction.pk)
        if current.cancelled_at is not None:
            raise ActionError(_("This instruction is already cancelled."))
        current.cancelled_at = timezone.now()
        current.cancelled_by = actor if getattr(actor, "pk", None) else None
        current.cancel_reason = reason
        current.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
        restored = False
        if current.imposes_cadence and current.assignee_format_id:
            fmt = Format.objects.get(pk=current.assignee_format_id)
            # Only while the format's rule is still the one this instruction set.
            if fmt.rules_basis == current.imposed_basis and fmt.cadence_months == current.recurrence_months:
                _format_rules_with(actor, fmt, cadence_months=current.previous_cadence_months,
                                   rules_basis=current.previous_rules_basis)  # fmt: skip
                restored = True
        audit.record(actor, "instruction.cancelled", current, reason=fingerprint(reason), cadence_restored=restored)
        _event(current, "instruction.cancelled")
    for assignee in current.assignees.select_related("focal_point"):
        if assignee.focal_point is not None:
            message = gettext_lazy("An instruction to your state was cancelled. Open Kenes for the reason.")
            transaction.on_commit(partial(_notify, assignee.focal_point, current, "instruction.cancelled", message))
    return current


# --- Reports --------------------------------------------------------------------------------------


def _check_attachment(attachment: UploadedFile | None) -> None:
    if attachment is None:
        return
    name = attachment.name or ""
    if PurePath(name).suffix.lower() not in ATTACHMENT_TYPES:
        raise ActionError(
            _("Attach a document or an image (%(types)s).") % {"types": ", ".join(ATTACHMENT_TYPES)},
            field="attachment",
        )
    if (attachment.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ActionError(_("The attachment is larger than 10 MB."), field="attachment")
    if not attachment.size:
        raise ActionError(_("The attachment is empty."), field="attachment")


def file_report(
    actor: Any,
    instruction: Instruction,
    *,
    body: str,
    progress: str,
    attachment: UploadedFile | None = None,
    is_demo: bool = False,
) -> Report:
    """A focal point of an assignee state reports progress; the secretariat then reviews it."""

    require(actor, "view", instruction)
    state = getattr(actor, "state", None)
    if not getattr(actor, "is_authenticated", False) or state is None:
        raise PermissionDenied(_("Only the focal point of an assignee state files reports."))
    require_strong_auth(actor)
    formats = [instruction.format] + ([instruction.assignee_format] if instruction.assignee_format else [])
    if not is_focal_point_of(actor, state, formats):
        raise PermissionDenied(_("Only the focal point of an assignee state files reports."))
    if instruction.is_proposal:
        raise ActionError(_("This is a proposal, not a recorded decision: Kenes takes no reports on it."))
    if instruction.cancelled_at is not None:
        raise ActionError(_("This instruction is cancelled: it takes no more reports."))
    if not may_report_for(instruction, state):
        raise ActionError(
            _("%(state)s is not an assignee of this instruction: only its assignee states report on it.")
            % {"state": state.name},
            field="state",
        )
    body = checked(body, field="body", max_length=MAX_REPORT,
                   too_long=_("The report is longer than %(max)d characters.") % {"max": MAX_REPORT})  # fmt: skip
    if not body:
        raise ActionError(_("Write what was done."), field="body")
    if progress not in Progress.values:
        raise ActionError(_("Choose in progress or done."), field="progress")
    _check_attachment(attachment)
    level = instruction.classification
    if rank(level) < rank(Classification.MEMBERS):
        level = Classification.MEMBERS
    with transaction.atomic():
        current = Instruction.objects.select_for_update().get(pk=instruction.pk)
        if current.cancelled_at is not None:
            raise ActionError(_("This instruction is cancelled: it takes no more reports."))
        report = Report(
            instruction=current, state=state, author=actor, body=body, progress=progress, classification=level,
            is_demo=is_demo,
        )  # fmt: skip
        if attachment is not None:
            report.attachment.save(attachment.name or "attachment", attachment, save=False)
        try:
            report.save()
        except Exception:
            if report.attachment:
                report.attachment.delete(save=False)
            raise
        if level == Classification.RESTRICTED:
            report.distribution.set(current.distribution.all())
        audit.record(actor, "report.filed", report, instruction=current.pk, state=state.iso2, progress=progress,
                     attachment=report.attachment_name)  # fmt: skip
        _event(current, "report.filed", report=report.pk)
    _notify_secretariat(
        current, gettext_lazy("A progress report was filed on an instruction. Open Kenes to review it.")
    )
    return report


def review_report(actor: Any, report: Report, *, accept: bool, comment: str = "") -> Report:
    """The secretariat accepts a report or returns it with a comment (returning needs one)."""
    require(actor, "view", report)
    instruction = report.instruction
    require_secretariat(actor, instruction.format)
    comment = checked(comment, field="comment", max_length=MAX_COMMENT,
                      too_long=_("The comment is longer than %(max)d characters.") % {"max": MAX_COMMENT})  # fmt: skip
    if not accept and not comment:
        raise ActionError(_("Say why the report is returned."), field="comment")
    with transaction.atomic():
        current = Report.objects.select_for_update().select_related("instruction").get(pk=report.pk)
        if current.instruction.cancelled_at is not None:
            raise ActionError(_("This instruction is cancelled: its reports are no longer reviewed."))
        if current.review != Review.SUBMITTED:
            raise ActionError(_("This report was already reviewed."))
        current.review = Review.ACCEPTED if accept else Review.RETURNED
        current.review_comment = comment
        current.reviewed_by = actor if getattr(actor, "pk", None) else None
        current.reviewed_at = timezone.now()
        current.save(update_fields=["review", "review_comment", "reviewed_by", "reviewed_at"])
        audit.record(actor, "report.accepted" if accept else "report.returned", current,
                     instruction=current.instruction_id, comment=fingerprint(comment))  # fmt: skip
        _event(current.instruction, "report.reviewed", report=current.pk)
    if current.author_id:
        author = current.author
        message = (
            gettext_lazy("Your report on an instruction was accepted.") if accept
            else gettext_lazy("Your report on an instruction was returned with a comment. Open Kenes to read it.")
        )  # fmt: skip
        transaction.on_commit(lambda: _notify(author, current.instruction, "report.reviewed", message))
    return current


# --- Notifications --------------------------------------------------------------------------------


def _notify(
    account: Any, instruction: Instruction, verb: str, message: Any, params: dict[str, Any] | None = None
) -> bool:
    """A notice with a link, never the content, in the recipient's language, only if they may read it."""
    from kenes.people.notify import notify

    if account is None or not account.is_active:
        return False
    reader = _as_reader(account)
    if not can(reader, "view", instruction):
        return False
    with translation.override(reader.preferred_language or settings.LANGUAGE_CODE):
        text = str(message) % params if params else str(message)
        notify(reader, verb, text, url=f"/instructions/{instruction.pk}/")
    return True


def _secretariat_of(fmt: Format) -> Any:
    from kenes.people.models import Account, Affiliation, Role

    return Account.objects.filter(
        Q(roles__format=fmt) | Q(roles__format__isnull=True),
        affiliation=Affiliation.SECRETARIAT,
        roles__role=Role.SECRETARIAT,
        is_active=True,
    ).distinct()


def _notify_secretariat(instruction: Instruction, message: Any) -> None:
    def send() -> None:
        for account in _secretariat_of(instruction.format):
            _notify(account, instruction, "report.filed", message)

    transaction.on_commit(send)


DUE_MESSAGE = gettext_lazy("An instruction your state is responsible for is due on %(due)s.")
OVERDUE_MESSAGE = gettext_lazy("An instruction your state is responsible for was due on %(due)s and is overdue.")


def send_instruction_reminders(actor: Any, today: dt.date | None = None) -> list[tuple[int, str]]:
    """Remind the responsible focal points 30 and 7 days before an instruction is due and when it
    is overdue, once per (instruction, due date, kind); and send each focal point who follows open
    instructions one summary a week. Run daily (``./dev manage send_instruction_reminders``).

    Instructions to a format to meet are left to the cadence reminders (``send_reminders``); for a
    format or a body the format's secretariat is reminded, as no focal point is named.
    """
    from kenes.decisions.queries import base, standings
    from kenes.decisions.rules import Status

    today = today or timezone.localdate()
    sent: list[tuple[int, str]] = []
    rows = standings(base().filter(cancelled_at__isnull=True, decision__isnull=False), today=today)
    for instruction, state in rows:
        kind = state.reminder_due
        if kind is None or state.due is None or instruction.tied_to_cadence:
            continue
        with transaction.atomic():
            _reminder, created = InstructionReminder.objects.get_or_create(
                instruction=instruction, due_date=state.due, kind=kind
            )
            if not created:
                continue
            due = state.due.isoformat()
            message = OVERDUE_MESSAGE if kind == "overdue" else DUE_MESSAGE
            recipients = _reminder_recipients(instruction, today)
            delivered = sum(1 for account in recipients if _notify(account, instruction, "instruction.reminder",
                                                                  message, {"due": due}))  # fmt: skip
            audit.record(actor, "instruction.reminder_sent", instruction, kind=kind, due=due, recipients=delivered)
        sent.append((instruction.pk, kind))

    week = "{}-W{:02d}".format(*today.isocalendar()[:2])
    open_by_account: dict[int, list[Status]] = {}
    accounts: dict[int, Any] = {}
    for instruction, state in rows:
        if state.status in (Status.DONE, Status.CANCELLED, Status.PROPOSED):
            continue
        for assignee in instruction.assignees.all():
            if assignee.focal_point_id:
                open_by_account.setdefault(assignee.focal_point_id, []).append(state.status)
                accounts[assignee.focal_point_id] = assignee.focal_point
    for account_id, statuses in open_by_account.items():
        with transaction.atomic():
            _summary, created = WeeklySummary.objects.get_or_create(account_id=account_id, week=week)
            if not created:
                continue
            account = accounts[account_id]
            if not account.is_active:
                continue
            counts = {"open": len(statuses), "overdue": sum(1 for s in statuses if s == Status.OVERDUE)}
            reader = _as_reader(account)
            from kenes.people.notify import notify

            with translation.override(reader.preferred_language or settings.LANGUAGE_CODE):
                notify(reader, "instruction.weekly", _("Your weekly follow-up: open instructions: %(open)d; "
                                                      "overdue: %(overdue)d. Open Kenes for the list.") % counts,
                       url="/instructions/?mine=1")  # fmt: skip
            audit.record(actor, "instruction.weekly_summary_sent", account, week=week, **counts)
        sent.append((0, f"weekly:{account_id}"))
    return sent


def _reminder_recipients(instruction: Instruction, today: dt.date) -> list[Any]:
    """The focal points of assignee states whose part is not done; for a format or a body, the secretariat."""
    if instruction.assignee_kind != AssigneeKind.STATES:
        return list(_secretariat_of(instruction.format))
    reports = getattr(instruction, "all_reports", None) or list(instruction.reports.all())
    done = {r.state_id for r in reports if r.review == Review.ACCEPTED and r.progress == Progress.DONE}
    return [a.focal_point for a in instruction.assignees.all() if a.focal_point_id and a.state_id not in done]


# --- Real facts: the IV meeting's proposals -----------------------------------------------------

_FORMAT_NOTE = re.compile(r"Format: formats\.csv (?P<code>[a-z0-9_]+)")
_EVERY = re.compile(r"once every (?P<n>\w+) months?", re.IGNORECASE)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip


def _months(text: str) -> int | None:
    match = _EVERY.search(text)
    if not match:
        return None
    n = match["n"].lower()
    return int(n) if n.isdigit() else _NUMBERS.get(n)


def load_proposal_instructions(actor: Any) -> int:
    """The instructions the reference data records only as proposals (the IV meeting's P3 and P4):
    each proposal whose note names the format it concerns becomes a public instruction to that
    format, based on the proposal and its sources. It imposes no cadence rule and takes no reports.
    Idempotent: run by ``load_reference`` on every load."""
    count = 0
    proposals = Proposal.objects.select_related("meeting__format").filter(
        meeting__isnull=False, kind__in=[ProposalKind.MEETING_CADENCE, ProposalKind.NEW_FORMAT]
    )
    for proposal in proposals:
        match = _FORMAT_NOTE.search(proposal.note)
        fmt = Format.objects.filter(code=match["code"]).first() if match else None
        meeting = proposal.meeting
        assert meeting is not None
        day = meeting.start_date
        if fmt is None or day is None:
            continue
        months = _months(proposal.text_en)
        values = {
            "format": meeting.format,
            "meeting": meeting,
            "basis_date": day,
            "title": proposal.text_en[:MAX_TITLE],
            "assignee_kind": AssigneeKind.FORMAT,
            "assignee_format": fmt,
            "assignee_body": "",
            "due_date": None,
            "recurrence_months": months,
            "meets": proposal.kind == ProposalKind.MEETING_CADENCE,
            "imposes_cadence": False,
            "classification": Classification.PUBLIC,
            "is_demo": False,
        }
        with transaction.atomic():
            existing = Instruction.objects.filter(proposal=proposal).first()
            if existing is None:
                instruction = Instruction.objects.create(proposal=proposal, **values)
                audit.record(actor, "instruction.loaded_from_proposal", instruction, proposal=proposal.code,
                             format=fmt.code, recurrence_months=months)  # fmt: skip
            else:
                changed = {k: v for k, v in values.items() if getattr(existing, k) != v}
                if changed:
                    for key, value in changed.items():
                        setattr(existing, key, value)
                    existing.save()
                    audit.record(actor, "instruction.loaded_from_proposal", existing, proposal=proposal.code,
                                 changed=sorted(changed))  # fmt: skip
        count += 1
    return count
