"""Changes to meetings and documents: permission-checked, validated, transactional, audited.

By resource: ``meetings`` (create, status, reschedule), ``documents``, ``invitations``,
``formats`` (a format's rules, cadence reminders), ``agenda``, ``delegations``, ``calendar``
(a reader's calendar token); ``limits`` holds the length limits and shared checks.
"""

from kenes.meetings.actions.agenda import add_agenda_item, move_agenda_item, remove_agenda_item, update_agenda_item
from kenes.meetings.actions.calendar import revoke_calendar_token, rotate_calendar_token
from kenes.meetings.actions.delegations import decide_accreditation, save_delegation
from kenes.meetings.actions.documents import create_document, update_document
from kenes.meetings.actions.formats import send_cadence_reminders, update_format_rules
from kenes.meetings.actions.invitations import answer_invitation, invite, revoke_invitation
from kenes.meetings.actions.limits import MAX_BODY, MAX_CITY, MAX_CODE, MAX_NAME, MAX_NOTE, MAX_RULES_BASIS, MAX_TITLE
from kenes.meetings.actions.meetings import (
    TRANSITIONS,
    change_meeting_status,
    create_meeting,
    next_ordinal,
    reschedule_meeting,
)

__all__ = [
    "MAX_BODY",
    "MAX_CITY",
    "MAX_CODE",
    "MAX_NAME",
    "MAX_NOTE",
    "MAX_RULES_BASIS",
    "MAX_TITLE",
    "TRANSITIONS",
    "add_agenda_item",
    "answer_invitation",
    "change_meeting_status",
    "create_document",
    "create_meeting",
    "decide_accreditation",
    "invite",
    "move_agenda_item",
    "next_ordinal",
    "remove_agenda_item",
    "reschedule_meeting",
    "revoke_calendar_token",
    "revoke_invitation",
    "rotate_calendar_token",
    "save_delegation",
    "send_cadence_reminders",
    "update_agenda_item",
    "update_document",
    "update_format_rules",
]
