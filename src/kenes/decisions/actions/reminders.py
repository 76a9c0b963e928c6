"""Reminders of instructions coming due or overdue, sent once per instruction and step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.audit import log as audit
from kenes.decisions.actions.common import as_reader, notify_account, secretariat_of
from kenes.decisions.models import (
    AssigneeKind,
    Instruction,
    InstructionReminder,
    Progress,
    Review,
    WeeklySummary,
)

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
            delivered = sum(1 for account in recipients if notify_account(account, instruction, "instruction.reminder",
                                                                  message, {"due": state.due}))  # fmt: skip
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
            reader = as_reader(account)
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
        return list(secretariat_of(instruction.format))
    reports = getattr(instruction, "all_reports", None) or list(instruction.reports.all())
    done = {r.state_id for r in reports if r.review == Review.ACCEPTED and r.progress == Progress.DONE}
    return [a.focal_point for a in instruction.assignees.all() if a.focal_point_id and a.state_id not in done]
