"""The IV Consultative Meeting's proposals loaded as instructions, from the shared data."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from kenes.access.levels import Classification
from kenes.audit import log as audit
from kenes.decisions.actions.common import MAX_TITLE
from kenes.decisions.models import (
    AssigneeKind,
    Instruction,
)
from kenes.meetings.models import Format, Proposal, ProposalKind

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
