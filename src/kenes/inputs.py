"""Free text as Kenes takes it in, from the pages and the API alike (issue 10).

Text may hold any character but the control characters (tab, line feed and carriage return
excepted) and lone UTF-16 surrogates: PostgreSQL refuses a NUL byte outright, a lone surrogate
cannot be encoded as UTF-8 at all, and the other controls only ever arrive by accident or by
attack. Such input is refused with a 400 that names the field (``ActionError``), before anything is
read or written; the API refuses it earlier, in its schemas (``kenes.api.schemas.Str``), and
publishes the rule there as ``PATTERN``.

Each field's length limit is a constant of the action module that owns the field, enforced by the
action through ``checked`` and published in the API schema as ``maxLength``.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from kenes.errors import ActionError

# C0 controls but tab, line feed and carriage return; DEL; the C1 controls.
CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_FORBIDDEN = re.compile(f"[{CONTROLS}\ud800-\udfff]")

# The same rule for the OpenAPI document (ECMA-262 syntax). A lone surrogate cannot be written in
# valid UTF-8 JSON text, only as a ``\ud800`` escape, so the pattern does not name them.
PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


def problem(value: str) -> str | None:
    """Why ``value`` is refused as text, or None when it is fine."""
    match = _FORBIDDEN.search(value)
    if match is None:
        return None
    where = {"n": match.start() + 1}
    if "\ud800" <= match.group() <= "\udfff":
        return _("This contains an invalid character (a lone UTF-16 surrogate, at character %(n)d).") % where
    return _("This contains a control character (at character %(n)d): only tabs and line breaks may be used.") % where


def refuse_forbidden(value: str, field: str) -> str:
    """``value`` unchanged, or a 400 naming ``field`` if it holds a control character or a lone surrogate."""
    found = problem(value)
    if found:
        raise ActionError(found, field=field)
    return value


def checked(value: str | None, *, field: str, max_length: int, strip: bool = True, too_long: str = "") -> str:
    """``value`` (stripped) as an action stores it; a 400 naming ``field`` for a control character, a
    lone surrogate or more than ``max_length`` characters (``too_long`` says so in the field's own words)."""
    text = refuse_forbidden(value or "", field)
    if strip:
        text = text.strip()
    if len(text) > max_length:
        message = too_long or _("This is longer than %(max)d characters.") % {"max": max_length}
        raise ActionError(message, field=field)
    return text
