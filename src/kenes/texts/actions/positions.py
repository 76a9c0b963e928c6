"""A delegation's word on a unit: its position, a comment, a private note."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.errors import ActionError
from kenes.inputs import checked
from kenes.texts import brackets
from kenes.texts.actions.common import MAX_COMMENT, MAX_NOTE, not_frozen, publish_text_event
from kenes.texts.actions.silence import record_silence_break
from kenes.texts.models import (
    Comment,
    Position,
    PrivateNote,
    Stance,
    Text,
    TextStatus,
    Unit,
    UnitVersion,
)
from kenes.texts.permissions import member_states, require_delegation


def state_position(
    actor: Any,
    unit: Unit,
    *,
    stance: str,
    note: str = "",
    bracket_index: int = Position.WHOLE_UNIT,
    option_index: int = Position.WHOLE_UNIT,
) -> Position:
    """A member delegation's position on a unit or an option, for the unit's current wording. An
    objection during silence breaks the silence."""
    text = unit.text
    require(actor, "view", text)
    state = require_delegation(actor, text)
    not_frozen(text)
    if stance not in Stance.values:
        raise ActionError(_("Unknown position."), field="stance")
    note = checked(note, field="note", max_length=MAX_NOTE,
                   too_long=_("The note is longer than %(max)d characters.") % {"max": MAX_NOTE})  # fmt: skip
    if stance == Stance.OBJECTION and not note:
        raise ActionError(_("An objection gives its reason."), field="note")
    if stance == Stance.RESERVATION and not note:
        raise ActionError(_("A reservation says what is reserved."), field="note")
    if (bracket_index == Position.WHOLE_UNIT) != (option_index == Position.WHOLE_UNIT):
        raise ActionError(_("Name both the bracket and the option."), field="option_index")
    if bracket_index != Position.WHOLE_UNIT:
        working = UnitVersion.objects.get(unit=unit, language=text.working_language).content
        found = brackets.parse(working).brackets
        if not 0 <= bracket_index < len(found) or not 0 <= option_index < len(found[bracket_index].options):
            raise ActionError(_("There is no such option in this paragraph."), field="option_index")
    with transaction.atomic():
        if text.status == TextStatus.SILENCE and stance == Stance.OBJECTION:
            record_silence_break(actor, text, state, note)
        # The position is on the words as they stand now, not as the caller last loaded them.
        revision = Unit.objects.select_for_update().values_list("revision", flat=True).get(pk=unit.pk)
        position, _created = Position.objects.update_or_create(
            unit=unit, state=state, bracket_index=bracket_index, option_index=option_index,
            defaults={"stance": stance, "note": note, "revision": revision,
                      "author": actor if getattr(actor, "pk", None) else None},
        )  # fmt: skip
        audit.record(actor, "position.stated", position, text=text.code, unit=unit.uid, state=state.iso2,
                     stance=stance)  # fmt: skip
        publish_text_event(text, "position.stated", unit=unit.uid)
    return position


def add_comment(actor: Any, unit: Unit, *, body: str) -> Comment:
    """Any delegation taking part may comment, guests too where the format allows; a comment never
    blocks."""
    text = unit.text
    require(actor, "view", text)
    state = require_delegation(actor, text, members_only=False)
    if not text.format.guests_may_comment and state.pk not in {s.pk for s in member_states(text)}:
        raise PermissionDenied(_("In this format guests do not comment on texts."))
    message = _("A comment has 1 to %(max)d characters.") % {"max": MAX_COMMENT}
    body = checked(body, field="body", max_length=MAX_COMMENT, too_long=message)
    if not body:
        raise ActionError(message, field="body")
    with transaction.atomic():
        comment = Comment.objects.create(unit=unit, state=state, body=body,
                                         author=actor if getattr(actor, "pk", None) else None)  # fmt: skip
        audit.record(actor, "text.commented", comment, text=text.code, unit=unit.uid, state=state.iso2)
        publish_text_event(text, "text.commented", unit=unit.uid)
    return comment


def add_private_note(
    actor: Any, text: Text, *, body: str, unit: Unit | None = None, red_line: bool = False
) -> PrivateNote:
    """A delegation's own note or red line: visible to that delegation alone (``owner_state``)."""
    require(actor, "view", text)
    state = require_delegation(actor, text, members_only=False)
    message = _("A note has 1 to %(max)d characters.") % {"max": MAX_NOTE}
    body = checked(body, field="body", max_length=MAX_NOTE, too_long=message)
    if not body:
        raise ActionError(message, field="body")
    if unit is not None and unit.text_id != text.pk:
        raise ActionError(_("The paragraph belongs to another text."), field="unit")
    with transaction.atomic():
        # Private material is never public, whatever the text's own classification.
        level = Classification.PARTICIPANTS if text.classification == Classification.PUBLIC else text.classification
        note = PrivateNote.objects.create(
            text=text, unit=unit, body=body, red_line=red_line, owner_state=state, classification=level
        )
        audit.record(actor, "text.private_note_added", note, text=text.code, state=state.iso2)
    return note
