"""Decisions: an adopted text (or one of its units) marked as a decision of the meeting."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.levels import Classification, rank
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.decisions.models import (
    Decision,
)
from kenes.errors import ActionError
from kenes.live.publish import publish_on_commit
from kenes.meetings.actions import update_format_rules
from kenes.meetings.models import Format
from kenes.meetings.permissions import require_secretariat
from kenes.texts.models import Text, TextStatus, Unit, UnitKind


def adoption_day(text: Text) -> dt.date:
    assert text.adopted_at is not None
    return timezone.localtime(text.adopted_at).date()


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


def instruction_level(text: Text, classification: str | None) -> str:
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


def format_rules_with(actor: Any, fmt: Format, *, cadence_months: int | None, rules_basis: str) -> Format:
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
