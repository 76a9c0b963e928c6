"""Consensus and the adopted text's hash by example, as ``./dev mutate`` found them untested
(docs/mutation.md). test_properties.py checks the same rules on generated input."""

from __future__ import annotations

import hashlib

from kenes.texts.rules import StanceOf, UnitState, canonical_text, open_brackets, sha256, unit_state

MEMBERS = ["KZ", "KG", "TJ", "TM", "UZ"]


def _all(stance: str, *, but: dict[str, str] | None = None) -> list[StanceOf]:
    by_state = dict.fromkeys(MEMBERS, stance) | (but or {})
    return [StanceOf(state, s) for state, s in by_state.items()]


def test_a_unit_is_agreed_when_every_member_supports_or_reserves() -> None:
    assert unit_state("Agreed words.", MEMBERS, _all("support")) == UnitState.AGREED
    assert unit_state("Agreed words.", MEMBERS, _all("support", but={"TM": "reservation"})) == UnitState.AGREED
    assert unit_state("Agreed words.", MEMBERS, _all("reservation")) == UnitState.AGREED


def test_one_member_still_to_speak_or_abstaining_keeps_it_pending() -> None:
    missing = [s for s in _all("support") if s.state != "UZ"]
    assert unit_state("Words.", MEMBERS, missing) == UnitState.PENDING
    assert unit_state("Words.", MEMBERS, _all("support", but={"UZ": "abstention"})) == UnitState.PENDING
    assert unit_state("Words.", MEMBERS, []) == UnitState.PENDING
    assert unit_state("Words.", [], []) == UnitState.PENDING  # no members: nothing is agreed


def test_one_member_objecting_objects_and_a_guest_never_does() -> None:
    assert unit_state("Words.", MEMBERS, _all("support", but={"KG": "objection"})) == UnitState.OBJECTED
    objection_among_the_silent = [StanceOf("KG", "objection")]
    assert unit_state("Words.", MEMBERS, objection_among_the_silent) == UnitState.OBJECTED
    with_a_guest = [*_all("support"), StanceOf("RU", "objection")]
    assert unit_state("Words.", MEMBERS, with_a_guest) == UnitState.AGREED


def test_brackets_left_open_or_broken_keep_a_unit_bracketed_whatever_the_stances() -> None:
    assert unit_state("Meet [often | rarely].", MEMBERS, _all("support")) == UnitState.BRACKETED
    assert unit_state("Meet [often", MEMBERS, _all("support")) == UnitState.BRACKETED
    assert unit_state("Meet [often", MEMBERS, _all("objection")) == UnitState.BRACKETED


def test_open_brackets_are_counted_over_the_units_and_a_broken_one_counts_once() -> None:
    assert open_brackets([]) == 0
    assert open_brackets(["Clean."]) == 0
    assert open_brackets(["[a | b] and [c | d]", "Clean.", "[e]"]) == 3
    assert open_brackets(["[a | b]", "[broken", "x]"]) == 3


def test_the_adopted_text_is_hashed_in_one_canonical_spelling() -> None:
    decomposed = "Cafe\u0301  and\tmore\n words "
    text = canonical_text([("PP1", decomposed), ("OP1", "Second.")])
    assert text == "PP1\tCaf\u00e9 and more words\nOP1\tSecond.\n"
    assert canonical_text([]) == "\n"
    assert sha256(text) == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert sha256("Ж") == "af01de547c2d86e9c4881cc4cf0dd3ab521b9d1cceee461908680b33c433c5ac"  # of its UTF-8 bytes
