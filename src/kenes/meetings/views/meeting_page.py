"""The meeting page: its context (status, agenda, delegations, invitations), re-rendered with a form's
error, and the redirect after a change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy, pgettext_lazy

from kenes.access.policy import get_visible_or_404
from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.models import (
    AgendaStatus,
    DelegationRole,
    Document,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingStatus,
    Standing,
)
from kenes.meetings.permissions import is_focal_point, is_secretariat
from kenes.meetings.views.common import shared_levels, utc_offset
from kenes.states.models import State
from kenes.states.queries import by_name, members_on
from kenes.web.forms import Rerender

TRANSITION_LABELS = {
    MeetingStatus.CONVENED: gettext_lazy("Convene"),
    MeetingStatus.HELD: gettext_lazy("Mark as held"),
    MeetingStatus.POSTPONED: gettext_lazy("Postpone"),
    MeetingStatus.CANCELLED: gettext_lazy("Cancel the meeting"),
    MeetingStatus.PLANNED: gettext_lazy("Back to planned"),
}


RESCHEDULABLE = (MeetingStatus.PLANNED, MeetingStatus.CONVENED, MeetingStatus.POSTPONED)


TRANSITION_ORDER = [
    MeetingStatus.CONVENED,
    MeetingStatus.HELD,
    MeetingStatus.PLANNED,
    MeetingStatus.POSTPONED,
    MeetingStatus.CANCELLED,
]


# "pending" of an agenda item is not the "pending" (awaiting an answer) of an invitation.
AGENDA_STATUS_LABELS: dict[str, Any] = {
    AgendaStatus.PENDING.value: pgettext_lazy("agenda item", "pending"),
    AgendaStatus.UNDER_DISCUSSION.value: AgendaStatus.UNDER_DISCUSSION.label,
    AgendaStatus.DONE.value: AgendaStatus.DONE.label,
}


def agenda_context(
    request: HttpRequest,
    meeting: Meeting,
    manage: bool,
    *,
    error: ActionError | None = None,
    data: QueryDict | None = None,
) -> dict[str, Any]:
    documents: list[Document] = []
    if manage:
        documents = getattr(meeting, "visible_documents", None) or list(
            queries.documents_for(request.user, Document.objects.filter(meeting=meeting))
        )
    agenda = queries.agenda_for(request.user, meeting)
    for _number, item in agenda:
        item.status_label = AGENDA_STATUS_LABELS.get(item.status, item.status)  # type: ignore[attr-defined]
    return {
        "meeting": meeting,
        "may_manage": manage,
        "agenda": agenda,
        "agenda_levels": shared_levels(meeting.classification),
        "agenda_statuses": [(value, AGENDA_STATUS_LABELS[value]) for value in AgendaStatus.values],
        "agenda_documents": documents,
        "agenda_error": error,
        "agenda_form": data,
    }


def delegation_table(data: QueryDict) -> list[dict[str, str]]:
    """The rows of the delegation form; rows left without a name are dropped."""
    rows = []
    count = data.get("rows", "0")
    for index in range(min(int(count), 200) if count.isdigit() else 0):
        row = {
            "full_name": data.get(f"full_name_{index}", "").strip(),
            "position_title": data.get(f"position_title_{index}", "").strip(),
            "role": data.get(f"role_{index}", DelegationRole.MEMBER),
        }
        if row["full_name"] or row["position_title"]:
            rows.append(row)
    return rows


def _meeting_context(
    request: HttpRequest,
    meeting: Meeting,
    *,
    errors: dict[str, ActionError] | None = None,
    data: QueryDict | None = None,
) -> dict[str, Any]:
    user = request.user
    fmt = meeting.format
    manage = is_secretariat(user, fmt)
    focal = is_focal_point(user)
    errors = errors or {}
    invitations = queries.invitations_for(user, meeting)
    state_id = getattr(user, "state_id", None)
    signed_in = bool(getattr(user, "is_authenticated", False))

    invitable_states: list[State] = []
    if manage:
        taken = {i.state_id for i in invitations if i.state_id and i.status != InvitationStatus.REVOKED}
        invitable_states = by_name(
            State.objects.exclude(pk__in=members_on(fmt.mechanism_id, meeting.start_sort)).exclude(pk__in=taken)
        )

    delegations = list(queries.delegations_for(meeting)) if signed_in else []
    own_delegation = next((d for d in delegations if d.state_id == state_id), None)
    may_keep_delegation = False
    if focal and state_id:
        is_member = members_on(fmt.mechanism_id, meeting.start_sort).filter(pk=state_id).exists()
        accepted = any(i.state_id == state_id and i.status == InvitationStatus.ACCEPTED for i in invitations)
        may_keep_delegation = is_member or accepted
    delegation_rows: list[dict[str, str]] = []
    if may_keep_delegation:
        if "delegation" in errors and data is not None:
            delegation_rows = delegation_table(data)
        elif own_delegation is not None:
            delegation_rows = [
                {"full_name": m.full_name, "position_title": m.position_title, "role": m.role}
                for m in own_delegation.members.all()
            ]
        delegation_rows += [{"full_name": "", "position_title": "", "role": DelegationRole.MEMBER}] * 3

    transitions = [
        (status, TRANSITION_LABELS[status])
        for status in TRANSITION_ORDER
        if status in actions.TRANSITIONS.get(meeting.status, set())
    ]
    context = {
        "meeting": meeting,
        "may_manage": manage,
        "is_focal_point": focal,
        "signed_in": signed_in,
        "user_state_id": state_id,
        "transitions": transitions,
        "may_reschedule": manage and meeting.status in RESCHEDULABLE,
        "may_invite": manage and meeting.status not in (MeetingStatus.HELD, MeetingStatus.CANCELLED),
        "venue_timezone": meeting.venue_timezone,
        "venue_offset": utc_offset(meeting.venue_timezone, meeting.start_date) if meeting.venue_timezone else "",
        "invitations": invitations,
        "invitable_states": invitable_states,
        "standings": [(c, Standing(c).label) for c in fmt.invitable_standings if c in Standing.values],
        "delegations": delegations,
        "may_keep_delegation": may_keep_delegation,
        "own_delegation": own_delegation,
        "delegation_rows": delegation_rows,
        "delegation_roles": DelegationRole.choices,
        "errors": {name: exc.message for name, exc in errors.items()},
        "form": data,
    }
    context.update(
        agenda_context(request, meeting, manage, error=errors.get("agenda"), data=data if "agenda" in errors else None)
    )
    return context


def render_meeting(
    request: HttpRequest,
    code: str,
    *,
    errors: dict[str, ActionError] | None = None,
    data: QueryDict | None = None,
    status: int = 200,
) -> HttpResponse:
    from kenes.texts.queries import texts_for

    meeting = queries.meeting_detail(request.user, code)
    context = _meeting_context(request, meeting, errors=errors, data=data)
    context["texts"] = list(texts_for(request.user).filter(meeting=meeting).order_by("-created_at", "code"))
    return render(request, "meetings/meeting_detail.html", context, status=status)


def on_meeting_page(form: str, *, keep_input: bool = True) -> Rerender:
    """The re-render for ``renders_action_errors`` of a form on the meeting page: the page again,
    with the action's message beside ``form`` and, unless told otherwise, what was typed."""

    def rerender(request: HttpRequest, exc: ActionError, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.POST if keep_input else None
        return render_meeting(request, code, errors={form: exc}, data=data, status=exc.status)

    return rerender


def pending_invitation(request: HttpRequest, code: str) -> Invitation | None:
    """The invitation addressed to the account's state for a meeting it cannot read yet.

    The invitation itself tells the invited delegation what it is invited to (title, dates, venue),
    so that its focal point can answer; nothing of the meeting's material is shown before that.
    """
    state_id = getattr(request.user, "state_id", None)
    if not getattr(request.user, "is_authenticated", False) or not state_id:
        return None
    return (
        Invitation.objects.select_related("meeting__format", "meeting__country", "state")
        .filter(meeting__code=code, state_id=state_id, status=InvitationStatus.PENDING)
        .first()
    )


def meeting_for_change(request: HttpRequest, code: str) -> Meeting:
    return get_visible_or_404(request.user, Meeting.objects.select_related("format", "country"), code=code)


def back_to_meeting(request: HttpRequest, meeting: Meeting, anchor: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"{reverse('meeting_detail', args=[meeting.code])}#{anchor}")
