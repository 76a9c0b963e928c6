"""The negotiation rules through the actions: drafting, amendments, positions, consensus, silence,
adoption, signatures; every refusal leaves the text as it was."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kenes.access.policy import can, visible
from kenes.errors import ActionError
from kenes.meetings.models import Format, Meeting
from kenes.texts import actions, queries
from kenes.texts.models import AmendmentStatus, PrivateNote, Text, TextStatus, UnitVersion
from kenes.texts.rules import UnitState, canonical_text, sha256
from tests.conftest import verified

MEMBERS = ("kz", "uz", "kg")  # demo member delegations; TJ, TM and AZ get test accounts below


@pytest.fixture
def people(accounts: dict[str, Any]) -> dict[str, Any]:
    from kenes.people.actions import create_account
    from kenes.states.models import State

    out = {name: verified(accounts[name]) for name in ("secretariat", "kz", "uz", "kg", "ru", "cn")}
    for iso2 in ("TJ", "TM", "AZ"):
        out[iso2.lower()] = verified(
            create_account(
                "test", email=f"delegate.{iso2.lower()}@example.test", full_name=f"Delegate {iso2}", password=None,
                affiliation="state", state=State.objects.get(iso2=iso2), clearance="members",
                roles=[(None, "delegate")],
            )
        )  # fmt: skip
    return out


@pytest.fixture
def text(people: dict[str, Any]) -> Text:
    return actions.create_text(
        people["secretariat"],
        fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=Meeting.objects.get(code="demo-fm-2027"),
        code="demo-statement",
        title="DEMO joint statement (fictional)",
        kind="joint_statement",
        classification="participants",
        languages=["ru", "en"],
        units=[
            {"kind": "preamble", "content": "Recalling the IV Consultative Meeting (demo),"},
            {"kind": "operative",
             "content": "Ministers meet [at least once every six months {KZ,UZ} | annually {TM}]."},
        ],
    )  # fmt: skip


def _all_support(people: dict[str, Any], text: Text) -> None:
    for unit in text.units.filter(removed=False):
        for name in ("kz", "uz", "kg", "tj", "tm", "az"):
            actions.state_position(people[name], unit, stance="support")


def _resolve_bracket(people: dict[str, Any], text: Text) -> None:
    op1 = text.units.get(uid="OP1")
    amendment = actions.propose_amendment(people["kz"], op1, kind="delete", bracket_index=0, option_index=1)
    actions.decide_amendment(people["secretariat"], amendment, accept=True)


@pytest.mark.django_db
def test_units_have_stable_ids_and_language_versions(text: Text, people: dict[str, Any]) -> None:
    assert [u.uid for u in text.units.order_by("order")] == ["PP1", "OP1"]
    en = UnitVersion.objects.get(unit__uid="PP1", unit__text=text, language="en")
    assert en.out_of_date and en.content == ""
    unit = text.units.get(uid="PP1")
    actions.edit_unit(people["secretariat"], unit, language="en", content="Recalling the IV meeting (demo),")
    assert not UnitVersion.objects.get(pk=en.pk).out_of_date
    actions.edit_unit(people["secretariat"], unit, language="ru", content="Ссылаясь на IV встречу (демо),")
    assert UnitVersion.objects.get(pk=en.pk).out_of_date  # the Russian changed: English is now stale


@pytest.mark.django_db
def test_unbalanced_bracket_is_refused(text: Text, people: dict[str, Any]) -> None:
    unit = text.units.get(uid="OP1")
    before = UnitVersion.objects.get(unit=unit, language="ru").content
    with pytest.raises(ActionError, match="brackets are not right"):
        actions.edit_unit(people["secretariat"], unit, language="ru", content="Ministers meet [annually.")
    assert UnitVersion.objects.get(unit=unit, language="ru").content == before
    assert text.text_versions.count() == 1


@pytest.mark.django_db
def test_consensus_needs_every_member_and_no_objection(text: Text, people: dict[str, Any]) -> None:
    pp1 = text.units.get(uid="PP1")
    for name in ("kz", "uz", "kg", "tj", "tm"):
        actions.state_position(people[name], pp1, stance="support")
    states = {u.uid: s for u, s in queries.unit_states(text)}
    assert states == {"PP1": UnitState.PENDING, "OP1": UnitState.BRACKETED}  # Azerbaijan has not spoken
    actions.state_position(people["az"], pp1, stance="reservation", note="on the wording of 'Recalling'")
    assert {u.uid: s for u, s in queries.unit_states(text)}["PP1"] == UnitState.AGREED
    actions.state_position(people["tm"], pp1, stance="objection", note="demo objection")
    assert {u.uid: s for u, s in queries.unit_states(text)}["PP1"] == UnitState.OBJECTED


@pytest.mark.django_db
def test_guests_have_no_say(text: Text, people: dict[str, Any]) -> None:
    pp1 = text.units.get(uid="PP1")
    with pytest.raises(PermissionDenied, match="Guests"):
        actions.state_position(people["cn"], pp1, stance="objection", note="x")
    with pytest.raises(PermissionDenied):
        actions.propose_amendment(people["cn"], pp1, kind="replace", content="Other words")
    comment = actions.add_comment(people["cn"], pp1, body="A guest's remark (demo).")
    assert comment.state.iso2 == "CN"
    assert not pp1.positions.exists() and not text.amendments.exists()


@pytest.mark.django_db
def test_objection_and_reservation_need_reasons(text: Text, people: dict[str, Any]) -> None:
    pp1 = text.units.get(uid="PP1")
    with pytest.raises(ActionError, match="reason"):
        actions.state_position(people["kz"], pp1, stance="objection")
    with pytest.raises(ActionError):
        actions.state_position(people["kz"], pp1, stance="reservation")
    assert not pp1.positions.exists()


@pytest.mark.django_db
def test_amendments_to_options_and_to_amendments(text: Text, people: dict[str, Any]) -> None:
    op1 = text.units.get(uid="OP1")
    proposal = actions.propose_amendment(people["tm"], op1, kind="replace", bracket_index=0, option_index=1,
                                         content="once a year")  # fmt: skip
    counter = actions.propose_amendment(people["uz"], op1, kind="replace", parent=proposal, content="every year")
    actions.decide_amendment(people["secretariat"], counter, accept=True)
    proposal.refresh_from_db()
    assert proposal.content == "every year" and proposal.status == AmendmentStatus.PROPOSED
    actions.decide_amendment(people["secretariat"], proposal, accept=True)
    content = UnitVersion.objects.get(unit=op1, language="ru").content
    assert content == "Ministers meet [at least once every six months {KZ,UZ} | every year {TM}]."
    with pytest.raises(ActionError, match="no such option"):
        actions.propose_amendment(people["kz"], op1, kind="delete", bracket_index=3, option_index=0)
    with pytest.raises(ActionError, match="already been decided"):
        actions.decide_amendment(people["secretariat"], proposal, accept=False)


@pytest.mark.django_db
def test_positions_lapse_when_the_words_change(text: Text, people: dict[str, Any]) -> None:
    _resolve_bracket(people, text)
    _all_support(people, text)
    assert all(s == UnitState.AGREED for _u, s in queries.unit_states(text))
    op1 = text.units.get(uid="OP1")
    actions.edit_unit(people["secretariat"], op1, language="ru", content="Ministers meet twice a year.")
    assert {u.uid: s for u, s in queries.unit_states(text)}["OP1"] == UnitState.PENDING


@pytest.mark.django_db
def test_versions_and_word_diff(text: Text, people: dict[str, Any]) -> None:
    _resolve_bracket(people, text)
    versions = list(text.text_versions.order_by("number"))
    assert [v.open_brackets for v in versions] == [1, 0]
    diff = queries.diff_versions(text, 1, 2)
    op1 = next(d for d in diff if d["uid"] == "OP1")
    assert op1["change"] == "changed"
    assert any(op == "-" and "annually" in words for op, words in op1["diff"])


@pytest.mark.clock
@pytest.mark.django_db
def test_silence_broken_by_a_member_not_by_a_guest(text: Text, people: dict[str, Any]) -> None:
    with pytest.raises(ActionError, match="clean"):
        actions.circulate_for_silence(people["secretariat"], text, deadline=timezone.now() + dt.timedelta(days=2),
                                      timezone_name="Asia/Almaty")  # fmt: skip
    _resolve_bracket(people, text)
    _all_support(people, text)
    deadline = timezone.now() + dt.timedelta(days=2)
    actions.circulate_for_silence(people["secretariat"], text, deadline=deadline, timezone_name="Asia/Almaty")
    with pytest.raises(PermissionDenied):
        actions.break_silence(people["cn"], text, reason="guest")
    assert Text.objects.get(pk=text.pk).status == TextStatus.SILENCE
    actions.break_silence(people["tj"], text, reason="Demo: we need another day.")
    current = Text.objects.get(pk=text.pk)
    assert current.status == TextStatus.DRAFTING and current.silence_breaks.get().state.iso2 == "TJ"


@pytest.mark.clock
@pytest.mark.django_db
def test_silence_adopts_once_and_refuses_late_objections(text: Text, people: dict[str, Any]) -> None:
    _resolve_bracket(people, text)
    _all_support(people, text)
    for unit in text.units.all():
        actions.edit_unit(people["secretariat"], unit, language="en", content=f"English {unit.uid} (demo).")
    deadline = timezone.now() + dt.timedelta(days=2)
    actions.circulate_for_silence(people["secretariat"], text, deadline=deadline, timezone_name="Asia/Bishkek")
    assert actions.adopt_due_silences(now=deadline - dt.timedelta(seconds=1)) == []
    Text.objects.filter(pk=text.pk).update(silence_deadline=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ActionError, match="too late"):
        actions.break_silence(people["kz"], text, reason="late")
    assert actions.adopt_due_silences() == ["demo-statement"]
    assert actions.adopt_due_silences() == []  # exactly once
    adopted = Text.objects.get(pk=text.pk)
    assert adopted.status == TextStatus.ADOPTED and adopted.adopted_by == "silence"
    units = [(u.uid, UnitVersion.objects.get(unit=u, language="ru").content) for u in adopted.units.order_by("order")]
    assert adopted.adopted_hashes["ru"] == sha256(canonical_text(units))
    assert set(adopted.adopted_hashes) == {"ru", "en"}
    with pytest.raises(ActionError, match="frozen"):
        actions.propose_amendment(people["kz"], adopted.units.first(), kind="replace", content="x")
    signature = actions.sign(people["kz"], adopted)
    assert signature.hashes == adopted.adopted_hashes
    with pytest.raises(ActionError, match="already signed"):
        actions.sign(people["kz"], adopted)
    with pytest.raises(PermissionDenied):
        actions.sign(people["cn"], adopted)


@pytest.mark.django_db
def test_private_notes_stay_with_their_delegation(text: Text, people: dict[str, Any]) -> None:
    note = actions.add_private_note(people["kz"], text, body="DEMO red line (fictional)", red_line=True)
    assert can(people["kz"], "view", note)
    for other in ("uz", "secretariat", "cn", "kg"):
        assert not can(people[other], "view", note)
    assert list(visible(people["uz"], PrivateNote.objects.all())) == []


@pytest.mark.django_db
def test_guest_never_sees_a_members_only_text(people: dict[str, Any]) -> None:
    members_only = actions.create_text(
        people["secretariat"], fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=Meeting.objects.get(code="demo-fm-2027"), code="demo-members-text", title="DEMO members text",
        kind="concept", classification="members", units=[{"content": "Text (demo)."}],
    )  # fmt: skip
    assert can(people["kz"], "view", members_only)
    assert not can(people["cn"], "view", members_only)
    assert not queries.texts_for(people["cn"]).filter(pk=members_only.pk).exists()


@pytest.mark.django_db
def test_a_format_may_close_comments_to_guests(text: Text, people: dict[str, Any]) -> None:
    from kenes.meetings.actions import update_format_rules

    fmt = text.format
    update_format_rules(
        people["secretariat"], fmt, expected_version=fmt.rules_version, cadence_months=fmt.cadence_months,
        chair_rule=fmt.chair_rule, rotation_order=fmt.rotation, invitable=fmt.invitable_standings,
        default_classification=fmt.default_classification, working_languages=fmt.languages,
        guests_may_comment=False,
    )  # fmt: skip
    text.refresh_from_db()
    unit = Text.objects.get(pk=text.pk).units.get(uid="PP1")
    with pytest.raises(PermissionDenied, match="do not comment"):
        actions.add_comment(people["cn"], unit, body="A guest's remark (demo).")
    assert actions.add_comment(people["kz"], unit, body="A member's remark (demo).").state.iso2 == "KZ"
    assert unit.comments.count() == 1
