"""A meeting's invitations: invite a guest, answer, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.models import (
    Standing,
)
from kenes.meetings.views.common import state_or_none
from kenes.meetings.views.meeting_page import back_to_meeting, meeting_for_change, on_meeting_page, render_meeting
from kenes.web.forms import renders_action_errors


@login_required
@require_POST
@renders_action_errors(on_meeting_page("invite"))
def invitation_create(request: HttpRequest, code: str) -> HttpResponse:
    meeting = meeting_for_change(request, code)
    data = request.POST
    state = state_or_none(data.get("state", ""), "state")
    actions.invite(request.user, meeting, state=state, standing=data.get("standing", Standing.GUEST))
    return back_to_meeting(request, meeting, "invitations", _("The invitation is sent."))


@login_required
@require_POST
def invitation_answer(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    invitation = queries.invitation_for(request.user, pk, meeting_code=code)
    accept = request.POST.get("answer") == "accept"
    try:
        actions.answer_invitation(request.user, invitation, accept=accept)
    except ActionError as exc:
        try:
            return render_meeting(request, code, errors={"invitation": exc}, status=exc.status)
        except Http404:
            return render(request, "web/error.html", {"message": exc.message}, status=exc.status)
    if accept:
        return back_to_meeting(request, invitation.meeting, "invitations", _("You accepted the invitation."))
    messages.success(request, _("You declined the invitation."))
    return redirect("notification_list")


@login_required
@require_POST
@renders_action_errors(on_meeting_page("invitation", keep_input=False))
def invitation_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    invitation = queries.invitation_for(request.user, pk, meeting_code=code)
    meeting = invitation.meeting
    actions.revoke_invitation(request.user, invitation)
    return back_to_meeting(request, meeting, "invitations", _("The invitation is revoked."))
