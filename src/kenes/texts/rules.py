"""The rules of a negotiation that do not write anything: consensus, cleanliness, canonical form."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kenes.texts.brackets import BracketError, parse


class UnitState(StrEnum):
    AGREED = "agreed"
    BRACKETED = "bracketed"  # open brackets remain
    OBJECTED = "objected"  # a member objects
    PENDING = "pending"  # not every member has supported yet


@dataclass(frozen=True)
class StanceOf:
    state: str
    stance: str


def unit_state(content: str, members: Iterable[str], stances: Iterable[StanceOf]) -> UnitState:
    """A unit is agreed when no bracket remains, every member state supports it (a reservation is
    support with a recorded reservation) and none objects. Guests' views are never passed in here."""
    try:
        if not parse(content).is_clean:
            return UnitState.BRACKETED
    except BracketError:
        return UnitState.BRACKETED
    member_set = set(members)
    by_state = {s.state: s.stance for s in stances if s.state in member_set}
    if any(stance == "objection" for stance in by_state.values()):
        return UnitState.OBJECTED
    if member_set and all(by_state.get(state) in ("support", "reservation") for state in member_set):
        return UnitState.AGREED
    return UnitState.PENDING


def open_brackets(contents: Iterable[str]) -> int:
    total = 0
    for content in contents:
        try:
            total += len(parse(content).brackets)
        except BracketError:
            total += 1
    return total


def canonical_text(units: Iterable[tuple[str, str]]) -> str:
    """One language's adopted text as hashed: NFC, one ``uid<TAB>content`` line per unit, in order."""
    lines = []
    for uid, content in units:
        body = unicodedata.normalize("NFC", " ".join(content.split()))
        lines.append(f"{uid}\t{body}")
    return "\n".join(lines) + "\n"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stale_translations(edited: str, working_language: str, others: Iterable[str]) -> list[str]:
    """The language versions a change makes out of date: the working language leads, so a change
    to it flags every other version; a change to a translation flags nothing else. Shared by the
    negotiated texts and the press releases."""
    if edited != working_language:
        return []
    return [language for language in others if language != edited]
