"""Words for the cadence and for due dates, in the reader's language: shared by the meeting and the
instruction pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kenes.meetings.cadence import CadenceState


def due_text(days_left: int | None) -> str:
    """``in 12 days``, ``due today`` or ``40 days overdue``."""
    if days_left is None:
        return ""
    if days_left == 0:
        return _("due today")
    if days_left > 0:
        return ngettext("in %(n)d day", "in %(n)d days", days_left) % {"n": days_left}
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -days_left) % {"n": -days_left}


def cadence_label(state: CadenceState) -> str:
    labels = {
        CadenceState.OK: _("ok"),
        CadenceState.DUE_SOON: _("due soon"),
        CadenceState.OVERDUE: _("overdue"),
        CadenceState.NEVER_HELD: _("never held"),
        CadenceState.NO_RULE: _("no rule"),
    }
    return str(labels[state])
