"""Exports of negotiated texts: reading protected material out of Kenes leaves a trace."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kenes.access.levels import Classification
from kenes.access.policy import require
from kenes.audit import log as audit
from kenes.texts import pdf
from kenes.texts.models import Text


def export_pdf(actor: Any, text: Text, *, languages: list[str]) -> bytes:
    """The text as PDF for ``actor`` (404 if they may not read it). An export of anything above
    ``public`` is recorded in the audit log as ``text.exported``: who took which version out, in
    which languages. Public texts are not recorded: anyone may read them, signed in or not."""
    require(actor, "view", text)
    data = pdf.render(text, languages=languages)
    if text.classification != Classification.PUBLIC:
        with transaction.atomic():
            audit.record(
                actor, "text.exported", text, format="pdf", version=text.version, status=text.status,
                languages=languages, classification=text.classification,
            )  # fmt: skip
    return data
