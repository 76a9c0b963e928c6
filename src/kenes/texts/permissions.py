"""Who holds the pen and who speaks for a delegation in a text: public predicates that the actions
raise from and the room asks in advance (which forms to show)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kenes.access.actors import holds_role
from kenes.access.levels import Classification
from kenes.meetings.permissions import (
    in_security_channel,
    is_secretariat,
    require_secretariat,
    require_security_channel,
)
from kenes.states.models import State
from kenes.texts.models import Text


def member_states(text: Text) -> list[State]:
    """The states whose consensus the text needs: the members, or for a restricted text the
    members on its distribution (no one else may read it)."""
    from kenes.states.queries import members_on

    members = members_on(text.format.mechanism_id)
    if text.classification == Classification.RESTRICTED:
        members = members.filter(pk__in=text.distribution.values("pk"))
    return list(members)


def may_chair(actor: Any, text: Text) -> bool:
    """Who holds the pen: the format's secretariat, or for a restricted text (joint measures from
    the security channel) a cleared security officer of a state on its distribution."""
    if text.classification == Classification.RESTRICTED:
        return in_security_channel(actor, text.format, list(text.distribution.all()))
    return is_secretariat(actor, text.format)


def require_chair(actor: Any, text: Text) -> None:
    if text.classification == Classification.RESTRICTED:
        require_security_channel(actor, text.format, list(text.distribution.all()))
        return
    require_secretariat(actor, text.format)


def delegation_of(actor: Any, text: Text) -> State | None:
    """The state the actor speaks for in this text's format (a delegate or focal point of a member
    or a guest), or None."""
    from kenes.people.models import Role

    state = getattr(actor, "state", None) if getattr(actor, "is_authenticated", False) else None
    if state is None or not holds_role(actor, [Role.DELEGATE, Role.FOCAL_POINT], text.format_id):
        return None
    return state  # type: ignore[no-any-return]


def is_member(state: State, text: Text) -> bool:
    """A member's delegation has a say (positions, amendments, silence); a guest's takes part without."""
    return state.pk in {s.pk for s in member_states(text)}


def require_delegation(actor: Any, text: Text, *, members_only: bool = True) -> State:
    """The state the actor speaks for, or the refusal that says which part is missing."""
    from kenes.people.models import Role

    state = getattr(actor, "state", None)
    if state is None:
        raise PermissionDenied(_("Only a state delegation may do this."))
    if not holds_role(actor, [Role.DELEGATE, Role.FOCAL_POINT], text.format_id):
        raise PermissionDenied(_("Only a delegate or focal point may do this."))
    if members_only and not is_member(state, text):
        raise PermissionDenied(_("Guests take part without a say: only member delegations may do this."))
    return state  # type: ignore[no-any-return]
