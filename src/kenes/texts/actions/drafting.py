"""Drafting: create a text (with its units in every language), add a unit, edit a unit's wording."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprint
from kenes.errors import ActionError, Conflict
from kenes.inputs import checked, refuse_forbidden
from kenes.meetings.models import Format, Meeting
from kenes.meetings.permissions import require_secretariat, require_security_channel
from kenes.states.models import State
from kenes.texts.actions.common import (
    CODE,
    MAX_TITLE,
    MAX_UNITS,
    new_version,
    not_frozen,
    publish_text_event,
    validate_content,
)
from kenes.texts.models import (
    Text,
    TextKind,
    TextStatus,
    Unit,
    UnitKind,
    UnitVersion,
)
from kenes.texts.permissions import require_chair


def create_text(
    actor: Any,
    *,
    fmt: Format,
    code: str,
    title: str,
    kind: str,
    units: list[dict[str, str]],
    meeting: Meeting | None = None,
    classification: str | None = None,
    working_language: str = "ru",
    languages: list[str] | None = None,
    is_demo: bool = False,
    distribution: list[State] | None = None,
) -> Text:
    """A new draft: ``units`` are ``{"kind": "preamble"|"operative", "content": …}`` in the working
    language; the other language versions start empty and out of date.

    A restricted text (joint measures drafted from the security channel) needs its ``distribution``
    and is made by a cleared security officer on it, not by the secretariat."""
    from django.conf import settings

    restricted = classification == Classification.RESTRICTED and bool(distribution)
    if restricted:
        require_security_channel(actor, fmt, distribution)
    else:
        require_secretariat(actor, fmt)
        if distribution:
            raise ActionError(_("Only restricted material has a distribution list."), field="distribution")
    if not CODE.fullmatch(refuse_forbidden(code, "code")) or code == "new":
        raise ActionError(
            _("A code has 3 to 100 small Latin letters, digits and hyphens, e.g. fm-2027-statement."), field="code"
        )
    if kind not in TextKind.values:
        raise ActionError(_("Unknown kind of text."), field="kind")
    message = _("Give the text a title of at most %(max)d characters.") % {"max": MAX_TITLE}
    title = checked(title, field="title", max_length=MAX_TITLE, too_long=message)
    if not title:
        raise ActionError(message, field="title")
    classification = classification or fmt.default_classification
    if classification not in Classification.values or (classification == Classification.RESTRICTED and not restricted):
        raise ActionError(_("Choose public, participants or members."), field="classification")
    known = {c for c, _n in settings.LANGUAGES}
    languages = languages or [working_language]
    if working_language not in known or any(lang not in known for lang in languages):
        raise ActionError(_("Unknown language."), field="languages")
    if working_language not in languages:
        languages = [working_language, *languages]
    if meeting is not None and meeting.format_id != fmt.pk:
        raise ActionError(_("The meeting belongs to another format."), field="meeting")
    if not units or len(units) > MAX_UNITS:
        raise ActionError(_("A text has between 1 and %(max)d paragraphs.") % {"max": MAX_UNITS}, field="units")
    cleaned = []
    for index, unit in enumerate(units):
        unit_kind = unit.get("kind", UnitKind.OPERATIVE)
        if unit_kind not in UnitKind.values:
            raise ActionError(_("Unknown kind of paragraph."), field=f"units.{index}.kind")
        cleaned.append((unit_kind, validate_content(unit.get("content", ""), f"units.{index}.content")))
    taken = _("A text with this code already exists.")
    if Text.objects.filter(code=code).exists():
        raise ActionError(taken, field="code")
    with transaction.atomic():
        try:
            text = Text.objects.create(
                code=code, format=fmt, meeting=meeting, kind=kind, title=title, classification=classification,
                working_language=working_language, languages=";".join(languages), is_demo=is_demo,
            )  # fmt: skip
        except IntegrityError as exc:  # created by a concurrent request since the check above
            raise ActionError(taken, field="code") from exc
        if restricted and distribution:
            text.distribution.set(distribution)
        counters: dict[str, int] = {"PP": 0, "OP": 0}
        for order, (unit_kind, content) in enumerate(cleaned, start=1):
            prefix = "PP" if unit_kind == UnitKind.PREAMBLE else "OP"
            counters[prefix] += 1
            new_unit = Unit.objects.create(text=text, uid=f"{prefix}{counters[prefix]}", kind=unit_kind, order=order)
            for language in languages:
                UnitVersion.objects.create(
                    unit=new_unit, language=language, content=content if language == working_language else "",
                    out_of_date=language != working_language,
                )  # fmt: skip
        new_version(actor, text, "created")
        audit.record(actor, "text.created", text, code=code, classification=classification, units=len(cleaned))
        publish_text_event(text, "text.created")
    return text


def edit_unit(actor: Any, unit: Unit, *, language: str, content: str, expected_revision: int | None = None) -> Unit:
    """The chair's pen: set one language's content of a unit. A change in the working language
    flags the unit's other language versions as out of date until someone updates them."""
    text = unit.text
    require(actor, "view", text)
    require_chair(actor, text)
    not_frozen(text)
    if text.status == TextStatus.SILENCE:
        raise ActionError(_("The text is under silence procedure: it cannot be edited until silence ends."))
    if language not in text.language_list:
        raise ActionError(_("This text has no version in that language."), field="language")
    content = validate_content(content)
    with transaction.atomic():
        current = Unit.objects.select_for_update().get(pk=unit.pk)
        if current.removed:
            raise ActionError(_("This paragraph was removed."))
        if expected_revision is not None and current.revision != expected_revision:
            raise Conflict(_("Someone else changed this paragraph since you opened it. Reload it and try again."))
        version = UnitVersion.objects.get(unit=current, language=language)
        if version.content == content and not version.out_of_date:
            return current
        before = version.content
        content_changed = before != content
        version.content, version.out_of_date = content, False
        version.save(update_fields=["content", "out_of_date"])
        if content_changed and language == text.working_language:
            # The working language leads: its change makes every translation stale, and earlier
            # positions were on other words. Bringing a translation up to date flags nothing else.
            UnitVersion.objects.filter(unit=current).exclude(language=language).update(out_of_date=True)
            current.revision += 1
            current.save(update_fields=["revision"])
        new_version(actor, text, f"{current.uid}/{language} edited")
        audit.record(actor, "text.unit_edited", text, unit=current.uid, language=language, revision=current.revision,
                     before=fingerprint(before), after=fingerprint(content))  # fmt: skip
        publish_text_event(text, "text.unit_edited", unit=current.uid)
    return current


def add_unit(actor: Any, text: Text, *, kind: str, content: str, after: Unit | None = None) -> Unit:
    require(actor, "view", text)
    require_chair(actor, text)
    not_frozen(text)
    if text.status == TextStatus.SILENCE:
        raise ActionError(_("The text is under silence procedure: it cannot be edited until silence ends."))
    if kind not in UnitKind.values:
        raise ActionError(_("Unknown kind of paragraph."), field="kind")
    content = validate_content(content)
    with transaction.atomic():
        unit = insert_unit(text, kind, content, after)
        new_version(actor, text, f"{unit.uid} added")
        audit.record(actor, "text.unit_added", text, unit=unit.uid)
        publish_text_event(text, "text.unit_added", unit=unit.uid)
    return unit


def insert_unit(text: Text, kind: str, content: str, after: Unit | None) -> Unit:
    Text.objects.select_for_update().get(pk=text.pk)
    units = list(text.units.order_by("order"))
    prefix = "PP" if kind == UnitKind.PREAMBLE else "OP"
    taken = {u.uid for u in units}
    number = 1 + sum(1 for u in units if u.uid.startswith(prefix))
    while f"{prefix}{number}" in taken:
        number += 1
    position = (after.order + 1) if after is not None else (max([u.order for u in units] or [0]) + 1)
    for u in units:
        if u.order >= position:
            Unit.objects.filter(pk=u.pk).update(order=u.order + 1)
    unit = Unit.objects.create(text=text, uid=f"{prefix}{number}", kind=kind, order=position)
    for language in text.language_list:
        UnitVersion.objects.create(
            unit=unit, language=language, content=content if language == text.working_language else "",
            out_of_date=language != text.working_language,
        )  # fmt: skip
    return unit
