"""Instructions following a decision: assign to states (with focal points and due dates), cancel."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.access.levels import Classification
from kenes.access.policy import can, require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprint
from kenes.decisions.actions.common import (
    MAX_BODY_NAME,
    MAX_MINISTRY,
    MAX_REASON,
    MAX_TITLE,
    AssigneeSpec,
    as_reader,
    notify_account,
    publish_instruction_event,
)
from kenes.decisions.actions.decisions import basis_label, format_rules_with, instruction_level
from kenes.decisions.models import (
    Assignee,
    AssigneeKind,
    Decision,
    Instruction,
)
from kenes.decisions.permissions import is_focal_point_of
from kenes.errors import ActionError
from kenes.formats import long_date
from kenes.inputs import checked, refuse_forbidden
from kenes.meetings.models import Format
from kenes.meetings.permissions import require_secretariat
from kenes.texts.models import TextStatus


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
    level = instruction_level(text, classification)

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
            % {"due": long_date(due_date), "adopted": long_date(decision.adopted_on)},
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
            if not can(as_reader(spec.focal_point), "view", instruction):
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
            format_rules_with(actor, before, cadence_months=recurrence_months, rules_basis=basis)
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
        publish_instruction_event(instruction, "instruction.created")
    for spec in specs:
        assigned = gettext_lazy("Your state was given an instruction. Open Kenes to read it.")
        transaction.on_commit(partial(notify_account, spec.focal_point, instruction, "instruction.assigned", assigned))
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
                format_rules_with(actor, fmt, cadence_months=current.previous_cadence_months,
                                   rules_basis=current.previous_rules_basis)  # fmt: skip
                restored = True
        audit.record(actor, "instruction.cancelled", current, reason=fingerprint(reason), cadence_restored=restored)
        publish_instruction_event(current, "instruction.cancelled")
    for assignee in current.assignees.select_related("focal_point"):
        if assignee.focal_point is not None:
            message = gettext_lazy("An instruction to your state was cancelled. Open Kenes for the reason.")
            transaction.on_commit(
                partial(notify_account, assignee.focal_point, current, "instruction.cancelled", message)
            )
    return current
