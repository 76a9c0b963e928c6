"""Changes to meetings and documents: permission-checked, validated, transactional, audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.errors import ActionError, Conflict
from kenes.live.bus import publish_on_commit
from kenes.meetings.models import (
    Document,
    Format,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    Standing,
)
from kenes.states.dates import PartialDate
from kenes.states.models import State


def update_document(
    actor: Any,
    document: Document,
    *,
    expected_version: int | None = None,
    title_en: str | None = None,
    body: str | None = None,
    classification: str | None = None,
) -> Document:
    """Edit a document's title, text or classification.

    ``expected_version`` is the version the editor loaded: if someone saved in between, the
    change is refused (409) instead of silently overwriting theirs.
    """
    require(actor, "edit", document)
    changes: dict[str, Any] = {}
    if title_en is not None:
        title_en = title_en.strip()
        if not title_en:
            raise ActionError(_("The title cannot be empty."), field="title_en")
        if len(title_en) > 300:
            raise ActionError(_("The title is longer than 300 characters."), field="title_en")
        changes["title_en"] = title_en
    if body is not None:
        changes["body"] = body
    if classification is not None:
        if classification not in Classification.values:
            raise ActionError(_("Unknown classification."), field="classification")
        if classification == Classification.RESTRICTED and document.classification != Classification.RESTRICTED:
            raise ActionError(
                _("Material is made restricted in the security channel, with its distribution."),
                field="classification",
            )
        if document.classification == Classification.RESTRICTED and classification != Classification.RESTRICTED:
            raise ActionError(_("Restricted material cannot be declassified here."), field="classification")
        changes["classification"] = classification
    with transaction.atomic():
        current = Document.objects.select_for_update().get(pk=document.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(
                _("Someone else saved this document since you opened it. Reload it and apply your change again.")
            )
        before = {field: getattr(current, field) for field in changes}
        changed = {field: value for field, value in changes.items() if before[field] != value}
        if not changed:
            return current
        for field, value in changed.items():
            setattr(current, field, value)
        current.version += 1
        current.save()
        audit.record(
            actor,
            "document.updated",
            current,
            fields=sorted(changed),
            before={f: before[f] for f in changed if f != "body"},
            after={f: changed[f] for f in changed if f != "body"},
            version=current.version,
        )
        publish_on_commit(
            f"format:{current.format_id}",
            {"verb": "document.updated", "document": current.pk, "version": current.version},
        )
    return current


def _require_secretariat(actor: Any, fmt: Format) -> None:
    """The secretariat of the format (or an operator's command) creates meetings and material."""
    if isinstance(actor, str):
        return
    from kenes.people.models import Affiliation, Role

    allowed = (
        getattr(actor, "is_authenticated", False)
        and actor.affiliation == Affiliation.SECRETARIAT
        and actor.roles.filter(role=Role.SECRETARIAT).filter(Q(format__isnull=True) | Q(format=fmt)).exists()
    )
    if not allowed:
        raise PermissionDenied(_("Only the secretariat of this format may do this."))


def create_meeting(
    actor: Any,
    *,
    fmt: Format,
    code: str,
    title_en: str = "",
    start_text: str = "",
    end_text: str = "",
    city_en: str = "",
    country: State | None = None,
    chair_state: State | None = None,
    classification: str = Classification.PARTICIPANTS,
    status: str = MeetingStatus.PLANNED,
    is_demo: bool = False,
) -> Meeting:
    _require_secretariat(actor, fmt)
    if classification not in Classification.values:
        raise ActionError(_("Unknown classification."), field="classification")
    for field, value in (("start_text", start_text), ("end_text", end_text)):
        if value:
            try:
                PartialDate.parse(value)
            except ValueError as exc:
                raise ActionError(_("Dates are written YYYY-MM-DD."), field=field) from exc
    if Meeting.objects.filter(code=code).exists():
        raise ActionError(_("A meeting with this code already exists."), field="code")
    with transaction.atomic():
        meeting = Meeting.objects.create(
            format=fmt,
            code=code,
            title_en=title_en,
            start_text=start_text,
            end_text=end_text,
            city_en=city_en,
            country=country,
            chair_state=chair_state,
            classification=classification,
            status=status,
            is_demo=is_demo,
        )
        audit.record(actor, "meeting.created", meeting, code=code, classification=classification)
        publish_on_commit(f"format:{fmt.pk}", {"verb": "meeting.created", "meeting": meeting.pk})
    return meeting


def create_document(
    actor: Any,
    *,
    fmt: Format,
    code: str,
    title_en: str,
    kind: str,
    classification: str,
    meeting: Meeting | None = None,
    body: str = "",
    owner_state: State | None = None,
    distribution: list[State] | None = None,
    is_demo: bool = False,
) -> Document:
    if owner_state is None:
        _require_secretariat(actor, fmt)
    elif not isinstance(actor, str) and getattr(actor, "state_id", None) != owner_state.pk:
        raise PermissionDenied(_("Only a delegation writes its own private notes."))
    if classification not in Classification.values:
        raise ActionError(_("Unknown classification."), field="classification")
    if classification == Classification.RESTRICTED and not distribution:
        raise ActionError(_("Restricted material needs a distribution list of states."), field="distribution")
    if distribution and classification != Classification.RESTRICTED:
        raise ActionError(_("Only restricted material has a distribution list."), field="distribution")
    if meeting is not None and meeting.format_id != fmt.pk:
        raise ActionError(_("The meeting belongs to another format."), field="meeting")
    if Document.objects.filter(code=code).exists():
        raise ActionError(_("A document with this code already exists."), field="code")
    with transaction.atomic():
        document = Document.objects.create(
            format=fmt,
            meeting=meeting,
            code=code,
            title_en=title_en,
            kind=kind,
            classification=classification,
            body=body,
            owner_state=owner_state,
            is_demo=is_demo,
        )
        if distribution:
            document.distribution.set(distribution)
        audit.record(
            actor,
            "document.created",
            document,
            classification=classification,
            distribution=[s.iso2 for s in distribution or []],
            private_to=owner_state.iso2 if owner_state else None,
        )
        publish_on_commit(f"format:{fmt.pk}", {"verb": "document.created", "document": document.pk})
    return document


def invite(actor: Any, meeting: Meeting, *, state: State, standing: str = Standing.GUEST) -> Invitation:
    """Invite a state that is not a member of the meeting's mechanism on the meeting's date."""
    _require_secretariat(actor, meeting.format)
    from kenes.states.queries import members_on

    day = meeting.start_sort
    if members_on(meeting.format.mechanism_id, day).filter(pk=state.pk).exists():
        raise ActionError(_("This state is a member: members are not invited as guests."), field="state")
    if standing not in Standing.values:
        raise ActionError(_("Unknown standing."), field="standing")
    with transaction.atomic():
        invitation, created = Invitation.objects.get_or_create(
            meeting=meeting, state=state, defaults={"standing": standing}
        )
        if not created:
            raise ActionError(_("This state is already invited."), field="state")
        audit.record(actor, "invitation.sent", invitation, meeting=meeting.code, state=state.iso2, standing=standing)
        publish_on_commit(f"meeting:{meeting.pk}", {"verb": "invitation.sent", "invitation": invitation.pk})
    return invitation


def answer_invitation(actor: Any, invitation: Invitation, *, accept: bool) -> Invitation:
    """The invited state's focal point accepts or declines."""
    from kenes.people.models import Role

    if not isinstance(actor, str):
        if invitation.state_id is None or actor.state_id != invitation.state_id:
            raise PermissionDenied(_("Only the invited delegation answers its invitation."))
        if not actor.roles.filter(role=Role.FOCAL_POINT).exists():
            raise PermissionDenied(_("Only the delegation's focal point answers an invitation."))
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.status != InvitationStatus.PENDING:
            raise ActionError(_("This invitation has already been answered or was revoked."))
        current.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        current.save(update_fields=["status"])
        audit.record(actor, f"invitation.{current.status}", current)
        publish_on_commit(f"meeting:{current.meeting_id}", {"verb": f"invitation.{current.status}"})
    return current


def revoke_invitation(actor: Any, invitation: Invitation) -> Invitation:
    """Revoking takes the guest's access away at once: the policy reads only accepted invitations."""
    _require_secretariat(actor, invitation.meeting.format)
    with transaction.atomic():
        current = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if current.status == InvitationStatus.REVOKED:
            return current
        current.status = InvitationStatus.REVOKED
        current.save(update_fields=["status"])
        audit.record(actor, "invitation.revoked", current)
        publish_on_commit(f"meeting:{current.meeting_id}", {"verb": "invitation.revoked"})
    return current
