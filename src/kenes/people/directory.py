"""The focal-point directory (issue 15, item 7): who answers for each member state, for members.

Its readers are the secretariat and the delegations of member states (an account of a state that
is a member of a mechanism today and holds a role). It lists the focal points of the member
states of those mechanisms, with the formats they answer for. Anyone else (a guest, an observer
organisation, a session still at the password step) is told nothing: the directory is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from kenes.access.actors import lacks_second_factor
from kenes.meetings.models import Format
from kenes.people.models import Account, Affiliation, Role
from kenes.states.models import Mechanism, State
from kenes.states.queries import members_on


@dataclass(frozen=True)
class Entry:
    state: State
    focal_points: list[tuple[Account, list[Format | None]]]  # each with its formats (None: every format)


def _member_states(account: Any) -> set[int] | None:
    if not getattr(account, "is_authenticated", False) or lacks_second_factor(account):
        return None
    mechanisms = list(Mechanism.objects.all())
    if account.affiliation == Affiliation.SECRETARIAT:
        return {s.pk for m in mechanisms for s in members_on(m)}
    if not account.state_id or not account.roles.exists():
        return None
    mine = [m for m in mechanisms if members_on(m).filter(pk=account.state_id).exists()]
    if not mine:
        return None
    return {s.pk for m in mine for s in members_on(m)}


def may_read_directory(account: Any) -> bool:
    return _member_states(account) is not None


def directory_for(account: Any) -> list[Entry]:
    """The member states' focal points, by state in the reader's language; 404 for anyone else."""
    states = _member_states(account)
    if states is None:
        raise Http404
    people = (
        Account.objects.filter(is_active=True, state_id__in=states, roles__role=Role.FOCAL_POINT)
        .select_related("state")
        .prefetch_related("roles__format")
        .distinct()
        .order_by("full_name")
    )
    by_state: dict[int, list[tuple[Account, list[Format | None]]]] = {}
    for person in people:
        roles = [r for r in person.roles.all() if r.role == Role.FOCAL_POINT]
        formats = [None] if any(r.format is None for r in roles) else sorted((r.format for r in roles), key=str)
        by_state.setdefault(person.state_id, []).append((person, formats))  # type: ignore[arg-type]
    entries = [Entry(state, by_state[state.pk]) for state in State.objects.filter(pk__in=by_state)]
    return sorted(entries, key=lambda entry: entry.state.name)
