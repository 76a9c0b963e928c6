"""The chair and silence guards of the text actions, as ``./dev mutate`` found them untested
(docs/mutation.md): who holds the pen and who speaks for a delegation, what each refusal says, the
edges of the silence deadline, and what circulating, breaking silence and adopting leave behind."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from kenes.audit.models import AuditEvent
from kenes.audit.redact import fingerprint
from kenes.errors import ActionError
from kenes.meetings.models import Format, Meeting
from kenes.people.actions import create_account
from kenes.people.models import Notification
from kenes.states.models import State
from kenes.texts import actions
from kenes.texts.models import AdoptedBy, SilenceBreak, Text, TextStatus, TextVersion
from tests.conftest import verified


def zones_refusal(text: Text) -> str:
    """The action's refusal of a zone outside the member states' (from the reference data)."""
    from kenes.texts.queries import silence_zones

    return f"Choose the time zone of a member state: {', '.join(silence_zones(text))}."


pytestmark = pytest.mark.django_db

FM = "ca_foreign_ministers"
MEMBER_ISO2 = ("KZ", "KG", "TJ", "TM", "UZ", "AZ")
NOW = dt.datetime(2030, 3, 2, 9, 0, tzinfo=dt.UTC)  # ahead of the real clock: deadlines in the future


def _person(name: str, iso2: str | None, roles: list[tuple[str | None, str]], clearance: str = "members") -> Any:
    return verified(
        create_account(
            "test", email=f"{name}@test.kenes.invalid", full_name=f"Test {name} (fictional)", password=None,
            affiliation="state" if iso2 else "secretariat", state=State.objects.get(iso2=iso2) if iso2 else None,
            clearance=clearance, roles=[(Format.objects.get(code=f) if f else None, r) for f, r in roles],
        )
    )  # fmt: skip


@pytest.fixture
def people(accounts: dict[str, Any]) -> dict[str, Any]:
    out = {"secretariat": verified(accounts["secretariat"]), "ru": verified(accounts["ru"])}
    for iso2 in MEMBER_ISO2:
        out[iso2] = _person(f"delegate.{iso2.lower()}", iso2, [(None, "delegate")])
    return out


def _text(
    people: dict[str, Any], content: str = "Ministers meet twice a year (test).", code: str = "test-text"
) -> Text:
    return actions.create_text(
        people["secretariat"], fmt=Format.objects.get(code=FM), meeting=Meeting.objects.get(code="demo-fm-2027"),
        code=code, title="TEST statement (fictional)",
        kind="joint_statement", classification="participants", units=[{"kind": "operative", "content": content}],
    )  # fmt: skip


def _agree(people: dict[str, Any], text: Text, states: tuple[str, ...] = MEMBER_ISO2) -> None:
    for unit in text.units.filter(removed=False):
        for iso2 in states:
            actions.state_position(people[iso2], unit, stance="support")


def _circulated(people: dict[str, Any], deadline: dt.datetime) -> Text:
    text = _text(people)
    _agree(people, text)
    return actions.circulate_for_silence(people["secretariat"], text, deadline=deadline, timezone_name="Asia/Almaty")


# --- Who holds the pen, who speaks for a delegation ---------------------------------------------


def test_only_a_member_delegate_or_focal_point_in_the_format_speaks_for_a_state(people: dict[str, Any]) -> None:
    text = _text(people)
    deadline = timezone.now() + dt.timedelta(days=2)
    _agree(people, text)
    actions.circulate_for_silence(people["secretariat"], text, deadline=deadline, timezone_name="Asia/Almaty")
    refusals = [
        (people["secretariat"], "Only a state delegation may do this."),
        (_person("observer.kz", "KZ", [(None, "observer")]), "Only a delegate or focal point may do this."),
        (  # reads the text (an observer everywhere), a delegate only in another format
            _person("delegate.kz.hos", "KZ", [(None, "observer"), ("ca_heads_of_state", "delegate")]),
            "Only a delegate or focal point may do this.",
        ),
        (people["ru"], "Guests take part without a say: only member delegations may do this."),
    ]
    for actor, message in refusals:
        with pytest.raises(PermissionDenied) as caught:
            actions.break_silence(actor, text, reason="We object (test).")
        assert str(caught.value) == message
    assert Text.objects.get(pk=text.pk).status == TextStatus.SILENCE
    focal = _person("focal.kz.fm", "KZ", [(FM, "focal_point")])
    assert actions.break_silence(focal, text, reason="We object (test).").status == TextStatus.DRAFTING


def test_the_chair_of_a_text_is_its_formats_secretariat(people: dict[str, Any]) -> None:
    text = _text(people)
    _agree(people, text)
    with pytest.raises(Http404):  # the secretariat of another format does not even read it
        actions.adopt_by_consensus(_person("secretariat.hos", None, [("ca_heads_of_state", "secretariat")]), text)
    for actor in (people["KZ"], people["ru"]):
        with pytest.raises(PermissionDenied, match=r"^Only the secretariat of this format may do this\.$"):
            actions.adopt_by_consensus(actor, text)
    with pytest.raises(PermissionDenied, match=r"^Only the secretariat of this format may do this\.$"):
        actions.circulate_for_silence(
            people["KZ"], text, deadline=timezone.now() + dt.timedelta(days=2), timezone_name="Asia/Almaty"
        )
    assert Text.objects.get(pk=text.pk).status == TextStatus.DRAFTING
    assert actions.adopt_by_consensus(people["secretariat"], text).status == TextStatus.ADOPTED


def test_restricted_measures_are_chaired_by_an_officer_on_the_distribution_and_agreed_by_it(
    accounts: dict[str, Any],
) -> None:
    kg, states = verified(accounts["kg"]), {s.iso2: s for s in State.objects.filter(iso2__in=["KG", "UZ", "KZ"])}
    uz = _person("officer.uz", "UZ", [(None, "security_officer"), (None, "delegate")], clearance="restricted")
    kz = _person("officer.kz", "KZ", [(None, "security_officer"), (None, "delegate")], clearance="restricted")
    text = actions.create_text(
        kg, fmt=Format.objects.get(code="ca_security_council_secretaries"), code="test-measures",
        title="TEST joint measures (fictional)", kind="roadmap", classification="restricted",
        distribution=[states["KG"], states["UZ"]], units=[{"content": "Exchange weekly reports (test)."}],
    )  # fmt: skip
    with pytest.raises(Http404):  # an officer of a state not on the distribution does not see it
        actions.adopt_by_consensus(kz, text)
    deadline = timezone.now() + dt.timedelta(days=2)
    with pytest.raises(ActionError, match="still open: OP1: pending"):
        actions.circulate_for_silence(uz, text, deadline=deadline, timezone_name="Asia/Tashkent")
    actions.state_position(kg, text.units.get(), stance="support")
    with pytest.raises(ActionError, match="still open: OP1: pending"):
        actions.adopt_by_consensus(uz, text)
    actions.state_position(uz, text.units.get(), stance="support")
    # The two states on the distribution suffice: no other member is asked.
    assert actions.is_clean(text) == (True, [])
    circulated = actions.circulate_for_silence(uz, text, deadline=deadline, timezone_name="Asia/Tashkent")
    assert circulated.status == TextStatus.SILENCE
    with pytest.raises(Http404):
        actions.break_silence(kz, text, reason="We are not on it (test).")


# --- Clean, frozen ------------------------------------------------------------------------------


def test_is_clean_names_every_unit_still_open_with_its_state(people: dict[str, Any]) -> None:
    text = _text(people, "Meet [often | rarely] (test).")
    actions.add_unit(people["secretariat"], text, kind="operative", content="Second paragraph (test).")
    assert actions.is_clean(text) == (False, ["OP1: bracketed", "OP2: pending"])
    second = text.units.get(uid="OP2")
    actions.state_position(people["KZ"], second, stance="objection", note="No (test).")
    assert actions.is_clean(text) == (False, ["OP1: bracketed", "OP2: objected"])
    with pytest.raises(ActionError) as caught:
        actions.adopt_by_consensus(people["secretariat"], text)
    assert caught.value.message == "Only a clean text is adopted; still open: OP1: bracketed, OP2: objected."


def test_an_adopted_text_is_frozen(people: dict[str, Any]) -> None:
    text = _text(people)
    _agree(people, text)
    adopted = actions.adopt_by_consensus(people["secretariat"], text)
    for attempt in (
        lambda: actions.adopt_by_consensus(people["secretariat"], adopted),
        lambda: actions.circulate_for_silence(
            people["secretariat"], adopted, deadline=timezone.now() + dt.timedelta(days=2), timezone_name="Asia/Almaty"
        ),
        lambda: actions.edit_unit(people["secretariat"], adopted.units.get(), language="ru", content="Other."),
    ):
        with pytest.raises(ActionError) as caught:
            attempt()
        assert caught.value.message == "This text is adopted and frozen: it can no longer change."


def test_adoption_by_consensus_records_how_when_and_the_hashes(people: dict[str, Any]) -> None:
    text = _text(people)
    _agree(people, text)
    with time_machine.travel(NOW, tick=False):
        adopted = actions.adopt_by_consensus(people["secretariat"], text)
    assert adopted == Text.objects.get(pk=text.pk)
    assert (adopted.status, adopted.adopted_by, adopted.adopted_at) == (TextStatus.ADOPTED, AdoptedBy.CONSENSUS, NOW)
    assert set(adopted.adopted_hashes) == {"ru"}
    event = AuditEvent.objects.get(verb="text.adopted", target_id=str(text.pk))
    assert event.actor == people["secretariat"] and event.data["by"] == "consensus"


def test_a_text_under_silence_is_not_adopted_by_consensus_nor_circulated_again(people: dict[str, Any]) -> None:
    text = _circulated(people, timezone.now() + dt.timedelta(days=2))
    for attempt in (
        lambda: actions.adopt_by_consensus(people["secretariat"], text),
        lambda: actions.circulate_for_silence(
            people["secretariat"], text, deadline=timezone.now() + dt.timedelta(days=3), timezone_name="Asia/Almaty"
        ),
    ):
        with pytest.raises(ActionError) as caught:
            attempt()
        assert caught.value.message == "This text is not under negotiation."


# --- Circulating under silence ------------------------------------------------------------------


def test_circulation_needs_a_known_time_zone_and_a_deadline_more_than_a_minute_ahead(people: dict[str, Any]) -> None:
    text = _text(people)
    _agree(people, text)
    sec = people["secretariat"]
    with pytest.raises(ActionError) as caught:
        actions.circulate_for_silence(sec, text, deadline=timezone.now() + dt.timedelta(days=2), timezone_name="Mars")
    assert (caught.value.message, caught.value.field) == (
        zones_refusal(text),
        "timezone",
    )
    with time_machine.travel(NOW, tick=False):
        for too_soon in (NOW - dt.timedelta(hours=1), NOW + dt.timedelta(minutes=1)):
            with pytest.raises(ActionError) as caught:
                actions.circulate_for_silence(sec, text, deadline=too_soon, timezone_name="Asia/Almaty")
            assert (caught.value.message, caught.value.field) == ("The deadline must be in the future.", "deadline")
        deadline = NOW + dt.timedelta(minutes=1, seconds=1)
        circulated = actions.circulate_for_silence(sec, text, deadline=deadline, timezone_name="Asia/Almaty")
    assert circulated.silence_deadline == deadline


def test_a_deadline_without_a_zone_is_read_in_the_chosen_zone(people: dict[str, Any]) -> None:
    text = _text(people)
    _agree(people, text)
    local = dt.datetime(2030, 5, 1, 18, 0)  # as typed in the form
    circulated = actions.circulate_for_silence(people["secretariat"], text, deadline=local, timezone_name="Asia/Almaty")
    expected = local.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Almaty"))
    assert circulated.silence_deadline == expected
    stored = Text.objects.get(pk=text.pk)
    assert (stored.status, stored.silence_deadline, stored.silence_timezone) == (
        TextStatus.SILENCE, expected, "Asia/Almaty",
    )  # fmt: skip
    assert TextVersion.objects.filter(text=text, reason="circulated under silence procedure").exists()
    event = AuditEvent.objects.get(verb="silence.started", target_id=str(text.pk))
    assert event.data == {"deadline": expected.isoformat(), "timezone": "Asia/Almaty"}
    notified = set(
        Notification.objects.filter(text__contains="silence procedure").values_list("account__email", flat=True)
    )
    assert {"delegate.kz@test.kenes.invalid", "secretariat@demo.kenes.invalid"} <= notified


def test_a_text_with_problems_is_not_circulated_and_the_problems_are_named(people: dict[str, Any]) -> None:
    text = _text(people, "Meet [often | rarely] (test).")
    with pytest.raises(ActionError) as caught:
        actions.circulate_for_silence(
            people["secretariat"], text, deadline=timezone.now() + dt.timedelta(days=2), timezone_name="Asia/Almaty"
        )
    assert caught.value.message == "Only a clean text goes under silence; still open: OP1: bracketed."
    assert caught.value.field == "deadline"
    assert Text.objects.get(pk=text.pk).status == TextStatus.DRAFTING


# --- Breaking silence ---------------------------------------------------------------------------


def test_breaking_silence_records_who_why_and_the_deadline_and_reopens_the_text(
    people: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    deadline = timezone.now() + dt.timedelta(days=2)
    text = _circulated(people, deadline)
    with pytest.raises(ActionError) as caught:
        actions.break_silence(people["TJ"], text, reason="   ")
    assert (caught.value.message, caught.value.field) == ("Breaking silence gives its reason.", "reason")
    with django_capture_on_commit_callbacks(execute=True):
        reopened = actions.break_silence(people["TJ"], text, reason="  We need another day (test).  ")
    assert (reopened.status, reopened.silence_deadline) == (TextStatus.DRAFTING, None)
    silence_break = SilenceBreak.objects.get(text=text)
    assert (silence_break.state.iso2, silence_break.reason, silence_break.deadline, silence_break.author) == (
        "TJ", "We need another day (test).", deadline, people["TJ"],
    )  # fmt: skip
    event = AuditEvent.objects.get(verb="silence.broken", target_id=str(text.pk))
    assert event.data == {"state": "TJ", "reason": fingerprint("We need another day (test).")}
    assert Notification.objects.filter(text__startswith="Silence was broken on a text").exists()
    with pytest.raises(ActionError) as caught:
        actions.break_silence(people["TJ"], reopened, reason="Again (test).")
    assert caught.value.message == "This text is not under silence procedure."


def test_silence_cannot_be_broken_at_or_after_the_deadline(people: dict[str, Any]) -> None:
    text = _circulated(people, NOW + dt.timedelta(days=2))
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False), pytest.raises(ActionError) as caught:
        actions.break_silence(people["KZ"], text, reason="Too late (test).")
    assert caught.value.message == "The silence deadline has passed: it is too late to break silence."
    with time_machine.travel(NOW + dt.timedelta(days=2) - dt.timedelta(seconds=1), tick=False):
        actions.break_silence(people["KZ"], text, reason="Just in time (test).")
    assert Text.objects.get(pk=text.pk).status == TextStatus.DRAFTING


# --- Adoption when silence ends -----------------------------------------------------------------


def test_silence_adopts_every_text_whose_deadline_has_come_and_no_other(people: dict[str, Any]) -> None:
    with time_machine.travel(NOW, tick=False):
        first = _circulated(people, NOW + dt.timedelta(days=1))
        second = _text(people, code="test-later")
        _agree(people, second)
        actions.circulate_for_silence(
            people["secretariat"], second, deadline=NOW + dt.timedelta(days=3), timezone_name="Asia/Almaty"
        )
    assert actions.adopt_due_silences(now=NOW + dt.timedelta(days=1) - dt.timedelta(seconds=1)) == []
    assert actions.adopt_due_silences(now=NOW + dt.timedelta(days=1)) == ["test-text"]  # at the deadline itself
    adopted = Text.objects.get(pk=first.pk)
    assert (adopted.status, adopted.adopted_by, adopted.adopted_at) == (
        TextStatus.ADOPTED, AdoptedBy.SILENCE, NOW + dt.timedelta(days=1),
    )  # fmt: skip
    assert adopted.adopted_hashes and set(adopted.adopted_hashes) == {"ru"}
    event = AuditEvent.objects.get(verb="text.adopted", target_id=str(first.pk))
    assert event.actor_label == "silence procedure" and event.data["by"] == "silence"
    assert Text.objects.get(pk=second.pk).status == TextStatus.SILENCE
    with time_machine.travel(NOW + dt.timedelta(days=5), tick=False):
        assert actions.adopt_due_silences() == ["test-later"]  # now by default
    assert actions.adopt_due_silences(now=NOW + dt.timedelta(days=9)) == []
