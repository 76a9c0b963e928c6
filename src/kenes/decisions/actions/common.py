"""What the decisions' actions share: length limits (issue 10), the live event, notifications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from kenes.access.policy import can
from kenes.decisions.models import (
    Instruction,
)
from kenes.formats import long_date
from kenes.live.publish import publish_on_commit
from kenes.meetings.models import Format
from kenes.states.models import State

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


def publish_instruction_event(instruction: Instruction, verb: str, **data: Any) -> None:
    publish_on_commit(f"format:{instruction.format_id}", {"verb": verb, "instruction": instruction.pk, **data})


def as_reader(account: Any) -> Any:
    """A fresh copy of ``account`` judged at its clearance, as after a strong sign-in (for checks
    and notifications about someone other than the actor)."""
    from kenes.people.models import Account

    fresh = Account.objects.select_related("state").get(pk=account.pk)
    fresh.kenes_token_auth = True  # type: ignore[attr-defined]
    return fresh


def notify_account(
    account: Any, instruction: Instruction, verb: str, message: Any, params: dict[str, Any] | None = None
) -> bool:
    """A notice with a link, never the content, in the recipient's language, only if they may read it."""
    from kenes.people.notify import notify

    if account is None or not account.is_active:
        return False
    reader = as_reader(account)
    if not can(reader, "view", instruction):
        return False
    with translation.override(reader.preferred_language or settings.LANGUAGE_CODE):
        # Dates in the recipient's long form, formatted here, inside their language.
        shown = {k: long_date(v) if isinstance(v, dt.date) else v for k, v in (params or {}).items()}
        text = str(message) % shown if params else str(message)
        notify(reader, verb, text, url=f"/instructions/{instruction.pk}/")
    return True


def secretariat_of(fmt: Format) -> Any:
    from kenes.people.models import Account, Affiliation, Role

    return Account.objects.filter(
        Q(roles__format=fmt) | Q(roles__format__isnull=True),
        affiliation=Affiliation.SECRETARIAT,
        roles__role=Role.SECRETARIAT,
        is_active=True,
    ).distinct()


def notify_secretariat(instruction: Instruction, message: Any) -> None:
    def send() -> None:
        for account in secretariat_of(instruction.format):
            notify_account(account, instruction, "report.filed", message)

    transaction.on_commit(send)
