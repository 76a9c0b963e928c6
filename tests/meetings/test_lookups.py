"""``meetings.queries.invitation_for``, asked by the page and the API alike: an invitation the
account may not know of (another party's revoked one) and one that does not exist are the same
404 on both surfaces; the 404 confirms nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kenes.meetings import actions
from kenes.meetings.models import Invitation, InvitationStatus
from kenes.states.models import State
from tests.conftest import days_ahead, login
from tests.meetings.test_api_meetings import _bearer, _send
from tests.meetings.test_pages_meetings import _planned

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_another_partys_revoked_invitation_is_404_like_a_missing_one_on_both_surfaces(
    accounts: dict[str, Any],
) -> None:
    meeting = _planned()
    china = actions.invite("test", meeting, state=State.objects.get(iso2="CN"))
    actions.answer_invitation("test", china, accept=True)  # China's guests read the meeting
    russia = actions.revoke_invitation("test", actions.invite("test", meeting, state=State.objects.get(iso2="RU")))
    missing = russia.pk + 1000
    assert not Invitation.objects.filter(pk=missing).exists()
    page, api = login(Client(), accounts["cn"]), _bearer(accounts["cn"])
    assert page.get(f"/meetings/{meeting.code}/").status_code == 200
    for pk in (russia.pk, missing):
        url = f"/meetings/{meeting.code}/invitations/{pk}/"
        assert page.post(url + "answer/", {"answer": "accept"}).status_code == 404
        assert page.post(url + "revoke/").status_code == 404
        assert _send(api, "post", f"/api/v1/invitations/{pk}/answer", {"accept": True}).status_code == 404
        assert _send(api, "post", f"/api/v1/invitations/{pk}/revoke").status_code == 404
    russia.refresh_from_db()
    assert russia.status == InvitationStatus.REVOKED
    # its own invitation is found on both surfaces: then the action says why it may not act
    assert page.post(f"/meetings/{meeting.code}/invitations/{china.pk}/revoke/").status_code == 403
    assert _send(api, "post", f"/api/v1/invitations/{china.pk}/revoke").status_code == 403


def test_an_invitation_under_another_meetings_code_is_404_on_the_page(accounts: dict[str, Any]) -> None:
    meeting, other = _planned(), _planned(start=days_ahead(400).isoformat(), end=days_ahead(401).isoformat())
    invitation = actions.invite("test", meeting, state=State.objects.get(iso2="CN"))
    page = login(Client(), accounts["secretariat"])
    assert page.post(f"/meetings/{other.code}/invitations/{invitation.pk}/revoke/").status_code == 404
    assert page.post(f"/meetings/{meeting.code}/invitations/{invitation.pk}/revoke/").status_code == 302
