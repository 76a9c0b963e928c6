"""Pages of formats and meetings: rules, cadence, planning, invitations, agenda, delegations.

Every change calls ``meetings.actions`` (which checks permission, validates, audits); every read
goes through ``meetings.queries`` or the access policy. An object the account may not read is a
404; bad input re-renders the form with the message (400), a stale form keeps the user's input
(409), and a refused change is a 403 page with the reason.

By resource: ``formats`` (list, rules, plan, cadence), ``meetings`` (list, new, detail, status,
reschedule), ``invitations``, ``agenda``, ``delegations``, ``notifications``; ``meeting_page``
builds and re-renders the meeting page the forms post from, ``common`` reads form input.
"""

from kenes.meetings.views.agenda import agenda_add, agenda_move, agenda_status
from kenes.meetings.views.delegations import accreditation_decide, delegation_save, delegations_csv, participants_pdf
from kenes.meetings.views.formats import cadence_dashboard, format_detail, format_list, format_plan, format_rules
from kenes.meetings.views.invitations import invitation_answer, invitation_create, invitation_revoke
from kenes.meetings.views.meeting_page import AGENDA_STATUS_LABELS, RESCHEDULABLE, TRANSITION_LABELS, TRANSITION_ORDER
from kenes.meetings.views.meetings import (
    meeting_create,
    meeting_detail,
    meeting_list,
    meeting_reschedule,
    meeting_status,
)
from kenes.meetings.views.notifications import notification_list, notifications_read

__all__ = [
    "AGENDA_STATUS_LABELS",
    "RESCHEDULABLE",
    "TRANSITION_LABELS",
    "TRANSITION_ORDER",
    "accreditation_decide",
    "agenda_add",
    "agenda_move",
    "agenda_status",
    "cadence_dashboard",
    "delegation_save",
    "delegations_csv",
    "format_detail",
    "format_list",
    "format_plan",
    "format_rules",
    "invitation_answer",
    "invitation_create",
    "invitation_revoke",
    "meeting_create",
    "meeting_detail",
    "meeting_list",
    "meeting_reschedule",
    "meeting_status",
    "notification_list",
    "notifications_read",
    "participants_pdf",
]
