"""Property-based tests (hypothesis) of the bracket syntax and of the consensus rule.

* ``parse(render(c)) == c`` for every well-formed structure ``c``;
* for every string ``s`` that parses, ``render(parse(s)) == canonical(s)`` and the canonical
  spelling parses to the same structure (canonicalising is idempotent);
* ``from_structure(to_structure(c)) == c``, also through JSON as the API sends it;
* ``rules.unit_state``: agreed iff clean and every member supports (or reserves) and none objects;
  guests never change the result; an objection wins over support; brackets win over everything.

No database: these run in well under a second each.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kenes.texts.brackets import (
    SPECIAL,
    Bracket,
    BracketError,
    Content,
    Option,
    canonical,
    from_structure,
    parse,
    render,
    to_structure,
)
from kenes.texts.rules import StanceOf, UnitState, unit_state

# ``KENES_HYPOTHESIS_EXAMPLES=20000`` searches harder, for a while, when the syntax changes.
FAST = settings(
    max_examples=int(os.environ.get("KENES_HYPOTHESIS_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

CODES = ("KZ", "KG", "TJ", "TM", "UZ", "AZ", "RU", "CN")
STANCES = ("support", "reservation", "objection")

# Any character at all (hypothesis leaves out lone surrogates), with the syntax's own characters and
# spaces drawn much more often than chance would draw them.
CHARS = st.one_of(st.characters(), st.sampled_from(SPECIAL + "  ,"))
plain_text = st.text(CHARS, min_size=1, max_size=30)
# ``parse`` drops unescaped spaces around an option (and spaces cannot be escaped), so an option's
# own text never starts or ends with one.
option_text = st.text(CHARS, max_size=20).map(lambda t: t.strip(" "))
sponsors = st.lists(st.sampled_from(CODES), max_size=3, unique=True).map(tuple)
options = st.builds(Option, option_text, sponsors)


def _not_empty(bracket: Bracket) -> bool:
    """``[]`` (and ``[ {KZ}]``) is refused by both forms: a lone option must have some text."""
    return len(bracket.options) > 1 or bool(bracket.options[0].text)


brackets = st.builds(Bracket, st.lists(options, min_size=1, max_size=4).map(tuple)).filter(_not_empty)


def _merge(segments: list[str | Bracket]) -> Content:
    """Adjacent text segments are one segment: that is how ``parse`` returns them."""
    out: list[str | Bracket] = []
    for segment in segments:
        if isinstance(segment, str) and out and isinstance(out[-1], str):
            out[-1] += segment
        else:
            out.append(segment)
    return Content(tuple(out))


contents = st.lists(st.one_of(plain_text, brackets), max_size=6).map(_merge)
bracketed_contents = st.tuples(contents, brackets, contents).map(
    lambda t: _merge([*t[0].segments, t[1], *t[2].segments])
)
clean_contents = st.lists(plain_text, max_size=3).map(_merge)


# --- the bracket syntax ---------------------------------------------------------------------


@FAST
@given(contents)
def test_parse_inverts_render(content: Content) -> None:
    assert parse(render(content)) == content


@st.composite
def loose_spellings(draw: st.DrawFn) -> tuple[str, Content]:
    """A content and a non-canonical spelling of it: other spacing around ``|``, sponsors and commas."""
    content = draw(contents)
    pad = st.sampled_from(["", " ", "  "])
    parts = []
    for segment in content.segments:
        if isinstance(segment, str):
            parts.append(render(Content((segment,))))
            continue
        rendered = []
        for option in segment.options:
            one = draw(pad) + render(Content((option.text,)))
            if option.sponsors:
                codes = [draw(pad) + code + draw(pad) for code in option.sponsors]
                one += draw(pad) + "{" + ",".join(codes) + "}"
            rendered.append(one + draw(pad))
        parts.append("[" + "|".join(rendered) + "]")
    return "".join(parts), content


@FAST
@given(loose_spellings())
def test_loose_spellings_parse_to_the_same_structure(spelled: tuple[str, Content]) -> None:
    source, content = spelled
    assert parse(source) == content
    assert canonical(source) == render(content)


# Raw strings: mostly the syntax's characters, so that a fair share of them parse.
raw_strings = st.text(st.one_of(st.sampled_from(list("[]|{}\\ ,KZUab")), st.characters()), max_size=40)


@FAST
@given(st.one_of(raw_strings, loose_spellings().map(lambda t: t[0])))
def test_canonical_form_is_stable(source: str) -> None:
    try:
        parsed = parse(source)
    except BracketError as exc:
        assert 0 <= exc.position <= len(source)  # a refusal names a place in the input
        return
    assert render(parsed) == canonical(source)
    assert parse(canonical(source)) == parsed
    assert canonical(canonical(source)) == canonical(source)


@FAST
@given(contents)
def test_structure_round_trip(content: Content) -> None:
    assert from_structure(to_structure(content)) == content
    # as the API carries it
    assert from_structure(json.loads(json.dumps(to_structure(content)))) == content


@pytest.mark.parametrize("source", ["[]", "[ ]", "[ {KZ}]", "a [{KZ,UZ}] b"])
def test_a_lone_empty_option_is_refused_in_both_forms(source: str) -> None:
    with pytest.raises(BracketError, match="empty bracket"):
        parse(source)
    with pytest.raises(BracketError):
        from_structure([{"options": [{"text": "", "sponsors": ["KZ"]}]}])


@pytest.mark.parametrize("code", ["KZ\n", "kz", "K", "KZKZKZ", " KZ"])
def test_structured_sponsors_are_exact_state_codes(code: str) -> None:
    with pytest.raises(BracketError):
        from_structure([{"options": [{"text": "a", "sponsors": [code]}]}])


# --- the consensus rule ---------------------------------------------------------------------

members_st = st.sets(st.sampled_from(CODES), min_size=1)
stance_maps = st.dictionaries(st.sampled_from(CODES), st.sampled_from(STANCES))


def _stances(by_state: dict[str, str]) -> list[StanceOf]:
    return [StanceOf(state, stance) for state, stance in by_state.items()]


@FAST
@given(clean_contents, members_st, stance_maps)
def test_agreed_iff_every_member_supports_and_none_objects(
    content: Content, members: set[str], by_state: dict[str, str]
) -> None:
    result = unit_state(render(content), members, _stances(by_state))
    member_stances = [by_state.get(state) for state in members]
    if "objection" in member_stances:
        assert result == UnitState.OBJECTED
    elif all(stance in ("support", "reservation") for stance in member_stances):
        assert result == UnitState.AGREED
    else:
        assert result == UnitState.PENDING
    assert (result == UnitState.AGREED) == (
        all(by_state.get(state) in ("support", "reservation") for state in members)
        and not any(by_state.get(state) == "objection" for state in members)
    )


@FAST
@given(clean_contents, members_st, stance_maps, stance_maps)
def test_guests_never_change_the_result(
    content: Content, members: set[str], by_state: dict[str, str], guests: dict[str, str]
) -> None:
    source = render(content)
    member_only = {state: stance for state, stance in by_state.items() if state in members}
    guest_only = {state: stance for state, stance in guests.items() if state not in members}
    assume(guest_only)
    alone = unit_state(source, members, _stances(member_only))
    assert unit_state(source, members, _stances({**member_only, **guest_only})) == alone
    assert unit_state(source, members, _stances({**guest_only, **member_only})) == alone


@FAST
@given(clean_contents, members_st, stance_maps, st.data())
def test_any_member_objection_objects(
    content: Content, members: set[str], by_state: dict[str, str], data: st.DataObject
) -> None:
    objector = data.draw(st.sampled_from(sorted(members)))
    by_state[objector] = "objection"
    assert unit_state(render(content), members, _stances(by_state)) == UnitState.OBJECTED


@FAST
@given(bracketed_contents, st.sets(st.sampled_from(CODES)), stance_maps)
def test_bracketed_whatever_the_stances(content: Content, members: set[str], by_state: dict[str, str]) -> None:
    assert unit_state(render(content), members, _stances(by_state)) == UnitState.BRACKETED
    everyone_supports = [StanceOf(state, "support") for state in members]
    assert unit_state(render(content), members, everyone_supports) == UnitState.BRACKETED


@FAST
@given(st.tuples(raw_strings, st.sampled_from("[]"), raw_strings).map("".join), stance_maps)
def test_unparsable_content_counts_as_bracketed(source: str, by_state: dict[str, str]) -> None:
    try:
        clean = parse(source).is_clean
    except BracketError:
        clean = False
    assume(not clean)
    assert unit_state(source, set(CODES), _stances(by_state)) == UnitState.BRACKETED


def test_no_members_is_never_agreed() -> None:
    assert unit_state("Text.", set(), [StanceOf("KZ", "support")]) == UnitState.PENDING
