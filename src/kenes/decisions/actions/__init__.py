"""Changes to decisions, instructions and reports: permission-checked, validated, transactional,
audited, with live events and notifications.

By resource: ``decisions`` (mark an adopted text as a decision), ``instructions`` (assign,
cancel), ``reports`` (file, review), ``reminders`` (due and overdue instructions),
``proposals`` (the IV meeting's proposals as instructions); ``common`` holds the limits and the
notifications they share.
"""

from kenes.decisions.actions.common import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    MAX_BODY_NAME,
    MAX_COMMENT,
    MAX_MINISTRY,
    MAX_REASON,
    MAX_REPORT,
    MAX_TITLE,
    AssigneeSpec,
)
from kenes.decisions.actions.decisions import adoption_day, basis_label, mark_decision
from kenes.decisions.actions.instructions import cancel_instruction, create_instruction
from kenes.decisions.actions.proposals import load_proposal_instructions
from kenes.decisions.actions.reminders import DUE_MESSAGE, OVERDUE_MESSAGE, send_instruction_reminders
from kenes.decisions.actions.reports import file_report, review_report

__all__ = [
    "ATTACHMENT_TYPES",
    "DUE_MESSAGE",
    "MAX_ATTACHMENT_BYTES",
    "MAX_BODY_NAME",
    "MAX_COMMENT",
    "MAX_MINISTRY",
    "MAX_REASON",
    "MAX_REPORT",
    "MAX_TITLE",
    "OVERDUE_MESSAGE",
    "AssigneeSpec",
    "adoption_day",
    "basis_label",
    "cancel_instruction",
    "create_instruction",
    "file_report",
    "load_proposal_instructions",
    "mark_decision",
    "review_report",
    "send_instruction_reminders",
]
