"""Display helpers shared by the templates: who did something, in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _system_actors() -> dict[str, str]:
    # Actions run by a command or the background runner record a name, not an account; the reader
    # sees what it was, never the command's internal name.
    return {
        "load_demo": _("demo set-up"),
        "load_press": _("press import"),
        "silence procedure": _("silence procedure (automatic)"),
        "system": _("Kenes (automatic)"),
    }


@register.filter
def actor(label: str) -> str:
    """An actor label for the page: an account's e-mail as it is, a system actor by what it is."""
    return _system_actors().get(str(label), str(label))
