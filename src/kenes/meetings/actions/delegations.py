"""A state's delegation to a meeting: its head and members, and their accreditation.

The focal point's list asks for each member's accreditation; the format's secretariat approves or
refuses it (with a reason). Saving the list again keeps the decision on every member whose name,
position and role are unchanged; a new or changed member is asked for again.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kenes.access.actors import holds_role
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.errors import ActionError, Conflict
from kenes.inputs import checked
from kenes.live.publish import publish_on_commit
from kenes.meetings.actions.limits import MAX_NAME, MAX_NOTE, too_long
from kenes.meetings.models import (
    Accreditation,
    Delegation,
    DelegationMember,
    DelegationRole,
    InvitationStatus,
    Meeting,
)
from kenes.meetings.permissions import require_secretariat
from kenes.states.models import State


def save_delegation(
    actor: Any,
    meeting: Meeting,
    *,
    members: list[dict[str, str]],
    expected_version: int | None = None,
    state: State | None = None,
) -> Delegation:
    """Replace the actor's state's delegation list for ``meeting`` (its focal point keeps it)."""
    from kenes.people.models import Role
    from kenes.states.queries import members_on

    require(actor, "view", meeting)
    if isinstance(actor, str):
        if state is None:
            raise ActionError(_("Name the state of the delegation."), field="state")
    else:
        state = actor.state
        if state is None or not holds_role(actor, [Role.FOCAL_POINT], meeting.format_id):
            raise PermissionDenied(_("A delegation's list is kept by its own focal point."))
    assert state is not None
    is_member = members_on(meeting.format.mechanism_id, meeting.start_sort).filter(pk=state.pk).exists()
    invited = meeting.invitations.filter(state=state, status=InvitationStatus.ACCEPTED).exists()
    if not (is_member or invited):
        raise ActionError(_("Only member states and accepted guests send a delegation."), field="state")
    cleaned = []
    for index, row in enumerate(members):
        message = _("Each member needs a name of at most %(max)d characters.") % {"max": MAX_NAME}
        name = checked(row.get("full_name"), field=f"members.{index}.full_name", max_length=MAX_NAME, too_long=message)
        position = checked(row.get("position_title"), field=f"members.{index}.position_title", max_length=MAX_NAME,
                           too_long=too_long(MAX_NAME))  # fmt: skip
        role = row.get("role") or DelegationRole.MEMBER
        if not name:
            raise ActionError(message, field=f"members.{index}.full_name")
        if role not in DelegationRole.values:
            raise ActionError(_("Unknown role in the delegation."), field=f"members.{index}.role")
        cleaned.append({"full_name": name, "position_title": position, "role": role})
    if sum(1 for row in cleaned if row["role"] == DelegationRole.HEAD) > 1:
        raise ActionError(_("A delegation has one head."), field="members")
    with transaction.atomic():
        delegation, _created = Delegation.objects.select_for_update().get_or_create(meeting=meeting, state=state)
        if expected_version is not None and delegation.version != expected_version:
            raise Conflict(_("Someone else changed this delegation since you opened it. Reload it and try again."))
        decided = {
            (m.full_name, m.position_title, m.role): (m.accreditation, m.accreditation_note)
            for m in delegation.members.all()
        }
        delegation.members.all().delete()
        listed = []
        for index, row in enumerate(cleaned):
            key = (row["full_name"], row["position_title"], row["role"])
            status, reason = decided.get(key, (Accreditation.REQUESTED, ""))
            listed.append(DelegationMember(delegation=delegation, order=index, accreditation=status,
                                           accreditation_note=reason, **row))  # fmt: skip
        DelegationMember.objects.bulk_create(listed)
        delegation.version += 1
        delegation.save(update_fields=["version"])
        audit.record(actor, "delegation.saved", delegation, meeting=meeting.code, state=state.iso2,
                     members=len(cleaned))  # fmt: skip
        publish_on_commit(f"meeting:{meeting.pk}", {"verb": "delegation.saved", "delegation": delegation.pk})
    return delegation


def decide_accreditation(actor: Any, member: DelegationMember, *, approve: bool, note: str = "") -> DelegationMember:
    """The secretariat accredits a delegation member, or refuses with its reason."""
    meeting = member.delegation.meeting
    require(actor, "view", meeting)
    require_secretariat(actor, meeting.format)
    note = checked(note, field="note", max_length=MAX_NOTE, too_long=too_long(MAX_NOTE))
    if not approve and not note:
        raise ActionError(_("Say why the accreditation is refused."), field="note")
    status = Accreditation.APPROVED if approve else Accreditation.REFUSED
    with transaction.atomic():
        current = DelegationMember.objects.select_for_update().select_related("delegation__state").get(pk=member.pk)
        if current.accreditation == status and current.accreditation_note == note:
            raise ActionError(_("The accreditation is already so."), field="accreditation")
        current.accreditation, current.accreditation_note = status, note
        current.save(update_fields=["accreditation", "accreditation_note"])
        audit.record(actor, "delegation.accreditation", current.delegation, meeting=meeting.code,
                     state=current.delegation.state.iso2, member=current.pk, decision=status)  # fmt: skip
        publish_on_commit(
            f"meeting:{meeting.pk}", {"verb": "delegation.accreditation", "delegation": current.delegation_id}
        )
    return current
