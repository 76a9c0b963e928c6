"""The threat-report PDF keeps every field inside the page: fpdf2's multi_cell left the cursor at
the right margin, so severity, summary and details started past it and were cut off."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from kenes.security import actions, pdf
from kenes.states.models import State
from tests.conftest import verified

pytestmark = pytest.mark.django_db
MM = 72 / 25.4


def _runs(data: bytes) -> tuple[list[tuple[float, float, str]], float]:
    page = PdfReader(io.BytesIO(data)).pages[0]
    width = float(page.mediabox.width)
    runs: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((x, y, text.strip()))

    page.extract_text(visitor_text=visit)
    return runs, width


@pytest.mark.parametrize("language", ["ru", "en"])
def test_every_field_starts_at_the_left_margin(accounts: dict[str, Any], language: str) -> None:
    states = {s.iso2: s for s in State.objects.filter(iso2__in=["KG", "UZ", "KZ"])}
    report = actions.file_report(
        verified(accounts["kg"]), title="DEMO layout test (fictional)", category="other", severity=3,
        occurred_at=timezone.now() - dt.timedelta(hours=2), place="Demo City (fictional)",
        summary="SUMMARYWORD " + "a fictional summary that runs over more than one line " * 3,
        details="DETAILSWORD " + "fictional details for the layout test " * 4,
        distribution=[states["UZ"]], affected_states=[states["KG"], states["KZ"]],
    )  # fmt: skip
    with translation.override(language):
        runs, width = _runs(pdf.render(report, email="security.kg@demo.kenes.invalid"))
        expected = [report.get_severity_display(), report.get_category_display(), "SUMMARYWORD", "DETAILSWORD",
                    "Demo City", states["KZ"].name]  # fmt: skip
    body = [(x, text) for x, _y, text in runs if "RESTRICTED" not in text and "@" not in text and "/" not in text]
    for value in expected:
        found = [(x, text) for x, text in body if value in text]
        assert found, f"{value!r} is not in the PDF"
        for x, text in found:
            assert 17 * MM <= x <= 20 * MM, f"{text!r} starts at {x / MM:.0f} mm of {width / MM:.0f} mm"
    assert all(x < width - 18 * MM for x, _text in body)
