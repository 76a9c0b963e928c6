"""What one unit of a negotiated text may hold (issue 10, item 2), and each free-text field's length
limit: a constant of the action module, enforced by the action (so for the pages too) and published
in the API schema.

Brackets are bounded in ``texts.brackets``: ``MAX_BRACKETS`` per unit, ``MAX_OPTIONS`` per bracket,
``MAX_SPONSORS`` per option; they do not nest at all. A refusal names the field and changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from kenes.audit.models import AuditEvent
from kenes.decisions import actions as decision_actions
from kenes.errors import ActionError
from kenes.meetings import actions as meeting_actions
from kenes.security import actions as security_actions
from kenes.texts import actions, brackets
from kenes.texts.models import Amendment, Comment, Position, PrivateNote, Text, Unit
from tests.texts.test_negotiation import people, text  # noqa: F401  (fixtures)


def _brackets(n: int, options: int = 2, sponsors: int = 0) -> str:
    codes = [f"S{chr(65 + i // 26)}{chr(65 + i % 26)}" for i in range(sponsors)]
    option = "x" + (" {" + ",".join(codes) + "}" if codes else "")
    return " ".join("[" + " | ".join([option] * options) + "]" for _ in range(n))


# --- The bracket parser's bounds ---------------------------------------------------------------


def test_a_unit_holds_at_most_max_brackets() -> None:
    assert brackets.canonical(_brackets(brackets.MAX_BRACKETS)).count("[") == brackets.MAX_BRACKETS
    with pytest.raises(brackets.LimitError) as refused:
        brackets.canonical(_brackets(brackets.MAX_BRACKETS + 1))
    assert (refused.value.what, refused.value.limit) == ("brackets", brackets.MAX_BRACKETS)


def test_a_bracket_holds_at_most_max_options_and_an_option_max_sponsors() -> None:
    brackets.canonical(_brackets(1, options=brackets.MAX_OPTIONS, sponsors=brackets.MAX_SPONSORS))
    with pytest.raises(brackets.LimitError, match="options"):
        brackets.canonical(_brackets(1, options=brackets.MAX_OPTIONS + 1))
    with pytest.raises(brackets.LimitError, match="sponsors"):
        brackets.canonical(_brackets(1, sponsors=brackets.MAX_SPONSORS + 1))


def test_the_structured_form_has_the_same_bounds() -> None:
    many = [{"options": [{"text": "a"}, {"text": "b"}]}] * (brackets.MAX_BRACKETS + 1)
    with pytest.raises(brackets.LimitError):
        brackets.from_structure(many)
    assert len(brackets.from_structure(many[:-1]).brackets) == brackets.MAX_BRACKETS


def test_brackets_do_not_nest_at_all() -> None:
    with pytest.raises(brackets.BracketError, match="do not nest"):
        brackets.canonical("[a | [b | c]]")


def test_reading_stored_content_is_never_bounded() -> None:
    """Only what is stored is bounded: ``parse`` reads any content (older material included)."""
    assert len(brackets.parse(_brackets(brackets.MAX_BRACKETS * 3)).brackets) == brackets.MAX_BRACKETS * 3


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=brackets.MAX_BRACKETS * 2), st.integers(min_value=1, max_value=15))
def test_the_bound_is_exact(count: int, options: int) -> None:
    source = _brackets(count, options=options)
    if count <= brackets.MAX_BRACKETS and (count == 0 or options <= brackets.MAX_OPTIONS):
        assert brackets.parse(brackets.canonical(source)).brackets == brackets.parse(source).brackets
    else:
        with pytest.raises(brackets.LimitError):
            brackets.canonical(source)


# --- Through the actions: refused naming the field, nothing written ----------------------------


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (AuditEvent, Text, Unit, Amendment, Position, Comment, PrivateNote))


@pytest.mark.django_db
def test_too_many_brackets_in_an_amendment_are_refused(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    unit = text.units.get(uid="OP1")
    unit.text = text
    before = _counts()
    with pytest.raises(ActionError) as refused:
        actions.propose_amendment(people["kz"], unit, kind="replace", content=_brackets(brackets.MAX_BRACKETS + 1))
    assert refused.value.field == "content"
    assert f"at most {brackets.MAX_BRACKETS} brackets" in refused.value.message
    assert _counts() == before
    accepted = actions.propose_amendment(people["kz"], unit, kind="replace", content=_brackets(brackets.MAX_BRACKETS))
    assert accepted.content.count("[") == brackets.MAX_BRACKETS


@pytest.mark.django_db
def test_the_room_of_a_unit_at_every_limit_stays_small(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    """A unit at the limits (50 brackets of 10 options, 10,000 characters) keeps the room's answer
    small: what the 100,000-bracket amendment once made 7.9 MB."""
    from tests.texts.test_api_texts import _bearer

    unit = text.units.get(uid="OP1")
    unit.text = text
    option = "y" * 12
    heavy = " ".join("[" + " | ".join([option] * brackets.MAX_OPTIONS) + "]" for _ in range(brackets.MAX_BRACKETS))
    assert len(heavy) <= actions.MAX_CONTENT
    for _ in range(3):
        actions.propose_amendment(people["kz"], unit, kind="replace", content=heavy)
    room = _bearer(people["kz"]).get(f"/api/v1/texts/{text.code}")
    assert room.status_code == 200
    assert len(room.content) < 1_500_000


LIMITS: list[tuple[str, Any, int, str]] = [
    ("texts: a unit's wording", lambda p, t, u, v: actions.edit_unit(p["secretariat"], u, language="ru", content=v),
     actions.MAX_CONTENT, "content"),
    ("texts: an amendment's reason", lambda p, t, u, v: actions.propose_amendment(
        p["kz"], u, kind="replace", content="New wording.", reason=v), actions.MAX_REASON, "reason"),
    ("texts: a position's note", lambda p, t, u, v: actions.state_position(p["kz"], u, stance="reservation", note=v),
     actions.MAX_NOTE, "note"),
    ("texts: a comment", lambda p, t, u, v: actions.add_comment(p["kz"], u, body=v), actions.MAX_COMMENT, "body"),
    ("texts: a private note", lambda p, t, u, v: actions.add_private_note(p["kz"], t, body=v), actions.MAX_NOTE,
     "body"),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "write", "limit", "field"), LIMITS, ids=[limit[0] for limit in LIMITS])
def test_each_field_takes_its_limit_and_not_one_character_more(
    people: dict[str, Any],  # noqa: F811
    text: Text,  # noqa: F811
    name: str,
    write: Any,
    limit: int,
    field: str,
) -> None:
    unit = text.units.get(uid="OP1")
    unit.text = text
    before = _counts()
    with pytest.raises(ActionError) as refused:
        write(people, text, unit, "w" * (limit + 1))
    assert refused.value.field == field
    assert _counts() == before
    write(people, text, unit, "w" * limit)  # accepted


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x9f", "\ud800"])
def test_the_actions_refuse_control_characters_and_lone_surrogates(
    people: dict[str, Any],  # noqa: F811
    text: Text,  # noqa: F811
    char: str,
) -> None:
    unit = text.units.get(uid="OP1")
    unit.text = text
    before = _counts()
    for write, field in [
        (lambda: actions.add_comment(people["kz"], unit, body=f"a{char}b"), "body"),
        (lambda: actions.propose_amendment(people["kz"], unit, kind="replace", content=f"a{char}b"), "content"),
        (lambda: actions.edit_unit(people["secretariat"], unit, language="ru", content=f"a{char}b"), "content"),
    ]:
        with pytest.raises(ActionError) as refused:
            write()
        assert refused.value.field == field
    assert _counts() == before
    actions.add_comment(people["kz"], unit, body="Tabs\tand\r\nline breaks are fine.")


def test_every_limit_is_published_in_the_api_schema(db: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]

    def max_length(name: str, field: str) -> int:
        prop = schema[name]["properties"][field]
        for option in [prop, *prop.get("anyOf", [])]:
            if "maxLength" in option:
                return int(option["maxLength"])
        raise AssertionError(f"{name}.{field} publishes no maxLength")

    published = {
        ("TextCreate", "title"): actions.MAX_TITLE,
        ("UnitIn", "content"): actions.MAX_CONTENT,
        ("UnitEdit", "content"): actions.MAX_CONTENT,
        ("AmendmentIn", "content"): actions.MAX_CONTENT,
        ("AmendmentIn", "reason"): actions.MAX_REASON,
        ("PositionIn", "note"): actions.MAX_NOTE,
        ("CommentIn", "body"): actions.MAX_COMMENT,
        ("NoteIn", "body"): actions.MAX_NOTE,
        ("SilenceBreakIn", "reason"): actions.MAX_REASON,
        ("MeetingCreate", "title_en"): meeting_actions.MAX_TITLE,
        ("MeetingCreate", "city_en"): meeting_actions.MAX_CITY,
        ("AgendaItemIn", "title"): meeting_actions.MAX_TITLE,
        ("AgendaItemIn", "presenter"): meeting_actions.MAX_NAME,
        ("DelegationMemberIn", "full_name"): meeting_actions.MAX_NAME,
        ("DocumentPatch", "body"): meeting_actions.MAX_BODY,
        ("FormatRulesPatch", "rules_basis"): meeting_actions.MAX_RULES_BASIS,
        ("InstructionIn", "title"): decision_actions.MAX_TITLE,
        ("InstructionReportIn", "body"): decision_actions.MAX_REPORT,
        ("CancelIn", "reason"): decision_actions.MAX_REASON,
        ("ReturnIn", "comment"): decision_actions.MAX_COMMENT,
        ("ThreatReportIn", "title"): security_actions.MAX_TITLE,
        ("ThreatReportIn", "summary"): security_actions.MAX_SUMMARY,
        ("ThreatReportIn", "details"): security_actions.MAX_DETAILS,
        ("AssessmentIn", "measures"): security_actions.MAX_ASSESSMENT,
    }
    assert {key: max_length(*key) for key in published} == published
    assert schema["BracketSegmentIn"]["properties"]["options"]["maxItems"] == brackets.MAX_OPTIONS
    assert schema["TextCreate"]["properties"]["units"]["minItems"] == 1
    assert schema["ReturnIn"]["properties"]["comment"]["minLength"] == 1
