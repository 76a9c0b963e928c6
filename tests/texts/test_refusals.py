"""Every refusal of the negotiation actions that no other test met: what the user is told (the
API's status and detail) and that the text is left as it was (no audit event, nothing written)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kenes.meetings.models import Format, Meeting
from kenes.texts import actions
from kenes.texts.models import Amendment, Comment, Position, PrivateNote, Signature, Text, TextStatus, Unit
from tests.conftest import verified
from tests.refusing import refused
from tests.texts.test_negotiation import _all_support, _resolve_bracket, people, text  # noqa: F401  (fixtures)


def zones_refusal(circulated: Text) -> str:
    """The action's refusal of a zone outside the member states' (from the reference data)."""
    from kenes.texts.queries import silence_zones

    return f"Choose the time zone of a member state: {', '.join(silence_zones(circulated))}."


CODE_REFUSAL = "A code has 3 to 100 small Latin letters, digits and hyphens, e.g. fm-2027-statement."

FROZEN = "This text is adopted and frozen: it can no longer change."
NOT_NEGOTIATED = "This text is not under negotiation."


def _new_text(people: dict[str, Any], **changes: Any) -> Any:  # noqa: F811
    arguments: dict[str, Any] = {
        "fmt": Format.objects.get(code="ca_foreign_ministers"),
        "meeting": Meeting.objects.get(code="demo-fm-2027"),
        "code": "demo-refused",
        "title": "DEMO refused statement (fictional)",
        "kind": "joint_statement",
        "classification": "participants",
        "languages": ["ru", "en"],
        "units": [{"kind": "operative", "content": "Ministers meet (demo)."}],
    }
    arguments.update(changes)
    return lambda: actions.create_text(people["secretariat"], **arguments)


CREATE_CASES = {
    "a distribution on open material": (
        {"distribution": "KZ"}, "Only restricted material has a distribution list.", "distribution"),
    "an unknown kind": ({"kind": "poem"}, "Unknown kind of text.", "kind"),
    "no title": ({"title": "   "}, "Give the text a title of at most 300 characters.", "title"),
    "a long title": ({"title": "T" * 301}, "Give the text a title of at most 300 characters.", "title"),
    "restricted without a distribution": (
        {"classification": "restricted"}, "Choose public, participants or members.", "classification"),
    "an unknown level": ({"classification": "secret"}, "Choose public, participants or members.", "classification"),
    "an unknown language": ({"languages": ["ru", "xx"]}, "Unknown language.", "languages"),
    "an unknown working language": ({"working_language": "xx"}, "Unknown language.", "languages"),
    "a meeting of another format": (
        {"meeting": "demo-hos-extra-2027"}, "The meeting belongs to another format.", "meeting"),
    "no paragraph": ({"units": []}, "A text has between 1 and 2000 paragraphs.", "units"),
    "too many paragraphs": (
        {"units": [{"kind": "operative", "content": "x"}] * 2001}, "A text has between 1 and 2000 paragraphs.",
        "units"),
    "an unknown kind of paragraph": (
        {"units": [{"kind": "annex", "content": "x"}]}, "Unknown kind of paragraph.", "units.0.kind"),
    "a taken code": ({"code": "demo-statement"}, "A text with this code already exists.", "code"),
    "a code with a space": (
        {"code": "demo refused"}, CODE_REFUSAL, "code"),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("case", CREATE_CASES)
def test_create_text_refusals(case: str, people: dict[str, Any], text: Text) -> None:  # noqa: F811
    from kenes.states.models import State

    changes, detail, field = CREATE_CASES[case]
    if "distribution" in changes:
        changes = {**changes, "distribution": [State.objects.get(iso2="KZ")]}
    if "meeting" in changes:
        changes = {**changes, "meeting": Meeting.objects.get(code=changes["meeting"])}
    refused(_new_text(people, **changes), 400, detail, field=field, counts=[Text, Unit])


def _adopted(draft: Text) -> Text:
    Text.objects.filter(pk=draft.pk).update(status=TextStatus.ADOPTED, adopted_at=timezone.now())
    return Text.objects.get(pk=draft.pk)


def _op1(draft: Text) -> Unit:
    return Unit.objects.get(text=draft, uid="OP1")


@pytest.mark.django_db
def test_an_adopted_text_is_frozen(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    frozen = _adopted(text)
    unit = _op1(frozen)
    chair = people["secretariat"]
    refused(lambda: actions.edit_unit(chair, unit, language="ru", content="Changed."), 400, FROZEN, watch=[unit])
    refused(lambda: actions.add_unit(chair, frozen, kind="operative", content="New."), 400, FROZEN, counts=[Unit])
    refused(lambda: actions.propose_amendment(people["kz"], unit, kind="delete"), 400, FROZEN, counts=[Amendment])
    refused(lambda: actions.state_position(people["kz"], unit, stance="support"), 400, FROZEN, counts=[Position])
    refused(
        lambda: actions.circulate_for_silence(
            chair, frozen, deadline=timezone.now() + dt.timedelta(days=2), timezone_name="Asia/Almaty"
        ),
        400,
        FROZEN,
        watch=[frozen],
    )
    refused(lambda: actions.adopt_by_consensus(chair, frozen), 400, FROZEN, watch=[frozen])


@pytest.mark.django_db
def test_who_speaks_for_a_delegation(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    from kenes.people.actions import create_account
    from kenes.states.models import State

    unit = _op1(text)
    refused(
        lambda: actions.propose_amendment(people["secretariat"], unit, kind="delete"),
        403,
        "Only a state delegation may do this.",
        counts=[Amendment],
    )
    observer = verified(
        create_account(
            "test", email="observer.kz@example.test", full_name="Observer KZ", password=None, affiliation="state",
            state=State.objects.get(iso2="KZ"), clearance="members", roles=[(None, "observer")],
        )
    )  # fmt: skip
    refused(
        lambda: actions.state_position(observer, unit, stance="support"),
        403,
        "Only a delegate or focal point may do this.",
        counts=[Position],
    )
    amendment = actions.propose_amendment(people["kz"], unit, kind="replace", content="Ministers meet (KZ).")
    refused(
        lambda: actions.withdraw_amendment(people["uz"], amendment),
        403,
        "Only the delegation that proposed an amendment withdraws it.",
        watch=[amendment],
    )


@pytest.mark.django_db
def test_editing_refusals(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    chair = people["secretariat"]
    unit = _op1(text)
    refused(
        lambda: actions.edit_unit(chair, unit, language="kk", content="Changed."),
        400,
        "This text has no version in that language.",
        field="language",
        watch=[unit],
    )
    refused(
        lambda: actions.add_unit(chair, text, kind="annex", content="New."),
        400,
        "Unknown kind of paragraph.",
        field="kind",
        counts=[Unit],
    )
    Unit.objects.filter(pk=unit.pk).update(removed=True)  # removed by an accepted deletion meanwhile
    refused(
        lambda: actions.edit_unit(chair, unit, language="ru", content="Changed."),
        400,
        "This paragraph was removed.",
        watch=[unit],
    )


@pytest.mark.django_db
def test_amendment_refusals(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    kz, unit = people["kz"], _op1(text)
    pp1 = Unit.objects.get(text=text, uid="PP1")
    cases = [
        ({"kind": "move"}, "Unknown kind of amendment.", "kind"),
        ({"kind": "delete", "content": "Other words."}, "A deletion proposes no wording.", "content"),
        ({"kind": "replace", "content": "x", "bracket_index": 0}, "Name both the bracket and the option.",
         "option_index"),
    ]  # fmt: skip
    for arguments, detail, field in cases:
        refused(lambda a=arguments: actions.propose_amendment(kz, unit, **a), 400, detail, field=field,
                counts=[Amendment])  # fmt: skip
    parent = actions.propose_amendment(people["uz"], unit, kind="replace", content="Ministers meet (UZ).")
    refused(
        lambda: actions.propose_amendment(kz, pp1, kind="replace", content="Other.", parent=parent),
        400,
        "Only a proposed amendment to this paragraph can be amended.",
        field="parent",
        counts=[Amendment],
    )
    refused(
        lambda: actions.propose_amendment(kz, unit, kind="delete", parent=parent),
        400,
        "An amendment to an amendment replaces its wording.",
        field="kind",
        counts=[Amendment],
    )


@pytest.mark.django_db
def test_decisions_on_amendments_that_are_no_longer_open(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    chair, unit = people["secretariat"], _op1(text)
    parent = actions.propose_amendment(people["uz"], unit, kind="replace", content="Ministers meet (UZ).")
    child = actions.propose_amendment(people["kz"], unit, kind="replace", content="Ministers meet (KZ).",
                                      parent=parent)  # fmt: skip
    actions.withdraw_amendment(people["uz"], parent)
    parent.refresh_from_db()
    refused(
        lambda: actions.decide_amendment(chair, child, accept=True),
        400,
        "The amendment it amends is no longer open.",
        watch=[child, parent, unit],
    )
    already = "This amendment has already been decided or withdrawn."
    refused(lambda: actions.decide_amendment(chair, parent, accept=False), 400, already, watch=[parent])
    refused(lambda: actions.withdraw_amendment(people["uz"], parent), 400, already, watch=[parent])


@pytest.mark.django_db
def test_an_amendment_to_an_option_that_is_gone(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    chair, unit = people["secretariat"], _op1(text)
    second = actions.propose_amendment(people["kz"], unit, kind="delete", bracket_index=0, option_index=1)
    # The chair rewrites the paragraph after amendments were proposed to its options: the bracket
    # loses the option an amendment names, then the bracket goes altogether.
    actions.edit_unit(chair, unit, language="ru", content="Ministers meet [every six months | annually | never].")
    third = actions.propose_amendment(people["uz"], unit, kind="delete", bracket_index=0, option_index=2)
    actions.edit_unit(chair, unit, language="ru", content="Ministers meet [every six months | annually].")
    unit.refresh_from_db()
    gone = "The option this amendment concerns no longer exists."
    refused(lambda: actions.decide_amendment(chair, third, accept=True), 400, gone, watch=[third, unit])
    actions.edit_unit(chair, unit, language="ru", content="Ministers meet annually.")
    unit.refresh_from_db()
    refused(lambda: actions.decide_amendment(chair, second, accept=True), 400, gone, watch=[second, unit])


@pytest.mark.django_db
def test_position_comment_and_note_refusals(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    unit = _op1(text)
    refused(
        lambda: actions.state_position(people["kz"], unit, stance="support", bracket_index=0),
        400,
        "Name both the bracket and the option.",
        field="option_index",
        counts=[Position],
    )
    Format.objects.filter(pk=text.format_id).update(guests_may_comment=False)
    unit = _op1(text)
    refused(
        lambda: actions.add_comment(people["ru"], unit, body="A guest's view."),
        403,
        "In this format guests do not comment on texts.",
        counts=[Comment],
    )
    other = actions.create_text(
        people["secretariat"], fmt=text.format, code="demo-other", title="DEMO other (fictional)",
        kind="joint_statement", units=[{"kind": "operative", "content": "Other (demo)."}],
    )  # fmt: skip
    refused(
        lambda: actions.add_private_note(people["kz"], other, body="Red line.", unit=unit),
        400,
        "The paragraph belongs to another text.",
        field="unit",
        counts=[PrivateNote],
    )


def _clean(people: dict[str, Any], text: Text) -> Text:  # noqa: F811
    _resolve_bracket(people, text)
    _all_support(people, text)
    return Text.objects.get(pk=text.pk)


def _in_silence(people: dict[str, Any], text: Text) -> Text:  # noqa: F811
    return actions.circulate_for_silence(
        people["secretariat"], _clean(people, text), deadline=timezone.now() + dt.timedelta(days=2),
        timezone_name="Asia/Almaty",
    )  # fmt: skip


@pytest.mark.django_db
def test_silence_refusals(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    chair = people["secretariat"]
    later = timezone.now() + dt.timedelta(days=2)
    refused(
        lambda: actions.circulate_for_silence(chair, text, deadline=later, timezone_name="Mars/Olympus"),
        400,
        zones_refusal(text),
        field="timezone",
        watch=[text],
    )
    refused(
        lambda: actions.break_silence(people["kz"], text, reason="We object."),
        400,
        "This text is not under silence procedure.",
        watch=[text],
    )
    silent = _in_silence(people, text)
    refused(
        lambda: actions.circulate_for_silence(chair, silent, deadline=later, timezone_name="Asia/Almaty"),
        400,
        NOT_NEGOTIATED,
        watch=[silent],
    )
    refused(lambda: actions.adopt_by_consensus(chair, silent), 400, NOT_NEGOTIATED, watch=[silent])
    under_silence = "The text is under silence procedure: it cannot be edited until silence ends."
    refused(lambda: actions.add_unit(chair, silent, kind="operative", content="New (demo)."), 400, under_silence,
            counts=[Unit])  # fmt: skip
    # An amendment proposed before the silence (proposing one now would break the silence).
    amendment = Amendment.objects.create(
        text=silent, unit=_op1(silent), kind="replace", language="ru", content="Other words (demo).",
        state=people["kz"].state,
    )  # fmt: skip
    refused(lambda: actions.decide_amendment(chair, amendment, accept=True), 400, under_silence,
            watch=[amendment, _op1(silent)])  # fmt: skip
    Text.objects.filter(pk=silent.pk).update(silence_deadline=timezone.now() - dt.timedelta(seconds=1))
    overdue = Text.objects.get(pk=silent.pk)
    refused(
        lambda: actions.break_silence(people["kz"], overdue, reason="Too late."),
        400,
        "The silence deadline has passed: it is too late to break silence.",
        watch=[overdue],
    )


@pytest.mark.django_db
def test_only_a_clean_text_is_adopted(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    refused(
        lambda: actions.adopt_by_consensus(people["secretariat"], text),
        400,
        "Only a clean text is adopted; still open: PP1: pending, OP1: bracketed.",
        watch=[text],
    )


@pytest.mark.django_db
def test_signature_refusals(people: dict[str, Any], text: Text) -> None:  # noqa: F811
    refused(lambda: actions.sign(people["kz"], text), 400, "Only an adopted text is signed.", counts=[Signature])
    adopted = actions.adopt_by_consensus(people["secretariat"], _clean(people, text))
    actions.sign(people["kz"], adopted)
    refused(
        lambda: actions.sign(people["kz"], adopted),
        400,
        "Your delegation has already signed this text.",
        counts=[Signature],
    )
