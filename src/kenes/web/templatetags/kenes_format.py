"""Display helpers shared by the templates: who did something, in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kenes import formats

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


@register.filter
def partial_date(text: str) -> str:
    """A date as the sources write it (2022, 2022-07, 2022-07-21), in the reader's short form."""
    return formats.partial_date(str(text or ""))


@register.filter
def named(obj: Any) -> SafeString:
    """A format's, meeting's or document's name; marked with its language (``lang="en"``) when it is
    not the reader's, so a Russian page never passes English off as Russian (screen readers, hyphens)."""
    text, language = obj.shown_name()
    if language == (get_language() or "en").split("-")[0]:
        return SafeString(conditional_escape(text))
    return format_html('<span lang="{}">{}</span>', language, text)
