"""What every change to a text shares: the length limits (issue 10), the content check, the frozen-text
guard, the version snapshot and the live event."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from kenes.errors import ActionError
from kenes.inputs import checked
from kenes.live.publish import publish_on_commit
from kenes.texts import brackets
from kenes.texts.models import (
    Text,
    TextStatus,
    TextVersion,
)
from kenes.texts.rules import open_brackets

MAX_UNITS = 2000


# Length limits, one per field, in characters (issue 10): enforced here, published in the API schema.
# A text's code is part of its URL (``/texts/<code>/``; ``new`` is the page that starts one).
CODE_PATTERN = r"^[a-z0-9][a-z0-9-]{2,99}$"


CODE = re.compile(CODE_PATTERN)


MAX_TITLE = 300


# One paragraph's wording in one language, and an amendment's: a long operative paragraph runs to
# 2,000 or 3,000 characters; 10,000 is about 1,500 words.
MAX_CONTENT = 10_000


MAX_REASON = 4_000  # an amendment's reason; the reason given for breaking silence


MAX_NOTE = 4_000  # a position's note; a private note or red line


MAX_COMMENT = 4_000


def _label(actor: Any) -> str:
    return getattr(actor, "email", None) or str(actor)


def bracket_problem(exc: brackets.BracketError) -> str:
    """What is wrong with some wording's brackets, for the user: a unit's limits in their words."""
    if isinstance(exc, brackets.LimitError):
        limits = {
            "brackets": _("A paragraph has at most %(max)d brackets."),
            "options": _("A bracket has at most %(max)d options."),
            "sponsors": _("An option has at most %(max)d sponsors."),
        }
        return limits[exc.what] % {"max": exc.limit}
    return _("The brackets are not right: %(problem)s.") % {"problem": exc}


def validate_content(content: str, field: str = "content") -> str:
    too_long = _("The wording is longer than %(max)d characters.") % {"max": MAX_CONTENT}
    content = checked(content, field=field, max_length=MAX_CONTENT, strip=False, too_long=too_long)
    try:
        return brackets.canonical(content)
    except brackets.BracketError as exc:
        raise ActionError(bracket_problem(exc), field=field) from exc


def not_frozen(text: Text) -> None:
    if text.status == TextStatus.ADOPTED:
        raise ActionError(_("This text is adopted and frozen: it can no longer change."))


def snapshot(text: Text) -> dict[str, Any]:
    units = []
    for unit in text.units.filter(removed=False).prefetch_related("versions").order_by("order"):
        units.append(
            {
                "uid": unit.uid,
                "kind": unit.kind,
                "revision": unit.revision,
                "contents": {v.language: v.content for v in unit.versions.all()},
            }
        )
    return {"title": text.title, "status": text.status, "units": units}


def new_version(actor: Any, text: Text, reason: str) -> TextVersion:
    """Record the text as it now stands; called inside the action's transaction."""
    current = Text.objects.select_for_update().get(pk=text.pk)
    data = snapshot(current)
    working = [u["contents"].get(current.working_language, "") for u in data["units"]]
    number = (current.text_versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = TextVersion.objects.create(
        text=current, number=number, actor_label=_label(actor), reason=reason[:200], snapshot=data,
        open_brackets=open_brackets(working),
    )  # fmt: skip
    Text.objects.filter(pk=current.pk).update(version=number)
    text.version = number
    return version


def publish_text_event(text: Text, verb: str, **data: Any) -> None:
    publish_on_commit(f"text:{text.pk}", {"verb": verb, "text": text.pk, **data})
