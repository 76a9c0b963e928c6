"""The bracket syntax by example, as ``./dev mutate`` found it untested (docs/mutation.md): what each
refusal says and which character it points at (the pages show "at character N"), escapes, sponsors
and the structured (API) form. test_properties.py checks the round trips on generated input."""

from __future__ import annotations

import pytest

from kenes.texts.brackets import (
    Bracket,
    BracketError,
    Content,
    Option,
    canonical,
    escape,
    from_structure,
    parse,
    render,
    to_structure,
)


@pytest.mark.parametrize(
    ("source", "message", "position"),
    [
        ("a\\", "a backslash escapes one of [ ] | { } \\", 1),
        ("\\a", "a backslash escapes one of [ ] | { } \\", 0),
        ("x]", "']' outside a bracket", 1),
        ("a|b", "'|' outside a bracket", 1),
        ("ab{", "'{' outside a bracket", 2),
        ("[a [b]]", "brackets do not nest", 3),
        ("ok [a", "a bracket is opened and not closed", 3),
        ("[]", "an empty bracket", 0),
        ("  [ {KZ} ]", "an empty bracket", 2),
        ("[  a}b ]", "a brace belongs at the end of an option, around its sponsors", 4),
        ("[a |  b}c]", "a brace belongs at the end of an option, around its sponsors", 7),
        ("[a{b]", "a brace belongs at the end of an option, around its sponsors", 2),
        ("[  x} ]", "a closing brace without an opening one", 4),
        ("[a {kz}]", "sponsors are state codes such as {KZ,UZ}", 3),
        ("[a {}]", "sponsors are state codes such as {KZ,UZ}", 3),
        ("[a {KZ,}]", "sponsors are state codes such as {KZ,UZ}", 3),
        ("[a {KAZAKH}]", "sponsors are state codes such as {KZ,UZ}", 3),
        ("[a {K}]", "sponsors are state codes such as {KZ,UZ}", 3),
        ("[a | b {KZ, KZ}]", "a sponsor is named twice", 7),
    ],
)
def test_a_refusal_says_what_is_wrong_and_where(source: str, message: str, position: int) -> None:
    with pytest.raises(BracketError) as caught:
        parse(source)
    assert caught.value.message == message
    assert caught.value.position == position
    assert str(caught.value) == f"{message} (at character {position + 1})"


def test_text_brackets_options_and_sponsors_parse_as_written() -> None:
    content = parse("Ministers meet [ at least twice {KZ, UZ} |annually{TM}|  ] a year.")
    assert content.segments == (
        "Ministers meet ",
        Bracket((Option("at least twice", ("KZ", "UZ")), Option("annually", ("TM",)), Option(""))),
        " a year.",
    )
    assert content.brackets == [content.segments[1]]
    assert not content.is_clean
    assert render(content) == "Ministers meet [at least twice {KZ,UZ} | annually {TM} | ] a year."
    assert parse("[ | ]").segments == (Bracket((Option(""), Option(""))),)  # two empty options: a choice
    assert parse("[a   {TKM}]").segments == (Bracket((Option("a", ("TKM",)),)),)
    assert parse("[a {ABCDE}]").brackets[0].options[0].sponsors == ("ABCDE",)


def test_escaped_characters_are_text() -> None:
    source = "a \\[b\\] \\| \\{c\\} \\\\ d"
    content = parse(source)
    assert content.segments == ("a [b] | {c} \\ d",)
    assert content.is_clean and content.plain() == "a [b] | {c} \\ d"
    assert render(content) == source
    assert escape("[]|{}\\x") == "\\[\\]\\|\\{\\}\\\\x"
    option = parse("[x \\{KZ\\}]").brackets[0].options[0]
    assert option == Option("x {KZ}")  # escaped braces are words, not sponsors
    assert render(Content((Bracket((Option("a|b", ("KZ",)),)),))) == "[a\\|b {KZ}]"


def test_plain_text_leaves_out_the_brackets() -> None:
    content = parse("The [a | b] end")
    assert content.plain() == "The  end"
    assert parse("").segments == ()
    assert parse("").is_clean


def test_the_structured_form_carries_the_same_content() -> None:
    content = parse("Meet [often {KZ} | rarely] now")
    structure = to_structure(content)
    assert structure == [
        {"text": "Meet "},
        {"options": [{"text": "often", "sponsors": ["KZ"]}, {"text": "rarely", "sponsors": []}]},
        {"text": " now"},
    ]
    assert from_structure(structure) == content
    spaced = [{"options": [{"text": "  often  ", "sponsors": ["KZ"]}, {"text": " x"}]}, {"text": ""}]
    assert from_structure(spaced) == Content((Bracket((Option("often", ("KZ",)), Option("x"))),))
    assert from_structure([{"options": [{"text": ""}, {}]}]) == Content((Bracket((Option(""), Option(""))),))


@pytest.mark.parametrize(
    ("data", "message", "index"),
    [
        ([{"text": "a"}, {"options": []}], "a bracket needs at least one option", 1),
        ([{"options": "a | b"}], "a bracket needs at least one option", 0),
        ([{"options": [{"text": "a", "sponsors": ["kz"]}]}], "sponsors are distinct state codes such as KZ", 0),
        (
            [{"text": "x"}, {"options": [{"text": "a", "sponsors": ["KZ", "KZ"]}]}],
            "sponsors are distinct state codes such as KZ",
            1,
        ),
        ([{"options": [{"text": " ", "sponsors": ["KZ"]}]}], "an empty bracket", 0),
        ([{"text": "a"}, {"text": "b"}], "two text segments in a row", 1),
        ([{"text": "a"}, {"words": "b"}], "a segment is either text or options", 1),
    ],
)
def test_the_structured_form_is_refused_where_it_is_wrong(data: list[dict], message: str, index: int) -> None:
    with pytest.raises(BracketError) as caught:
        from_structure(data)
    assert (caught.value.message, caught.value.position) == (message, index)


def test_canonical_spelling_normalises_spaces_around_options_and_sponsors() -> None:
    assert canonical("[a|b{KZ ,UZ}]  x") == "[a | b {KZ,UZ}]  x"
    assert canonical("plain") == "plain"
    with pytest.raises(BracketError):
        canonical("[open")
