"""Security review, finding 2: a role counts only in the format it is held in (or globally)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.access.levels import Classification
from kenes.errors import ActionError
from kenes.meetings import actions as meeting_actions
from kenes.meetings.models import Format, InvitationStatus, Meeting, MeetingStatus
from kenes.people.actions import create_account, create_token
from kenes.people.models import Affiliation, Role
from kenes.states.models import State
from kenes.texts import actions as text_actions
from kenes.texts.models import Amendment, Position
from tests.conftest import verified

OP = "test"


def _account(email: str, iso2: str, fmt_code: str | None, role: str, clearance: str = Classification.MEMBERS) -> Any:
    fmt = Format.objects.get(code=fmt_code) if fmt_code else None
    account = create_account(
        OP, email=email, full_name="Test person (fictional)", password=None, affiliation=Affiliation.STATE,
        state=State.objects.get(iso2=iso2), clearance=clearance, roles=[(fmt, role)],
    )  # fmt: skip
    TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    return verified(account)


def _heads_text() -> Any:
    return text_actions.create_text(
        OP, fmt=Format.objects.get(code="ca_heads_of_state"), code="test-hos-members", title="Test members text",
        kind="joint_statement", units=[{"kind": "operative", "content": "Test operative paragraph."}],
        classification=Classification.MEMBERS,
    )  # fmt: skip


@pytest.mark.django_db
def test_an_observer_in_the_format_neither_objects_nor_amends() -> None:
    text = _heads_text()
    unit = text.units.get()
    observer = _account("observer.kz@test.invalid", "KZ", "ca_heads_of_state", Role.OBSERVER)
    with pytest.raises(PermissionDenied):
        text_actions.state_position(observer, unit, stance="objection", note="Test reason.")
    with pytest.raises(PermissionDenied):
        text_actions.propose_amendment(observer, unit, kind="replace", content="Changed.")
    assert not Position.objects.filter(unit=unit).exists()
    assert not Amendment.objects.filter(unit=unit).exists()


@pytest.mark.django_db
def test_a_delegate_of_another_format_cannot_object_here_but_can_in_its_own() -> None:
    text = _heads_text()
    unit = text.units.get()
    # Delegate in the foreign ministers' format, observer in the leaders' (so it may read the text).
    other = _account("delegate.fm.kz@test.invalid", "KZ", "ca_foreign_ministers", Role.DELEGATE)
    other.roles.create(format=text.format, role=Role.OBSERVER)
    with pytest.raises(PermissionDenied):
        text_actions.state_position(other, unit, stance="objection", note="Test reason.")
    own = _account("delegate.hos.kz@test.invalid", "KZ", "ca_heads_of_state", Role.DELEGATE)
    position = text_actions.state_position(own, unit, stance="objection", note="Test reason.")
    assert position.stance == "objection"


@pytest.mark.django_db
def test_the_api_refuses_an_objection_from_an_observer(accounts: dict[str, Any]) -> None:
    text = _heads_text()
    observer = _account("observer.api.kz@test.invalid", "KZ", "ca_heads_of_state", Role.OBSERVER)
    _token, raw = create_token(OP, observer, "test")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    assert client.get(f"/api/v1/texts/{text.code}").status_code == 200
    response = client.post(
        f"/api/v1/texts/{text.code}/units/OP1/positions",
        {"stance": "objection", "note": "Test reason."},
        content_type="application/json",
    )
    assert response.status_code == 403, response.content
    assert not Position.objects.filter(unit__text=text).exists()


@pytest.mark.django_db
def test_a_focal_point_of_another_format_does_not_keep_the_delegation_list() -> None:
    meeting = Meeting.objects.get(code="demo-fm-2027")
    outsider = _account("focal.hos.kz@test.invalid", "KZ", "ca_heads_of_state", Role.FOCAL_POINT)
    outsider.roles.create(format=meeting.format, role=Role.OBSERVER)  # it reads the meeting
    with pytest.raises(PermissionDenied):
        meeting_actions.save_delegation(outsider, meeting, members=[{"full_name": "Test Person", "role": "head"}])
    assert not meeting.delegations.filter(state__iso2="KZ").exists()
    own = _account("focal.fm.kz@test.invalid", "KZ", "ca_foreign_ministers", Role.FOCAL_POINT)
    delegation = meeting_actions.save_delegation(own, meeting, members=[{"full_name": "Test Person", "role": "head"}])
    assert delegation.state.iso2 == "KZ"


def _pending_invitation(**meeting_fields: Any) -> Any:
    fields = {"start_text": (timezone.localdate() + dt.timedelta(days=90)).isoformat()} | meeting_fields
    meeting = meeting_actions.create_meeting(
        OP, fmt=Format.objects.get(code="ca_foreign_ministers"), code=f"test-fm-{len(meeting_fields)}",
        title_en="Test meeting (fictional)", classification=Classification.PARTICIPANTS, ordinal="", **fields,
    )  # fmt: skip
    return meeting_actions.invite(OP, meeting, state=State.objects.get(iso2="RU"))


@pytest.mark.django_db
def test_a_focal_point_of_another_format_does_not_answer_the_invitation() -> None:
    invitation = _pending_invitation()
    outsider = _account("focal.c5.ru@test.invalid", "RU", "ca_heads_of_state", Role.FOCAL_POINT, "participants")
    with pytest.raises(PermissionDenied):
        meeting_actions.answer_invitation(outsider, invitation, accept=True)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
    own = _account("focal.fm.ru@test.invalid", "RU", "ca_foreign_ministers", Role.FOCAL_POINT, "participants")
    assert meeting_actions.answer_invitation(own, invitation, accept=True).status == InvitationStatus.ACCEPTED


@pytest.mark.django_db
@pytest.mark.parametrize("over", ["held", "cancelled", "past"])
def test_an_invitation_cannot_be_answered_once_the_meeting_is_over(over: str) -> None:
    """Security review, finding 8: accepting afterwards would open the meeting's material."""
    invitation = _pending_invitation()
    meeting = invitation.meeting
    if over == "past":
        Meeting.objects.filter(pk=meeting.pk).update(start_text="2020-01-10", end_text="2020-01-11")
    else:
        Meeting.objects.filter(pk=meeting.pk).update(status=MeetingStatus.HELD if over == "held" else "cancelled")
    invitation.refresh_from_db()
    focal = _account(f"focal.{over}.ru@test.invalid", "RU", "ca_foreign_ministers", Role.FOCAL_POINT, "participants")
    with pytest.raises(ActionError):
        meeting_actions.answer_invitation(focal, invitation, accept=True)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.PENDING
