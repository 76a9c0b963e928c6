"""Who may do what with indicator targets: read by views and templates, raised from by the actions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kenes.access.actors import holds_role, is_operator


def may_record_targets(actor: Any) -> bool:
    """The secretariat (its role in any format or in all of them) records the mechanism's targets;
    an operator's command may too. An account that has not passed its second factor may not."""
    if is_operator(actor):
        return True
    from kenes.people.models import Affiliation, Role

    if not getattr(actor, "is_authenticated", False) or actor.affiliation != Affiliation.SECRETARIAT:
        return False
    formats = actor.roles.filter(role=Role.SECRETARIAT, format__isnull=False).values_list("format_id", flat=True)
    return holds_role(actor, [Role.SECRETARIAT], *formats)


def require_record_targets(actor: Any) -> None:
    if not may_record_targets(actor):
        raise PermissionDenied(_("Only the secretariat records the mechanism's targets."))


def may_import_data(actor: Any) -> bool:
    """A new vintage of the data is imported by those who record the targets measured on it."""
    return may_record_targets(actor)


def require_import_data(actor: Any) -> None:
    if not may_import_data(actor):
        raise PermissionDenied(_("Only the secretariat imports the indicator data."))
