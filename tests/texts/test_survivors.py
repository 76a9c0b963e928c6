"""Mutation survivors of the negotiation (issue 17): only the chair adopts or circulates a text; no
paragraph changes under silence; notifications about a text reach only those who may read it; a
brace outside a bracket is refused. Each through the action, and where one exists the page and the
API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from kenes.audit.models import AuditEvent
from kenes.errors import ActionError
from kenes.meetings.models import Format, Meeting
from kenes.people.demo import DEMO_PASSWORD
from kenes.people.models import Notification
from kenes.texts import actions, brackets
from kenes.texts.models import Text, TextStatus, UnitVersion
from kenes.texts.queries import unit_states
from tests.conftest import login, verified

pytestmark = pytest.mark.django_db

MEMBERS = ("kz", "uz", "kg", "tj", "tm", "az")
PP1 = "Recalling the demo meeting (fictional),"
OP1 = "Ministers meet at least once every six months (fictional)."


def _account(email: str, iso2: str, clearance: str, roles: list[tuple[Any, str]]) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kenes.people.actions import create_account
    from kenes.states.models import State

    account = create_account(
        "test", email=email, full_name=f"Test {iso2} ({clearance})", password=DEMO_PASSWORD, affiliation="state",
        state=State.objects.get(iso2=iso2), clearance=clearance, roles=roles, check_password=False,
    )  # fmt: skip
    if account.requires_two_factor:
        TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    return account


@pytest.fixture
def people(accounts: dict[str, Any]) -> dict[str, Any]:
    """The demo accounts and delegates of TJ, TM and AZ, each able to sign in (password and TOTP)."""
    out = {name: accounts[name] for name in ("secretariat", "kz", "uz", "kg", "ru", "cn")}
    for iso2 in ("TJ", "TM", "AZ"):
        out[iso2.lower()] = _account(f"delegate.{iso2.lower()}@test.kenes.invalid", iso2, "members",
                                     [(None, "delegate")])  # fmt: skip
    return out


def _as(people: dict[str, Any], name: str) -> Any:
    return verified(people[name])


def _bearer(account: Any) -> Client:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _clean_text(people: dict[str, Any], code: str = "test-clean", classification: str = "participants") -> Text:
    """A text with no brackets that every member supports: ready for silence or adoption."""
    text = actions.create_text(
        _as(people, "secretariat"), fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=Meeting.objects.get(code="demo-fm-2027"), code=code, title=f"TEST clean statement {code} (fictional)",
        kind="joint_statement", classification=classification, languages=["ru", "en"],
        units=[{"kind": "preamble", "content": PP1}, {"kind": "operative", "content": OP1}],
    )  # fmt: skip
    for unit in text.units.all():
        for name in MEMBERS:
            actions.state_position(_as(people, name), unit, stance="support")
    assert actions.is_clean(text) == (True, [])
    return Text.objects.get(pk=text.pk)


def _deadline(days: int = 2) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def _local_deadline(days: int = 2) -> str:
    return timezone.localtime(_deadline(days)).strftime("%Y-%m-%dT%H:%M")


def _unchanged(text: Text) -> None:
    current = Text.objects.get(pk=text.pk)
    assert current.status == TextStatus.DRAFTING and current.adopted_at is None
    assert current.version == text.version and current.silence_deadline is None
    assert not AuditEvent.objects.filter(target_id=str(text.pk), verb__in=["text.adopted", "silence.started"]).exists()


# --- only the chair adopts and circulates -------------------------------------------------------


def test_a_member_delegate_may_not_adopt_or_circulate_a_text(people: dict[str, Any]) -> None:
    text = _clean_text(people)
    for name in ("kz", "tj", "uz"):  # a delegate, a delegate without demo material, a focal point
        with pytest.raises(PermissionDenied):
            actions.adopt_by_consensus(_as(people, name), text)
        with pytest.raises(PermissionDenied):
            actions.circulate_for_silence(_as(people, name), text, deadline=_deadline(), timezone_name="Asia/Almaty")
        _unchanged(text)
    # the text was ready: the chair's pen adopts it
    adopted = actions.adopt_by_consensus(_as(people, "secretariat"), text)
    assert adopted.status == TextStatus.ADOPTED and adopted.adopted_by == "consensus"


def test_a_member_delegate_is_refused_on_the_page(people: dict[str, Any]) -> None:
    text = _clean_text(people)
    client = login(Client(), people["kz"])
    room = client.get(f"/texts/{text.code}/").content.decode()
    assert f'action="/texts/{text.code}/adopt/"' not in room
    assert f'action="/texts/{text.code}/silence/"' not in room
    assert client.post(f"/texts/{text.code}/adopt/").status_code == 403
    response = client.post(f"/texts/{text.code}/silence/", {"deadline": _local_deadline(), "timezone": "Asia/Almaty"})
    assert response.status_code == 403
    _unchanged(text)
    chair = login(Client(), people["secretariat"])
    assert chair.post(f"/texts/{text.code}/silence/", {"deadline": _local_deadline(),
                                                       "timezone": "Asia/Almaty"}).status_code == 302  # fmt: skip
    assert Text.objects.get(pk=text.pk).status == TextStatus.SILENCE


def test_a_member_delegate_is_refused_through_the_api(people: dict[str, Any]) -> None:
    text = _clean_text(people)
    client = _bearer(people["kz"])
    assert client.post(f"/api/v1/texts/{text.code}/adopt").status_code == 403
    body = {"deadline": _local_deadline(), "timezone": "Asia/Almaty"}
    response = client.post(f"/api/v1/texts/{text.code}/silence", body, content_type="application/json")
    assert response.status_code == 403
    _unchanged(text)
    response = _bearer(people["secretariat"]).post(f"/api/v1/texts/{text.code}/adopt")
    assert response.status_code == 200 and response.json()["status"] == TextStatus.ADOPTED


# --- no paragraph changes under silence ---------------------------------------------------------


@pytest.fixture
def under_silence(people: dict[str, Any]) -> Text:
    text = _clean_text(people, code="test-silent")
    actions.circulate_for_silence(_as(people, "secretariat"), text, deadline=_deadline(), timezone_name="Asia/Almaty")
    current = Text.objects.get(pk=text.pk)
    assert current.status == TextStatus.SILENCE
    return current


def _words(text: Text) -> dict[tuple[str, str], str]:
    return {
        (v.unit.uid, v.language): v.content for v in UnitVersion.objects.filter(unit__text=text).select_related("unit")
    }


def _still_silent(text: Text, words: dict[tuple[str, str], str]) -> None:
    current = Text.objects.get(pk=text.pk)
    assert current.status == TextStatus.SILENCE and current.version == text.version
    assert _words(current) == words
    assert {u.uid: u.revision for u in current.units.all()} == {u.uid: u.revision for u in text.units.all()}
    assert all(state == "agreed" for _unit, state in unit_states(current))  # the support stands


@pytest.mark.clock
def test_a_paragraph_is_not_edited_under_silence(people: dict[str, Any], under_silence: Text) -> None:
    words = _words(under_silence)
    unit = under_silence.units.get(uid="OP1")
    for language in ("ru", "en"):  # the working language and a translation
        with pytest.raises(ActionError, match="under silence procedure"):
            actions.edit_unit(_as(people, "secretariat"), unit, language=language, content="Ministers meet yearly.",
                              expected_revision=unit.revision)  # fmt: skip
    _still_silent(under_silence, words)


@pytest.mark.clock
def test_a_paragraph_is_not_edited_under_silence_on_the_page(people: dict[str, Any], under_silence: Text) -> None:
    words = _words(under_silence)
    unit = under_silence.units.get(uid="OP1")
    response = login(Client(), people["secretariat"]).post(f"/texts/{under_silence.code}/units/OP1/edit/", {
        "language": "ru", "content": "Ministers meet yearly.", "revision": unit.revision,
    })  # fmt: skip
    assert response.status_code == 400
    assert "The text is under silence procedure: it cannot be edited until silence ends." in response.content.decode()
    _still_silent(under_silence, words)


@pytest.mark.clock
def test_a_paragraph_is_not_edited_under_silence_through_the_api(people: dict[str, Any], under_silence: Text) -> None:
    words = _words(under_silence)
    unit = under_silence.units.get(uid="OP1")
    response = _bearer(people["secretariat"]).put(
        f"/api/v1/texts/{under_silence.code}/units/OP1/ru",
        {"expected_revision": unit.revision, "content": "Ministers meet yearly."}, content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "under silence procedure" in response.json()["detail"]
    _still_silent(under_silence, words)


# --- notifications reach only those who may read the text --------------------------------------


@pytest.fixture
def blind(people: dict[str, Any]) -> dict[str, Any]:
    """Accounts of a member state that cannot read a members-only text of the ministers' format: one
    cleared only ``participants``, one cleared ``members`` but with a role in another format."""
    scs = Format.objects.get(code="ca_security_council_secretaries")
    return {
        "low_clearance": _account("kz.participants@test.kenes.invalid", "KZ", "participants", [(None, "delegate")]),
        "other_format": _account("kz.scs@test.kenes.invalid", "KZ", "members", [(scs, "delegate")]),
    }


def test_notifications_about_a_text_skip_who_cannot_read_it(
    people: dict[str, Any], blind: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from kenes.access.policy import can

    text = _clean_text(people, code="test-members-notice", classification="members")
    for account in blind.values():
        assert not can(verified(account), "view", text)
    assert can(_as(people, "kz"), "view", text)
    link = f"/texts/{text.code}/"

    def notices(account: Any) -> int:
        return Notification.objects.filter(account=account, verb="text.notice", url=link).count()

    actions.circulate_for_silence(_as(people, "secretariat"), text, deadline=_deadline(), timezone_name="Asia/Almaty")
    with django_capture_on_commit_callbacks(execute=True):
        actions.break_silence(_as(people, "tj"), text, reason="Demo: one more day.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.adopt_by_consensus(_as(people, "secretariat"), Text.objects.get(pk=text.pk))
    assert Text.objects.get(pk=text.pk).status == TextStatus.ADOPTED
    for name in ("kz", "uz", "tj", "secretariat"):  # silence, broken silence, adoption
        assert notices(people[name]) == 3, name
    for name, account in blind.items():
        assert notices(account) == 0, name
        assert not Notification.objects.filter(account=account).exists(), name

    page = login(Client(), blind["low_clearance"]).get("/notifications/")
    assert page.status_code == 200
    assert link not in page.content.decode() and "No notifications." in page.content.decode()
    assert f'href="{link}"' in login(Client(), people["kz"]).get("/notifications/").content.decode()


# --- braces belong inside a bracket -------------------------------------------------------------

OUTSIDE = ("Ministers meet annually {KZ}.", "{KZ} Ministers meet annually.", "Ministers meet } annually.")


@pytest.mark.parametrize("source", OUTSIDE)
def test_the_parser_refuses_a_brace_outside_a_bracket(source: str) -> None:
    with pytest.raises(brackets.BracketError, match="outside a bracket"):
        brackets.parse(source)
    assert brackets.parse(brackets.escape(source)).segments == (source,)  # escaped, it is plain text


def test_a_brace_outside_a_bracket_is_refused_by_the_actions(people: dict[str, Any]) -> None:
    text = _clean_text(people, code="test-braces")
    words = _words(text)
    unit = text.units.get(uid="OP1")
    for source in OUTSIDE:
        with pytest.raises(ActionError, match="brackets are not right"):
            actions.edit_unit(_as(people, "secretariat"), unit, language="ru", content=source)
        with pytest.raises(ActionError, match="brackets are not right"):
            actions.create_text(_as(people, "secretariat"), fmt=text.format, code="test-braces-new", title="TEST",
                                kind="joint_statement", units=[{"content": source}])  # fmt: skip
    assert _words(text) == words and Text.objects.get(pk=text.pk).version == text.version
    assert not Text.objects.filter(code="test-braces-new").exists()


def test_a_brace_outside_a_bracket_is_refused_on_the_page_and_the_api(people: dict[str, Any]) -> None:
    text = _clean_text(people, code="test-braces")
    words = _words(text)
    revision = text.units.get(uid="OP1").revision
    page = login(Client(), people["secretariat"])
    api = _bearer(people["secretariat"])
    for source in OUTSIDE:
        response = page.post(f"/texts/{text.code}/units/OP1/edit/",
                             {"language": "ru", "content": source, "revision": revision})  # fmt: skip
        assert response.status_code == 400 and "outside a bracket" in response.content.decode()
        response = api.put(f"/api/v1/texts/{text.code}/units/OP1/ru", {"expected_revision": revision,
                           "content": source}, content_type="application/json")  # fmt: skip
        assert response.status_code == 400 and "outside a bracket" in response.json()["detail"]
    assert _words(text) == words and Text.objects.get(pk=text.pk).version == text.version
