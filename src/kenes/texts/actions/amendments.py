"""Amendments to a unit: propose, accept or reject (the chair), withdraw (the sponsor)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.errors import ActionError
from kenes.inputs import checked
from kenes.texts import brackets
from kenes.texts.actions.common import MAX_REASON, new_version, not_frozen, publish_text_event, validate_content
from kenes.texts.actions.drafting import insert_unit
from kenes.texts.actions.silence import record_silence_break
from kenes.texts.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Text,
    TextStatus,
    Unit,
    UnitVersion,
)
from kenes.texts.permissions import require_chair, require_delegation


def propose_amendment(
    actor: Any,
    unit: Unit,
    *,
    kind: str,
    content: str = "",
    reason: str = "",
    bracket_index: int | None = None,
    option_index: int | None = None,
    parent: Amendment | None = None,
) -> Amendment:
    """A member delegation proposes to replace, insert after or delete a unit or one option of a
    bracket, or amends another delegation's amendment. During silence it breaks the silence."""
    text = unit.text
    require(actor, "view", text)
    state = require_delegation(actor, text)
    not_frozen(text)
    if kind not in AmendmentKind.values:
        raise ActionError(_("Unknown kind of amendment."), field="kind")
    reason = checked(reason, field="reason", max_length=MAX_REASON,
                     too_long=_("The reason is longer than %(max)d characters.") % {"max": MAX_REASON})  # fmt: skip
    if kind != AmendmentKind.DELETE:
        content = validate_content(content)
        if not content.strip():
            raise ActionError(_("Write the proposed wording."), field="content")
    elif content.strip():
        raise ActionError(_("A deletion proposes no wording."), field="content")
    if (bracket_index is None) != (option_index is None):
        raise ActionError(_("Name both the bracket and the option."), field="option_index")
    working = UnitVersion.objects.get(unit=unit, language=text.working_language).content
    if bracket_index is not None and option_index is not None:
        found = brackets.parse(working).brackets
        if not 0 <= bracket_index < len(found) or not 0 <= option_index < len(found[bracket_index].options):
            raise ActionError(_("There is no such option in this paragraph."), field="option_index")
        if kind == AmendmentKind.INSERT:
            raise ActionError(_("Options are replaced or deleted, not inserted after."), field="kind")
    if parent is not None:
        if parent.unit_id != unit.pk or parent.status != AmendmentStatus.PROPOSED:
            raise ActionError(_("Only a proposed amendment to this paragraph can be amended."), field="parent")
        if kind != AmendmentKind.REPLACE:
            raise ActionError(_("An amendment to an amendment replaces its wording."), field="kind")
    with transaction.atomic():
        if text.status == TextStatus.SILENCE:
            record_silence_break(
                actor, text, state, _("An amendment was proposed: %(reason)s") % {"reason": reason or "—"}
            )
        amendment = Amendment.objects.create(
            text=text, unit=unit, parent=parent, bracket_index=bracket_index, option_index=option_index, kind=kind,
            language=text.working_language, content=content, reason=reason, state=state,
            author=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        audit.record(actor, "amendment.proposed", amendment, text=text.code, unit=unit.uid, state=state.iso2)
        publish_text_event(text, "amendment.proposed", amendment=amendment.pk, unit=unit.uid)
    return amendment


def _apply(amendment: Amendment, text: Text) -> None:
    unit = Unit.objects.select_for_update().get(pk=amendment.unit_id)
    version = UnitVersion.objects.get(unit=unit, language=text.working_language)
    if amendment.bracket_index is not None and amendment.option_index is not None:
        content = brackets.parse(version.content)
        segments = list(content.segments)
        bracket_positions = [i for i, s in enumerate(segments) if isinstance(s, brackets.Bracket)]
        if amendment.bracket_index >= len(bracket_positions):
            raise ActionError(_("The option this amendment concerns no longer exists."))
        where = bracket_positions[amendment.bracket_index]
        bracket = segments[where]
        assert isinstance(bracket, brackets.Bracket)
        options = list(bracket.options)
        if amendment.option_index >= len(options):
            raise ActionError(_("The option this amendment concerns no longer exists."))
        if amendment.kind == AmendmentKind.DELETE:
            del options[amendment.option_index]
        else:
            old = options[amendment.option_index]
            options[amendment.option_index] = brackets.Option(brackets.parse(amendment.content).plain(), old.sponsors)
        if len(options) == 1:  # one option left: the bracket resolves into plain text
            segments[where] = options[0].text
        elif options:
            segments[where] = brackets.Bracket(tuple(options))
        else:
            del segments[where]
        merged: list[brackets.Segment] = []
        for segment in segments:
            if merged and isinstance(segment, str) and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + segment
            elif segment != "":
                merged.append(segment)
        new_content = brackets.render(brackets.Content(tuple(merged)))
    elif amendment.kind == AmendmentKind.REPLACE:
        new_content = amendment.content
    elif amendment.kind == AmendmentKind.DELETE:
        unit.removed = True
        unit.save(update_fields=["removed"])
        return
    else:  # insert a new unit after this one
        insert_unit(text, unit.kind, amendment.content, unit)
        return
    version.content, version.out_of_date = new_content, False
    version.save(update_fields=["content", "out_of_date"])
    UnitVersion.objects.filter(unit=unit).exclude(language=text.working_language).update(out_of_date=True)
    unit.revision += 1
    unit.save(update_fields=["revision"])


def decide_amendment(actor: Any, amendment: Amendment, *, accept: bool) -> Amendment:
    """The chair (secretariat) accepts an amendment into the rolling text, making a new version,
    or rejects it. Accepting an amendment to an amendment rewrites the one it amends."""
    text = amendment.text
    require(actor, "view", text)
    require_chair(actor, text)
    not_frozen(text)
    if text.status == TextStatus.SILENCE:
        raise ActionError(_("The text is under silence procedure: it cannot be edited until silence ends."))
    with transaction.atomic():
        current = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if current.status != AmendmentStatus.PROPOSED:
            raise ActionError(_("This amendment has already been decided or withdrawn."))
        if accept:
            if current.parent_id is not None:
                parent = Amendment.objects.select_for_update().get(pk=current.parent_id)
                if parent.status != AmendmentStatus.PROPOSED:
                    raise ActionError(_("The amendment it amends is no longer open."))
                parent.content = current.content
                parent.save(update_fields=["content"])
            else:
                _apply(current, text)
        current.status = AmendmentStatus.ACCEPTED if accept else AmendmentStatus.REJECTED
        reason = f"amendment {current.pk} ({current.state.iso2}) {'accepted' if accept else 'rejected'}"
        version = new_version(actor, text, reason) if accept and current.parent_id is None else None
        current.decided_in_version = version.number if version else text.version
        current.save(update_fields=["status", "decided_in_version"])
        audit.record(actor, f"amendment.{current.status}", current, text=text.code)
        publish_text_event(text, f"amendment.{current.status}", amendment=current.pk, unit=amendment.unit.uid)
    return current


def withdraw_amendment(actor: Any, amendment: Amendment) -> Amendment:
    text = amendment.text
    require(actor, "view", text)
    state = require_delegation(actor, text)
    if state.pk != amendment.state_id:
        raise PermissionDenied(_("Only the delegation that proposed an amendment withdraws it."))
    with transaction.atomic():
        current = Amendment.objects.select_for_update().get(pk=amendment.pk)
        if current.status != AmendmentStatus.PROPOSED:
            raise ActionError(_("This amendment has already been decided or withdrawn."))
        current.status = AmendmentStatus.WITHDRAWN
        current.save(update_fields=["status"])
        audit.record(actor, "amendment.withdrawn", current, text=text.code)
        publish_text_event(text, "amendment.withdrawn", amendment=current.pk, unit=amendment.unit.uid)
    return current
