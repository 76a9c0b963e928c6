"""Who reports on an instruction: public predicates that the actions raise from and the pages ask."""

from __future__ import annotations

from typing import Any

from kenes.access.actors import has_role
from kenes.decisions.models import AssigneeKind, Instruction
from kenes.meetings.models import Format
from kenes.states.models import State


def is_focal_point_of(account: Any, state: State, formats: list[Format]) -> bool:
    """An active focal point of ``state`` in one of ``formats`` (or globally)."""
    from kenes.people.models import Role

    if account is None or not getattr(account, "is_active", False) or account.state_id != state.pk:
        return False
    return has_role(account, [Role.FOCAL_POINT], *formats)


def reporting_state_ids(instruction: Instruction) -> set[int] | None:
    """The assignee states, or None for a format or body (any member state reports for it)."""
    if instruction.assignee_kind == AssigneeKind.STATES:
        return {a.state_id for a in instruction.assignees.all()}
    return None


def may_report_for(instruction: Instruction, state: State) -> bool:
    states = reporting_state_ids(instruction)
    if states is not None:
        return state.pk in states
    from kenes.states.queries import members_on

    return members_on(instruction.format.mechanism_id).filter(pk=state.pk).exists()
