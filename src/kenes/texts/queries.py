"""Reads of negotiated texts, narrowed by the access policy, with the joins the room needs."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kenes import inputs
from kenes.access.policy import get_visible_or_404, visible
from kenes.errors import ActionError
from kenes.texts.models import Amendment, Comment, Position, PrivateNote, Text, TextVersion, Unit, UnitVersion
from kenes.texts.permissions import member_states
from kenes.texts.rules import StanceOf, UnitState, unit_state


def texts_for(account: Any) -> QuerySet[Text]:
    return visible(account, Text.objects.select_related("format", "meeting"))


def text_for(account: Any, code: str) -> Text:
    return get_visible_or_404(account, Text.objects.select_related("format", "format__mechanism", "meeting"),
                              code=code)  # fmt: skip


def _live_unit(text: Text, uid: str) -> Unit | None:
    if not uid or inputs.problem(uid):  # a control character is no paragraph's uid (PostgreSQL refuses a NUL)
        return None
    unit = text.units.filter(uid=uid, removed=False).first()
    if unit is not None:
        unit.text = text
    return unit


def unit_for(text: Text, uid: str) -> Unit:
    """A paragraph of ``text`` named in the URL (page or API); a missing or removed one is a 404."""
    unit = _live_unit(text, uid)
    if unit is None:
        raise Http404
    return unit


def unit_named(text: Text, uid: str, *, field: str) -> Unit:
    """A paragraph of ``text`` named in a form field or a payload; a missing one is a 400 on ``field``."""
    unit = _live_unit(text, uid)
    if unit is None:
        raise ActionError(_("There is no such paragraph in this text."), field=field)
    return unit


def amendment_for(account: Any, pk: int, *, text: Text | None = None) -> Amendment:
    """An amendment on a text the account may read (on ``text``, when the URL names one). A missing
    one and one on a hidden text are the same 404."""
    qs = Amendment.objects.select_related("state", "unit", "parent")
    if text is not None:
        qs = qs.filter(text=text)
    amendment = qs.filter(pk=pk).first()
    if amendment is None:
        raise Http404
    if text is None:
        text = texts_for(account).filter(pk=amendment.text_id).first()
        if text is None:
            raise Http404
    amendment.text = text
    amendment.unit.text = text
    return amendment


def silence_zones(text: Text) -> list[str]:
    """The time zones a silence deadline may be set in: those of the states whose consensus the
    text needs, from the reference data (the five capitals' zones for the mechanism's members)."""
    zones = sorted({s.timezone for s in member_states(text) if s.timezone})
    return zones or [settings.TIME_ZONE]


def member_codes(text: Text) -> list[str]:
    """The states whose consensus the text needs (``permissions.member_states``)."""
    return sorted(state.iso2 for state in member_states(text))


def _units(text: Text) -> list[Unit]:
    return list(
        text.units.filter(removed=False)
        .order_by("order")
        .prefetch_related(
            "versions",
            Prefetch("positions", queryset=Position.objects.select_related("state")),
        )
    )


def unit_states(text: Text, units: list[Unit] | None = None) -> list[tuple[Unit, UnitState]]:
    """Each live unit with its consensus state (see ``rules.unit_state``)."""
    members = member_codes(text)
    result = []
    for unit in units if units is not None else _units(text):
        content = next((v.content for v in unit.versions.all() if v.language == text.working_language), "")
        stances = [
            StanceOf(p.state.iso2, p.stance)
            for p in unit.positions.all()
            if p.bracket_index == Position.WHOLE_UNIT and p.revision == unit.revision
        ]
        result.append((unit, unit_state(content, members, stances)))
    return result


@dataclass
class UnitRow:
    unit: Unit
    state: UnitState
    contents: dict[str, UnitVersion]
    positions: dict[str, Position] = field(default_factory=dict)  # whole-unit positions by state
    option_positions: list[Position] = field(default_factory=list)
    amendments: list[Amendment] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    notes: list[PrivateNote] = field(default_factory=list)


@dataclass
class Room:
    text: Text
    members: list[str]
    rows: list[UnitRow]
    open_brackets: int
    versions: list[TextVersion]
    is_clean: bool


def _by_unit(items: list[Any]) -> dict[int | None, list[Any]]:
    grouped: dict[int | None, list[Any]] = {}
    for item in items:
        grouped.setdefault(item.unit_id, []).append(item)
    return grouped


def room(account: Any, text: Text) -> Room:
    """Everything the negotiation room shows, in a fixed number of queries."""
    units = _units(text)
    states = dict(unit_states(text, units))
    amendments = list(
        Amendment.objects.filter(text=text)
        .select_related("state", "parent", "parent__state")
        .order_by("created_at", "id")
    )
    comments = list(Comment.objects.filter(unit__text=text).select_related("state"))
    notes = list(visible(account, PrivateNote.objects.filter(text=text)))
    # Grouped once by unit, not filtered per unit (300 units x 5,000 amendments: 1.5 M comparisons).
    amendments_of, comments_of, notes_of = _by_unit(amendments), _by_unit(comments), _by_unit(notes)
    rows = []
    for unit in units:
        row = UnitRow(unit, states[unit], {v.language: v for v in unit.versions.all()})
        for position in unit.positions.all():
            if position.revision != unit.revision:
                continue
            if position.bracket_index == Position.WHOLE_UNIT:
                row.positions[position.state.iso2] = position
            else:
                row.option_positions.append(position)
        row.amendments = amendments_of.get(unit.pk, [])
        row.comments = comments_of.get(unit.pk, [])
        row.notes = notes_of.get(unit.pk, [])
        rows.append(row)
    from kenes.texts.brackets import BracketError, parse

    count = 0
    for row in rows:
        version = row.contents.get(text.working_language)
        try:
            count += len(parse(version.content).brackets) if version else 0
        except BracketError:
            count += 1
    return Room(
        text=text,
        members=member_codes(text),
        rows=rows,
        open_brackets=count,
        versions=list(text.text_versions.defer("snapshot")),  # not only(): text_id is read for each
        is_clean=all(r.state == UnitState.AGREED for r in rows),
    )


_WORD = re.compile(r"\s+|[^\s]+")


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """``[(op, words)]`` with op ``=``, ``-`` or ``+``, word by word (spaces kept)."""
    a, b = _WORD.findall(before), _WORD.findall(after)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("=", "".join(a[i1:i2])))
        if tag in ("delete", "replace"):
            out.append(("-", "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(("+", "".join(b[j1:j2])))
    return out


def diff_versions(text: Text, number_a: int, number_b: int, language: str | None = None) -> list[dict[str, Any]]:
    """Per unit, the word-level difference between two versions of the text."""
    language = language or text.working_language
    versions = {v.number: v for v in text.text_versions.filter(number__in=[number_a, number_b])}
    if number_a not in versions or number_b not in versions:
        raise KeyError("version")
    a = {u["uid"]: u for u in versions[number_a].snapshot["units"]}
    b = {u["uid"]: u for u in versions[number_b].snapshot["units"]}
    order = [u["uid"] for u in versions[number_b].snapshot["units"]]
    order += [uid for uid in a if uid not in b]
    result = []
    for uid in order:
        before = a.get(uid, {}).get("contents", {}).get(language, "")
        after = b.get(uid, {}).get("contents", {}).get(language, "")
        result.append({
            "uid": uid,
            "change": "added" if uid not in a else "removed" if uid not in b else
                      "changed" if before != after else "same",
            "diff": word_diff(before, after),
        })  # fmt: skip
    return result
