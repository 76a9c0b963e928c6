"""The access policy as a matrix: every demo role × every classification level × view/list/edit.

The expected table below is the rule written out by hand; the test compares it with what
``can()``, ``visible()``, the pages and the API actually do, so a change in any one of them fails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from kenes.access.policy import can, visible
from kenes.meetings.models import Document, Invitation, InvitationStatus, Meeting
from tests.conftest import login, verified

# Demo documents: public, participants, members, restricted (KG+UZ), private to KZ,
# and a participants item of a meeting whose Chinese invitation was revoked.
DOCS = {
    "public": "demo-fm-2027-press",
    "participants": "demo-fm-2027-agenda",
    "members": "demo-fm-2027-briefing",
    "restricted": "demo-scs-threat-summary",
    "private_kz": "demo-fm-2027-kz-notes",
    "revoked_cn": "demo-hos-extra-2027-agenda",
}

V, E, N = "view", "edit", None  # may view (and list); may view and edit; sees nothing
EXPECTED: dict[str | None, dict[str, str | None]] = {
    # anonymous public
    None: {"public": V, "participants": N, "members": N, "restricted": N, "private_kz": N, "revoked_cn": N},
    "secretariat": {"public": E, "participants": E, "members": E, "restricted": N, "private_kz": N, "revoked_cn": E},
    "kz": {"public": V, "participants": V, "members": V, "restricted": N, "private_kz": E, "revoked_cn": V},
    "uz": {"public": V, "participants": V, "members": V, "restricted": N, "private_kz": N, "revoked_cn": V},
    "kg": {"public": V, "participants": V, "members": V, "restricted": E, "private_kz": N, "revoked_cn": V},
    "ru": {"public": V, "participants": V, "members": N, "restricted": N, "private_kz": N, "revoked_cn": N},
    "cn": {"public": V, "participants": V, "members": N, "restricted": N, "private_kz": N, "revoked_cn": N},
}
ROLES = list(EXPECTED)
CASES = [(role, level) for role in ROLES for level in DOCS]


def _actor(accounts: dict[str, Any], role: str | None) -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser() if role is None else verified(accounts[role])


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "level"), CASES)
def test_policy_matrix(accounts: dict[str, Any], role: str | None, level: str) -> None:
    actor = _actor(accounts, role)
    document = Document.objects.get(code=DOCS[level])
    expected = EXPECTED[role][level]
    assert can(actor, "view", document) is (expected is not None)
    assert can(actor, "list", document) is (expected is not None)
    assert can(actor, "edit", document) is (expected == E)
    listed = visible(actor, Document.objects.all()).filter(pk=document.pk).exists()
    assert listed is (expected is not None)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "level"), CASES)
def test_pages_and_api_follow_the_matrix(accounts: dict[str, Any], role: str | None, level: str) -> None:
    client = Client()
    if role is not None:
        login(client, accounts[role])
    code = DOCS[level]
    expected = EXPECTED[role][level]
    title = Document.objects.get(code=code).title_en

    page = client.get(f"/documents/{code}/")
    assert page.status_code == (200 if expected else 404)
    api = client.get(f"/api/v1/documents/{code}")
    assert api.status_code == (200 if expected else 404)
    if expected:
        assert api.json()["classification"] == Document.objects.get(code=code).classification
    else:
        assert title.encode() not in page.content
        assert title not in api.content.decode()

    listing = client.get("/api/v1/documents").content.decode()
    assert (title in listing) is (expected is not None)
    edit = client.get(f"/documents/{code}/edit/")
    if role is None:
        assert edit.status_code == 302  # to sign in
    else:
        assert edit.status_code == {E: 200, V: 403, N: 404}[expected]


@pytest.mark.django_db
def test_meeting_pages_hide_what_a_guest_may_not_see(signed_in: Any) -> None:
    """China's delegate sees the participants material of the meeting it attends, not the rest."""
    page = signed_in("cn").get("/meetings/demo-fm-2027/").content.decode()
    assert "DEMO draft agenda shared with guests" in page
    assert "DEMO members-only briefing" not in page
    assert "private notes" not in page
    assert signed_in("cn").get("/meetings/demo-hos-extra-2027/").status_code == 404
    listing = signed_in("cn").get("/meetings/").content.decode()
    assert "Extraordinary leaders" not in listing


@pytest.mark.django_db
def test_revoking_an_invitation_removes_access_at_once(accounts: dict[str, Any]) -> None:
    from kenes.meetings.actions import revoke_invitation

    ru = verified(accounts["ru"])
    agenda = Document.objects.get(code=DOCS["participants"])
    assert can(ru, "view", agenda)
    invitation = Invitation.objects.get(meeting__code="demo-fm-2027", state__iso2="RU")
    revoke_invitation(verified(accounts["secretariat"]), invitation)
    assert not can(ru, "view", agenda)
    assert not can(ru, "view", Meeting.objects.get(code="demo-fm-2027"))
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.REVOKED


@pytest.mark.django_db
def test_membership_follows_the_dated_participation(accounts: dict[str, Any]) -> None:
    """Azerbaijan was guest of honour in 2023–2024 and is a member from 2025-11-16."""
    from kenes.people.actions import create_account
    from kenes.people.models import Role
    from kenes.states.models import State

    az = verified(
        create_account(
            "test",
            email="az@example.test",
            full_name="Test AZ",
            password=None,
            affiliation="state",
            state=State.objects.get(iso2="AZ"),
            clearance="members",
            roles=[(None, Role.DELEGATE)],
        )
    )
    briefing = Document.objects.get(code=DOCS["members"])
    assert not can(az, "view", briefing, day=dt.date(2024, 6, 1))
    assert can(az, "view", briefing, day=dt.date(2025, 11, 16))
    assert can(az, "view", briefing)  # today


@pytest.mark.django_db
def test_two_factor_is_required_before_members_material(accounts: dict[str, Any]) -> None:
    kz = accounts["kz"]  # not verified in this session
    assert not can(kz, "view", Document.objects.get(code=DOCS["members"]))
    assert can(kz, "view", Document.objects.get(code=DOCS["public"]))
    client = login(Client(), kz, two_factor=False)
    response = client.get("/documents/demo-fm-2027-briefing/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")
    assert client.get("/api/v1/documents/demo-fm-2027-briefing").status_code == 404


@pytest.mark.django_db
def test_a_role_outside_the_format_opens_nothing(accounts: dict[str, Any]) -> None:
    """Russia's guest delegate holds roles only in the leaders' and ministers' formats."""
    from kenes.meetings.models import Format

    ru = verified(accounts["ru"])
    scs = Format.objects.get(code="ca_security_council_secretaries")
    meeting = Meeting.objects.get(code="demo-fm-2027")
    Invitation.objects.filter(meeting=meeting, state__iso2="RU").update(status=InvitationStatus.ACCEPTED)
    meeting.format = scs
    meeting.save()
    Document.objects.filter(meeting=meeting).update(format=scs)
    assert not can(ru, "view", Document.objects.get(code=DOCS["participants"]))


def test_unknown_verb_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown verb"):
        can(None, "delete", Document(code="x"))
