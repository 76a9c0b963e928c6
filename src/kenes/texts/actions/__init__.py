"""Changes to negotiated texts: permission-checked, validated, transactional, audited, versioned.

By resource: ``drafting`` (create a text, add and edit units), ``amendments`` (propose, decide,
withdraw), ``positions`` (positions, comments, private notes), ``silence`` (the silence
procedure, adoption by consensus or silence, signatures); ``common`` holds the length limits,
the frozen-text guard and the version snapshot they all use.
"""

from kenes.texts.actions.amendments import decide_amendment, propose_amendment, withdraw_amendment
from kenes.texts.actions.common import (
    CODE,
    CODE_PATTERN,
    MAX_COMMENT,
    MAX_CONTENT,
    MAX_NOTE,
    MAX_REASON,
    MAX_TITLE,
    MAX_UNITS,
    bracket_problem,
    snapshot,
)
from kenes.texts.actions.drafting import add_unit, create_text, edit_unit
from kenes.texts.actions.positions import add_comment, add_private_note, state_position
from kenes.texts.actions.silence import (
    adopt_by_consensus,
    adopt_due_silences,
    break_silence,
    circulate_for_silence,
    is_clean,
    sign,
)

__all__ = [
    "CODE",
    "CODE_PATTERN",
    "MAX_COMMENT",
    "MAX_CONTENT",
    "MAX_NOTE",
    "MAX_REASON",
    "MAX_TITLE",
    "MAX_UNITS",
    "add_comment",
    "add_private_note",
    "add_unit",
    "adopt_by_consensus",
    "adopt_due_silences",
    "bracket_problem",
    "break_silence",
    "circulate_for_silence",
    "create_text",
    "decide_amendment",
    "edit_unit",
    "is_clean",
    "propose_amendment",
    "sign",
    "snapshot",
    "state_position",
    "withdraw_amendment",
]
