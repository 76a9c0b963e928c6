"""Who may run a format: the role predicates the actions raise from and the pages ask in advance.

Each rule is a public predicate (``is_secretariat``) with its raising twin (``require_secretariat``),
so an action and the page that shows or hides its form cannot disagree. An operator's management
command (``kenes.access.actors.is_operator``) passes every check: that bypass is named here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kenes.access.actors import holds_role, is_operator
from kenes.access.levels import Classification
from kenes.errors import ActionError
from kenes.meetings.models import Format
from kenes.states.models import State


def is_secretariat(actor: Any, fmt: Format) -> bool:
    """The secretariat of ``fmt`` (or an operator's command) creates meetings and material."""
    if is_operator(actor):
        return True
    from kenes.people.models import Affiliation, Role

    return bool(
        getattr(actor, "is_authenticated", False)
        and actor.affiliation == Affiliation.SECRETARIAT
        and holds_role(actor, [Role.SECRETARIAT], fmt)
    )


def require_secretariat(actor: Any, fmt: Format) -> None:
    if not is_secretariat(actor, fmt):
        raise PermissionDenied(_("Only the secretariat of this format may do this."))


def secretariat_formats(account: Any) -> QuerySet[Format]:
    """The formats whose secretariat the account is (all of them for a global role)."""
    from kenes.people.models import Affiliation, Role

    if not getattr(account, "is_authenticated", False) or account.affiliation != Affiliation.SECRETARIAT:
        return Format.objects.none()
    roles = list(account.roles.filter(role=Role.SECRETARIAT).values_list("format_id", flat=True))
    if None in roles:
        return Format.objects.all()
    return Format.objects.filter(pk__in=roles)


def is_focal_point(account: Any) -> bool:
    """A focal point of a state, in any format: the one who answers the state's invitations."""
    from kenes.people.models import Role

    if not getattr(account, "is_authenticated", False) or not account.state_id:
        return False
    return bool(account.roles.filter(role=Role.FOCAL_POINT).exists())


def in_security_channel(actor: Any, fmt: Format, distribution: list[State] | None) -> bool:
    """A security officer of ``fmt`` cleared for restricted material (fresh two-factor sign-in),
    whose state is on the ``distribution``; or an operator's command."""
    if not distribution:
        return False
    if is_operator(actor):
        return True
    from kenes.access.policy import effective_clearance
    from kenes.people.models import Role

    return bool(
        getattr(actor, "is_authenticated", False)
        and effective_clearance(actor) == Classification.RESTRICTED
        and actor.state_id in {s.pk for s in distribution}
        and holds_role(actor, [Role.SECURITY_OFFICER], fmt)
    )


def require_security_channel(actor: Any, fmt: Format, distribution: list[State] | None) -> None:
    """Restricted material is made in the security channel, and always with a distribution."""
    if not distribution:
        raise ActionError(_("Restricted material needs a distribution list of states."), field="distribution")
    if not in_security_channel(actor, fmt, distribution):
        raise PermissionDenied(_("Only a cleared security officer on the distribution may do this."))
