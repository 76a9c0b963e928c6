"""Every change to a negotiated text: permission-checked, validated, one transaction, audited,
published on commit, and recorded as a new version of the rolling text."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.audit.redact import fingerprint
from kenes.errors import ActionError, Conflict
from kenes.inputs import checked, refuse_forbidden
from kenes.live.bus import publish_on_commit
from kenes.meetings.models import Format, Meeting
from kenes.meetings.permissions import require_secretariat, require_security_channel
from kenes.states.models import State
from kenes.texts import brackets
from kenes.texts.models import (
    AdoptedBy,
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Comment,
    Position,
    PrivateNote,
    Signature,
    SilenceBreak,
    Stance,
    Text,
    TextKind,
    TextStatus,
    TextVersion,
    Unit,
    UnitKind,
    UnitVersion,
)
from kenes.texts.permissions import member_states, require_chair, require_delegation
from kenes.texts.queries import silence_zones
from kenes.texts.rules import canonical_text, open_brackets, sha256

MAX_UNITS = 2000

# Length limits, one per field, in characters (issue 10): enforced here, published in the API schema.
# A text's code is part of its URL (``/texts/<code>/``; ``new`` is the page that starts one).
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{2,99}$"
CODE = re.compile(CODE_PATTERN)
MAX_TITLE = 300
# One paragraph's wording in one language, and an amendment's: a long operative paragraph runs to
# 2,000 or 3,000 characters; 10,000 is about 1,500 words.
MAX_CONTENT = 10_000
MAX_REASON = 4_000  # an amendment's reason; the reason given for breaking silence
MAX_NOTE = 4_000  # a position's note; a private note or red line
MAX_COMMENT = 4_000


def _label(actor: Any) -> str:
    return getattr(actor, "email", None) or str(actor)


def bracket_problem(exc: brackets.BracketError) -> str:
    """What is wrong with some wording's brackets, for the user: a unit's limits in their words."""
    if isinstance(exc, brackets.LimitError):
        limits = {
            "brackets": _("A paragraph has at most %(max)d brackets."),
            "options": _("A bracket has at most %(max)d options."),
            "sponsors": _("An option has at most %(max)d sponsors."),
        }
        return limits[exc.what] % {"max": exc.limit}
    return _("The brackets are not right: %(problem)s.") % {"problem": exc}


def _validate_content(content: str, field: str = "content") -> str:
    too_long = _("The wording is longer than %(max)d characters.") % {"max": MAX_CONTENT}
    content = checked(content, field=field, max_length=MAX_CONTENT, strip=False, too_long=too_long)
    try:
        return brackets.canonical(content)
    except brackets.BracketError as exc:
        raise ActionError(bracket_problem(exc), field=field) from exc


def _not_frozen(text: Text) -> None:
    if text.status == TextStatus.ADOPTED:
        raise ActionError(_("This text is adopted and frozen: it can no longer change."))


def snapshot(text: Text) -> dict[str, Any]:
    units = []
    for unit in text.units.filter(removed=False).prefetch_related("versions").order_by("order"):
        units.append(
            {
                "uid": unit.uid,
                "kind": unit.kind,
                "revision": unit.revision,
                "contents": {v.language: v.content for v in unit.versions.all()},
            }
        )
    return {"title": text.title, "status": text.status, "units": units}


def _new_version(actor: Any, text: Text, reason: str) -> TextVersion:
    """Record the text as it now stands; called inside the action's transaction."""
    current = Text.objects.select_for_update().get(pk=text.pk)
    data = snapshot(current)
    working = [u["contents"].get(current.working_language, "") for u in data["units"]]
    number = (current.text_versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = TextVersion.objects.create(
        text=current, number=number, actor_label=_label(actor), reason=reason[:200], snapshot=data,
        open_brackets=open_brackets(working),
    )  # fmt: skip
    Text.objects.filter(pk=current.pk).update(version=number)
    text.version = number
    return version


def _event(text: Text, verb: str, **data: Any) -> None:
    publish_on_commit(f"text:{text.pk}", {"verb": verb, "text": text.pk, **data})


# --- Creating and drafting ------------------------------------------------------------------


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
        cleaned.append((unit_kind, _validate_content(unit.get("content", ""), f"units.{index}.content")))
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
        _new_version(actor, text, "created")
        audit.record(actor, "text.created", text, code=code, classification=classification, units=len(cleaned))
        _event(text, "text.created")
    return text


def edit_unit(actor: Any, unit: Unit, *, language: str, content: str, expected_revision: int | None = None) -> Unit:
    """The chair's pen: set one language's content of a unit. A change in the working language
    flags the unit's other language versions as out of date until someone updates them."""
    text = unit.text
    require(actor, "view", text)
    require_chair(actor, text)
    _not_frozen(text)
    if text.status == TextStatus.SILENCE:
        raise ActionError(_("The text is under silence procedure: it cannot be edited until silence ends."))
    if language not in text.language_list:
        raise ActionError(_("This text has no version in that language."), field="language")
    content = _validate_content(content)
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
        _new_version(actor, text, f"{current.uid}/{language} edited")
        audit.record(actor, "text.unit_edited", text, unit=current.uid, language=language, revision=current.revision,
                     before=fingerprint(before), after=fingerprint(content))  # fmt: skip
        _event(text, "text.unit_edited", unit=current.uid)
    return current


def add_unit(actor: Any, text: Text, *, kind: str, content: str, after: Unit | None = None) -> Unit:
    require(actor, "view", text)
    require_chair(actor, text)
    _not_frozen(text)
    if text.status == TextStatus.SILENCE:
        raise ActionError(_("The text is under silence procedure: it cannot be edited until silence ends."))
    if kind not in UnitKind.values:
        raise ActionError(_("Unknown kind of paragraph."), field="kind")
    content = _validate_content(content)
    with transaction.atomic():
        unit = _insert_unit(text, kind, content, after)
        _new_version(actor, text, f"{unit.uid} added")
        audit.record(actor, "text.unit_added", text, unit=unit.uid)
        _event(text, "text.unit_added", unit=unit.uid)
    return unit


def _insert_unit(text: Text, kind: str, content: str, after: Unit | None) -> Unit:
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


# --- Amendments -----------------------------------------------------------------------------


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
    _not_frozen(text)
    if kind not in AmendmentKind.values:
        raise ActionError(_("Unknown kind of amendment."), field="kind")
    reason = checked(reason, field="reason", max_length=MAX_REASON,
                     too_long=_("The reason is longer than %(max)d characters.") % {"max": MAX_REASON})  # fmt: skip
    if kind != AmendmentKind.DELETE:
        content = _validate_content(content)
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
            _break_silence(actor, text, state, _("An amendment was proposed: %(reason)s") % {"reason": reason or "—"})
        amendment = Amendment.objects.create(
            text=text, unit=unit, parent=parent, bracket_index=bracket_index, option_index=option_index, kind=kind,
            language=text.working_language, content=content, reason=reason, state=state,
            author=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        audit.record(actor, "amendment.proposed", amendment, text=text.code, unit=unit.uid, state=state.iso2)
        _event(text, "amendment.proposed", amendment=amendment.pk, unit=unit.uid)
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
        _insert_unit(text, unit.kind, amendment.content, unit)
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
    _not_frozen(text)
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
        version = _new_version(actor, text, reason) if accept and current.parent_id is None else None
        current.decided_in_version = version.number if version else text.version
        current.save(update_fields=["status", "decided_in_version"])
        audit.record(actor, f"amendment.{current.status}", current, text=text.code)
        _event(text, f"amendment.{current.status}", amendment=current.pk, unit=amendment.unit.uid)
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
        _event(text, "amendment.withdrawn", amendment=current.pk, unit=amendment.unit.uid)
    return current


# --- Positions, comments, private notes -----------------------------------------------------


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
    _not_frozen(text)
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
            _break_silence(actor, text, state, note)
        # The position is on the words as they stand now, not as the caller last loaded them.
        revision = Unit.objects.select_for_update().values_list("revision", flat=True).get(pk=unit.pk)
        position, _created = Position.objects.update_or_create(
            unit=unit, state=state, bracket_index=bracket_index, option_index=option_index,
            defaults={"stance": stance, "note": note, "revision": revision,
                      "author": actor if getattr(actor, "pk", None) else None},
        )  # fmt: skip
        audit.record(actor, "position.stated", position, text=text.code, unit=unit.uid, state=state.iso2,
                     stance=stance)  # fmt: skip
        _event(text, "position.stated", unit=unit.uid)
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
        _event(text, "text.commented", unit=unit.uid)
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


# --- Silence procedure and adoption ---------------------------------------------------------


def is_clean(text: Text) -> tuple[bool, list[str]]:
    """Clean: no bracket left in any language version and every unit agreed by the members."""
    from kenes.texts.queries import unit_states

    problems = []
    for unit, state in unit_states(text):
        if state != "agreed":
            problems.append(f"{unit.uid}: {state}")
    return not problems, problems


def circulate_for_silence(actor: Any, text: Text, *, deadline: dt.datetime, timezone_name: str) -> Text:
    """The chair circulates a clean text; it is adopted at ``deadline`` unless a member breaks silence."""
    require(actor, "view", text)
    require_chair(actor, text)
    _not_frozen(text)
    zones = silence_zones(text)
    if timezone_name not in zones:
        message = _("Choose the time zone of a member state: %(zones)s.") % {"zones": ", ".join(zones)}
        raise ActionError(message, field="timezone")
    if timezone.is_naive(deadline):
        deadline = deadline.replace(tzinfo=zoneinfo.ZoneInfo(timezone_name))
    if deadline <= timezone.now() + dt.timedelta(minutes=1):
        raise ActionError(_("The deadline must be in the future."), field="deadline")
    clean, problems = is_clean(text)
    if not clean:
        raise ActionError(
            _("Only a clean text goes under silence; still open: %(units)s.") % {"units": ", ".join(problems[:10])},
            field="deadline",
        )
    with transaction.atomic():
        current = Text.objects.select_for_update().get(pk=text.pk)
        if current.status != TextStatus.DRAFTING:
            raise ActionError(_("This text is not under negotiation."))
        current.status, current.silence_deadline, current.silence_timezone = TextStatus.SILENCE, deadline, timezone_name
        current.save(update_fields=["status", "silence_deadline", "silence_timezone"])
        _new_version(actor, current, "circulated under silence procedure")
        audit.record(actor, "silence.started", current, deadline=deadline.isoformat(), timezone=timezone_name)
        _event(current, "silence.started")
    _notify_members(current, _("A text is circulated under silence procedure. Open Kenes for the deadline."))
    return current


def _break_silence(actor: Any, text: Text, state: State, reason: str) -> None:
    current = Text.objects.select_for_update().get(pk=text.pk)
    if current.status != TextStatus.SILENCE:
        return
    assert current.silence_deadline is not None
    if timezone.now() >= current.silence_deadline:
        raise ActionError(_("The silence deadline has passed: it is too late to break silence."))
    SilenceBreak.objects.create(
        text=current, state=state, reason=reason[:MAX_REASON], deadline=current.silence_deadline,
        author=actor if getattr(actor, "pk", None) else None,
    )  # fmt: skip
    current.status, current.silence_deadline = TextStatus.DRAFTING, None
    current.save(update_fields=["status", "silence_deadline"])
    text.status, text.silence_deadline = current.status, None
    audit.record(actor, "silence.broken", current, state=state.iso2, reason=fingerprint(reason))
    _event(current, "silence.broken", state=state.iso2)
    transaction.on_commit(
        lambda: _notify_members(current, _("Silence was broken on a text. Open Kenes for the details."))
    )


def break_silence(actor: Any, text: Text, *, reason: str) -> Text:
    """A member delegation objects in writing before the deadline: the text goes back to negotiation."""
    require(actor, "view", text)
    state = require_delegation(actor, text)  # guests cannot break silence
    reason = checked(reason, field="reason", max_length=MAX_REASON,
                     too_long=_("The reason is longer than %(max)d characters.") % {"max": MAX_REASON})  # fmt: skip
    if not reason:
        raise ActionError(_("Breaking silence gives its reason."), field="reason")
    with transaction.atomic():
        current = Text.objects.select_for_update().get(pk=text.pk)
        if current.status != TextStatus.SILENCE:
            raise ActionError(_("This text is not under silence procedure."))
        _break_silence(actor, current, state, reason)
    return Text.objects.get(pk=text.pk)


def _hashes(text: Text) -> dict[str, str]:
    units = list(text.units.filter(removed=False).prefetch_related("versions").order_by("order"))
    out = {}
    for language in text.language_list:
        pairs = [(u.uid, next((v.content for v in u.versions.all() if v.language == language), "")) for u in units]
        if all(content for _uid, content in pairs):
            out[language] = sha256(canonical_text(pairs))
    return out


def _adopt(actor: Any, text: Text, how: str) -> Text:
    text.adopted_hashes = _hashes(text)
    text.save(update_fields=["adopted_hashes"])
    _new_version(actor, text, f"adopted by {how}")
    audit.record(actor, "text.adopted", text, by=how, hashes=text.adopted_hashes)
    _event(text, "text.adopted")
    # In the adoption's own transaction, not on commit: the notifications exist exactly when the
    # adoption does, whatever befalls the worker or Redis after the commit (decision 0022).
    _notify_members(text, _("A text was adopted. Open Kenes to read and sign it."))
    return text


def adopt_due_silences(now: dt.datetime | None = None) -> list[str]:
    """Adopt every text whose silence deadline has passed. Safe to run from any number of workers:
    the conditional update lets exactly one of them adopt a given text."""
    now = now or timezone.now()
    adopted = []
    for pk in Text.objects.filter(status=TextStatus.SILENCE, silence_deadline__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            won = Text.objects.filter(pk=pk, status=TextStatus.SILENCE, silence_deadline__lte=now).update(
                status=TextStatus.ADOPTED, adopted_at=now, adopted_by=AdoptedBy.SILENCE
            )
            if not won:
                continue  # another worker adopted it, or silence was broken
            text = Text.objects.get(pk=pk)
            _adopt("silence procedure", text, AdoptedBy.SILENCE)
            adopted.append(text.code)
    return adopted


def adopt_by_consensus(actor: Any, text: Text) -> Text:
    require(actor, "view", text)
    require_chair(actor, text)
    _not_frozen(text)
    clean, problems = is_clean(text)
    if not clean:
        raise ActionError(
            _("Only a clean text is adopted; still open: %(units)s.") % {"units": ", ".join(problems[:10])}
        )
    with transaction.atomic():
        won = Text.objects.filter(pk=text.pk, status=TextStatus.DRAFTING).update(
            status=TextStatus.ADOPTED, adopted_at=timezone.now(), adopted_by=AdoptedBy.CONSENSUS
        )
        if not won:
            raise ActionError(_("This text is not under negotiation."))
        current = Text.objects.get(pk=text.pk)
        _adopt(actor, current, AdoptedBy.CONSENSUS)
    return current


def sign(actor: Any, text: Text) -> Signature:
    """A member delegation signs the adopted text; the signature records the hashes it signed."""
    require(actor, "view", text)
    state = require_delegation(actor, text)
    if text.status != TextStatus.ADOPTED:
        raise ActionError(_("Only an adopted text is signed."))
    signed = _("Your delegation has already signed this text.")
    with transaction.atomic():
        if Signature.objects.filter(text=text, state=state).exists():
            raise ActionError(signed)
        try:
            signature = Signature.objects.create(text=text, state=state, signer=actor, signer_name=actor.full_name,
                                                 hashes=text.adopted_hashes)  # fmt: skip
        except IntegrityError as exc:  # a colleague's signature, committed since the check above
            raise ActionError(signed) from exc
        audit.record(actor, "text.signed", signature, text=text.code, state=state.iso2, hashes=text.adopted_hashes)
        _event(text, "text.signed", state=state.iso2)
    return signature


def _notify_members(text: Text, message: str) -> None:
    """Notify the member delegations' accounts and the secretariat of the format: a link only."""
    from django.db.models import Q

    from kenes.access.policy import can
    from kenes.people.models import Account
    from kenes.people.notify import notify

    members = [s.pk for s in member_states(text)]
    recipients = Account.objects.filter(
        Q(state_id__in=members) | Q(affiliation="secretariat"), is_active=True
    ).distinct()
    for account in recipients:
        account.kenes_token_auth = True  # type: ignore[attr-defined]  # judged at their clearance, as after a strong sign-in
        if can(account, "view", text):
            notify(account, "text.notice", message, url=f"/texts/{text.code}/")
