"""API: invitations — invite a guest, my invitations, answer, revoke."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Id, Key, StrictSchema, errors
from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.api.common import WRITE, state_or_400, visible_meeting
from kenes.meetings.api.outputs import InvitationOut, invitation_out
from kenes.meetings.models import (
    Standing,
)
from kenes.states.models import Organisation

router = Router(tags=["meetings"])


class InvitationIn(StrictSchema):
    state: Key | None = None
    organisation: Key | None = None
    standing: Standing = Standing.GUEST


@router.post("/meetings/{code}/invitations", response={201: InvitationOut, **WRITE}, auth=RequiredAuth())
def invite(request: HttpRequest, code: Key, payload: InvitationIn) -> Status[InvitationOut]:
    account = account_of(request)
    meeting = visible_meeting(account, code)
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(code=payload.organisation.strip()).first()
        if organisation is None:
            raise ActionError(_("Unknown organisation."), field="organisation")
    invitation = actions.invite(
        account,
        meeting,
        state=state_or_400(payload.state, "state"),
        organisation=organisation,
        standing=str(payload.standing),
    )
    return Status(201, invitation_out(invitation))


@router.get("/invitations", response={200: list[InvitationOut], **errors()}, auth=RequiredAuth())
def my_invitations(request: HttpRequest) -> list[InvitationOut]:
    """The invitations of the caller's own state or organisation, so its focal point can answer."""
    return [invitation_out(i) for i in queries.own_invitations(account_of(request))]


class Answer(StrictSchema):
    accept: bool


@router.post("/invitations/{invitation_id}/answer", response={200: InvitationOut, **WRITE}, auth=RequiredAuth())
def answer_invitation(request: HttpRequest, invitation_id: Id, payload: Answer) -> InvitationOut:
    """The invited delegation's focal point accepts or declines."""
    account = account_of(request)
    invitation = queries.invitation_for(account, invitation_id)
    return invitation_out(actions.answer_invitation(account, invitation, accept=payload.accept))


@router.post(
    "/invitations/{invitation_id}/revoke", response={200: InvitationOut, **errors(400, 403, 404, 422)},
    auth=RequiredAuth(),
)  # fmt: skip
def revoke_invitation(request: HttpRequest, invitation_id: Id) -> InvitationOut:
    """Revoking takes the guest's access to the meeting away at once."""
    account = account_of(request)
    invitation = queries.invitation_for(account, invitation_id)
    return invitation_out(actions.revoke_invitation(account, invitation))
