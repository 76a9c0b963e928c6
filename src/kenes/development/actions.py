"""The one change of the dashboard: the secretariat records a target (permission-checked, validated,
one transaction, audited). Progress is computed from the data (``progress.py``), never stored."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from kenes.audit import log as audit
from kenes.development.entities import C5, ENTITIES, REGION
from kenes.development.models import Direction, Indicator, Target
from kenes.development.permissions import require_record_targets
from kenes.errors import ActionError

MAX_NOTE = 300
YEARS = range(1960, 2101)


def _year(text: Any, field: str) -> int:
    value = str(text or "").strip()
    if not value.isdigit() or int(value) not in YEARS:
        raise ActionError(_("A year is a number between 1960 and 2100."), field=field)
    return int(value)


def target_form(data: QueryDict | dict[str, Any]) -> dict[str, Any]:
    """Parse a target's fields from a form or a JSON body (both surfaces call this)."""
    getlist = data.getlist if isinstance(data, QueryDict) else lambda key: data.get(key) or []
    entities = list(getlist("entities"))
    value_text = str(data.get("value", "") or "").strip().replace(",", ".")
    try:
        value = float(value_text)
    except ValueError:
        raise ActionError(_("The target value must be a number."), field="value") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ActionError(_("The target value must be a number."), field="value")
    decision = str(data.get("decision", "") or "").strip()
    instruction = str(data.get("instruction", "") or "").strip()
    for field, text in (("decision", decision), ("instruction", instruction)):
        if text and not text.isdigit():
            raise ActionError(_("Choose the decision or instruction from the list."), field=field)
    return {
        "entities": entities,
        "base_year": _year(data.get("base_year"), "base_year"),
        "year": _year(data.get("year"), "year"),
        "value": value,
        "direction": str(data.get("direction", "") or ""),
        "decision_id": int(decision) if decision else None,
        "instruction_id": int(instruction) if instruction else None,
        "note": str(data.get("note", "") or ""),
    }


def record_target(actor: Any, indicator: Indicator, data: QueryDict | dict[str, Any]) -> Target:
    """Record a target from a form or a JSON body: who may, then the input, then the write."""
    require_record_targets(actor)
    return _record(actor, indicator, **target_form(data))


def _record(
    actor: Any,
    indicator: Indicator,
    *,
    entities: list[str],
    base_year: int,
    year: int,
    value: float,
    direction: str,
    decision_id: int | None,
    instruction_id: int | None,
    note: str = "",
) -> Target:
    from kenes.decisions.queries import decision_for, instruction_for

    if entities == [REGION] or set(entities) == set(C5):
        entities = [REGION]
    elif not entities or any(e not in ENTITIES[:5] for e in entities):
        raise ActionError(_("Choose the states the target is for, or the region."), field="entities")
    else:
        entities = [e for e in C5 if e in entities]
    if year <= base_year:
        raise ActionError(_("The target year must come after the base year."), field="year")
    if direction not in Direction.values:
        raise ActionError(_("Choose whether the value should rise or fall."), field="direction")
    if len(note) > MAX_NOTE:
        raise ActionError(_("The note is longer than %(n)d characters.") % {"n": MAX_NOTE}, field="note")
    if (decision_id is None) == (instruction_id is None):
        raise ActionError(_("Link the target to one decision or one instruction."), field="decision")
    try:
        decision = decision_for(actor, decision_id) if decision_id is not None else None
        instruction = instruction_for(actor, instruction_id) if instruction_id is not None else None
    except Http404:
        raise ActionError(_("There is no such decision or instruction."), field="decision") from None
    with transaction.atomic():
        target = Target.objects.create(
            indicator=indicator,
            entities=entities,
            base_year=base_year,
            year=year,
            value=value,
            direction=direction,
            decision=decision,
            instruction=instruction,
            note=note,
            created_by=actor if getattr(actor, "pk", None) else None,
            is_demo=bool(getattr(decision, "is_demo", False) or getattr(instruction, "is_demo", False)),
        )
        audit.record(
            actor,
            "development.target_recorded",
            target,
            indicator=indicator.code,
            entities=entities,
            base_year=base_year,
            year=year,
            value=value,
            direction=direction,
            decision=decision_id,
            instruction=instruction_id,
        )
    return target
