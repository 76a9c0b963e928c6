"""Mutation survivors of the access policy (issue 17): a guest reads ``participants`` material of a
meeting it attends, never ``members`` material, whatever clearance its account holds.

The demo guests (Russia, China) are cleared ``participants`` only, so the matrix could not tell a
rule that lets guests read up to their clearance from the rule as written. Here the guest's account
is cleared ``members``: through ``can()``/``visible()``, the pages and the API it still reads only
what the meeting shares with guests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from kenes.access.policy import can, visible
from kenes.meetings.models import Document, Invitation, InvitationStatus, Meeting
from kenes.people.demo import DEMO_MEMBERS_TEXT, GUEST_FORMATS
from kenes.texts.models import Text
from tests.conftest import login, verified

pytestmark = pytest.mark.django_db

AGENDA, BRIEFING = "demo-fm-2027-agenda", "demo-fm-2027-briefing"  # participants, members


def _account(email: str, iso2: str, roles: list[tuple[Any, str]], *, password: str | None = None) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kenes.people.actions import create_account
    from kenes.states.models import State

    account = create_account(
        "test", email=email, full_name=f"Test {iso2} (members clearance)", password=password,
        affiliation="state", state=State.objects.get(iso2=iso2), clearance="members", roles=roles,
        check_password=False,
    )  # fmt: skip
    TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    return account


@pytest.fixture
def guest_ru() -> Any:
    """A Russian guest delegate like the demo one, but cleared ``members`` (with TOTP, so it can sign in)."""
    from kenes.meetings.models import Format
    from kenes.people.demo import DEMO_PASSWORD

    formats = list(Format.objects.filter(code__in=GUEST_FORMATS))
    assert len(formats) == len(GUEST_FORMATS)
    return _account("guest.members.ru@test.kenes.invalid", "RU", [(f, "delegate") for f in formats],
                    password=DEMO_PASSWORD)  # fmt: skip


def test_the_set_up_is_what_the_rule_is_about(guest_ru: Any) -> None:
    assert guest_ru.clearance == "members" and guest_ru.requires_two_factor
    assert Invitation.objects.get(meeting__code="demo-fm-2027", state__iso2="RU").status == InvitationStatus.ACCEPTED
    assert Document.objects.get(code=BRIEFING).classification == "members"
    assert Document.objects.get(code=AGENDA).classification == "participants"
    assert Text.objects.get(code=DEMO_MEMBERS_TEXT).classification == "members"


def test_a_guest_cleared_members_reads_participants_material_only(guest_ru: Any) -> None:
    guest = verified(guest_ru)
    agenda, briefing = Document.objects.get(code=AGENDA), Document.objects.get(code=BRIEFING)
    assert can(guest, "view", agenda)  # the invitation opens the meeting's guest material
    assert not can(guest, "view", briefing)
    readable = set(visible(guest, Document.objects.filter(meeting__code="demo-fm-2027")).values_list("code", flat=True))
    assert AGENDA in readable and BRIEFING not in readable
    members_text = Text.objects.get(code=DEMO_MEMBERS_TEXT)
    assert not can(guest, "view", members_text)
    assert not visible(guest, Text.objects.filter(pk=members_text.pk)).exists()


def test_azerbaijan_as_guest_of_honour_did_not_read_members_material() -> None:
    """On 2024-06-01 Azerbaijan was guest of honour (2023-09-14 to 2025-11-16) with an accepted
    invitation to the VI leaders' meeting; a members-cleared account read that meeting's
    participants material but not its members material. Since 2025-11-16 it is a member."""
    from kenes.meetings import actions

    meeting = Meeting.objects.get(code="ca_heads_of_state-VI")
    invitation = Invitation.objects.get(meeting=meeting, state__iso2="AZ")
    assert (invitation.standing, invitation.status) == ("guest_of_honour", InvitationStatus.ACCEPTED)
    shared, members_only = (
        actions.create_document(
            "test",
            fmt=meeting.format,
            meeting=meeting,
            code=f"test-vi-{level}",
            title_en=f"TEST {level} paper of the VI meeting (fictional)",
            kind="note",
            classification=level,
            body="TEST (fictional).",
        )
        for level in ("participants", "members")
    )
    az = verified(_account("delegate.az.members@test.kenes.invalid", "AZ", [(None, "delegate")]))
    guest_day = dt.date(2024, 6, 1)
    assert can(az, "view", shared, day=guest_day)
    assert not can(az, "view", members_only, day=guest_day)
    on_guest_day = visible(az, Document.objects.filter(meeting=meeting), day=guest_day)
    ids = set(on_guest_day.values_list("pk", flat=True))
    assert shared.pk in ids and members_only.pk not in ids
    assert can(az, "view", members_only)  # today Azerbaijan is a member


def test_pages_and_api_keep_members_material_from_a_members_cleared_guest(guest_ru: Any) -> None:
    briefing = Document.objects.get(code=BRIEFING)
    members_text = Text.objects.get(code=DEMO_MEMBERS_TEXT)
    client = login(Client(), guest_ru)
    meeting_page = client.get("/meetings/demo-fm-2027/")
    assert meeting_page.status_code == 200
    page = meeting_page.content.decode()
    assert "DEMO draft agenda shared with guests" in page  # signed in with its second factor
    assert briefing.title_en not in page and members_text.title not in page

    assert client.get(f"/documents/{AGENDA}/").status_code == 200
    response = client.get(f"/documents/{BRIEFING}/")
    assert response.status_code == 404 and briefing.title_en.encode() not in response.content
    assert client.get(f"/texts/{DEMO_MEMBERS_TEXT}/").status_code == 404
    assert members_text.title not in client.get("/texts/").content.decode()

    assert client.get(f"/api/v1/documents/{AGENDA}").status_code == 200
    assert client.get(f"/api/v1/documents/{BRIEFING}").status_code == 404
    listed = {d["code"] for d in client.get("/api/v1/documents").json()}
    assert AGENDA in listed and BRIEFING not in listed
    assert client.get(f"/api/v1/texts/{DEMO_MEMBERS_TEXT}").status_code == 404
    texts = {t["code"] for t in client.get("/api/v1/texts").json()}
    assert "demo-fm-2027-coordinated-approaches" in texts and DEMO_MEMBERS_TEXT not in texts
