"""Invitations of guests to a meeting: invite, answer, revoke."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.access.actors import holds_role
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.errors import ActionError
from kenes.live.publish import publish_on_commit
from kenes.meetings.models import (
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    Standing,
)
from kenes.meetings.permissions import require_secretariat
from kenes.states.models import Organisation, State


def invite(
    actor: Any,
    meeting: Meeting,
    *,
    state: State | None = None,
    organisation: Organisation | None = None,
    standing: str = Standing.GUEST,
) -> Invitation:
    """Invite a non-member state, or an organisation, with a standing the format allows."""
    require(actor, "view", meeting)
    require_secretariat(actor, meeting.format)
    from kenes.states.queries import members_on

    if (state is None) == (organisation is None):
        raise ActionError(_("Invite one state or one organisation."), field="state")
    if standing not in Standing.values:
        raise ActionError(_("Unknown standing."), field="standing")
    if standing not in meeting.format.invitable_standings:
        raise ActionError(_("This format does not invite with that standing."), field="standing")
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        raise ActionError(_("Invitations are sent before a meeting, not after it or once cancelled."))
    if state is not None and members_on(meeting.format.mechanism_id, meeting.start_sort).filter(pk=state.pk).exists():
        raise ActionError(_("This state is a member: members are not invited as guests."), field="state")
    with transaction.atomic():
        existing = (
            Invitation.objects.select_for_update()
            .filter(meeting=meeting, state=state, organisation=organisation)
            .first()
        )
        if existing is not None and existing.status != InvitationStatus.REVOKED:
            raise ActionError(_("This party is already invited."), field="state")
        if existing is not None:  # a revoked invitation may be sent again
            existing.status, existing.standing = InvitationStatus.PENDING, standing
            existing.save(update_fields=["status", "standing"])
            invitation = existing
        else:
            invitation = Invitation.objects.create(
                meeting=meeting, state=state, organisation=organisation, standing=standing
            )
        party = state.iso2 if state else organisation.code if organisation else ""
        audit.record(actor, "invitation.sent", invitation, meeting=meeting.code, party=party, standing=standing)
        publish_on_commit(f"meeting:{meeting.pk}", {"verb": "invitation.sent", "invitation": invitation.pk})
    _notify_focal_points(invitation)
    return invitation


def _notify_focal_points(invitation: Invitation) -> None:
    """Tell the invited delegation's focal points: a link, no protected content."""
    from kenes.people.models import Account, Role
    from kenes.people.notify import notify

    if invitation.state_id is None:
        return
    recipients = Account.objects.filter(
        state_id=invitation.state_id, is_active=True, roles__role=Role.FOCAL_POINT
    ).distinct()
    for account in recipients:
        notify(
            account,
            "invitation.sent",
            gettext_lazy("Your delegation is invited to a meeting. Open Kenes to answer."),  # in the reader's language
            url=f"/meetings/{invitation.meeting.code}/",
        )


def _is_over(meeting: Meeting) -> bool:
    """Held, cancelled, or past its last day."""
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        return True
    last_day = meeting.end_date or meeting.start_date
    return last_day is not None and last_day < timezone.localdate()


def answer_invitation(actor: Any, invitation: Invitation, *, accept: bool) -> Invitation:
    """The invited state's focal point accepts or declines."""
    from kenes.people.models import Role

    if not isinstance(actor, str):
        if invitation.state_id is None or actor.state_id != invitation.state_id:
            raise PermissionDenied(_("Only the invited delegation answers its invitation."))
        if not holds_role(actor, [Role.FOCAL_POINT], invitation.meeting.format_id):
            raise PermissionDenied(_("Only the delegation's focal point answers an invitation."))
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.status != InvitationStatus.PENDING:
            raise ActionError(_("This invitation has already been answered or was revoked."))
        if _is_over(current.meeting):
            # Accepting afterwards would open the meeting's participants material to the guest.
            raise ActionError(_("This meeting is over or cancelled: its invitations can no longer be answered."))
        current.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        current.save(update_fields=["status"])
        audit.record(actor, f"invitation.{current.status}", current)
        publish_on_commit(f"meeting:{current.meeting_id}", {"verb": f"invitation.{current.status}"})
    return current


def revoke_invitation(actor: Any, invitation: Invitation) -> Invitation:
    """Revoking takes the guest's access away at once: the policy reads only accepted invitations."""
    require_secretariat(actor, invitation.meeting.format)
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.status == InvitationStatus.REVOKED:
            return current
        current.status = InvitationStatus.REVOKED
        current.save(update_fields=["status"])
        audit.record(actor, "invitation.revoked", current)
        publish_on_commit(f"meeting:{current.meeting_id}", {"verb": "invitation.revoked"})
    return current
