"""Every download of a restricted attachment is a PDF naming the account on every page; kinds of
file that could not carry that mark are refused at upload."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from kenes.errors import ActionError
from kenes.security import actions
from kenes.security.models import ThreatReport
from kenes.states.models import State
from tests.conftest import login, verified


def _file(accounts: dict[str, Any], upload: SimpleUploadedFile) -> ThreatReport:
    return actions.file_report(
        verified(accounts["kg"]), title="DEMO watermark test (fictional)", category="other", severity=1,
        occurred_at=timezone.now() - dt.timedelta(hours=1), summary="Fictional.",
        distribution=[State.objects.get(iso2="UZ")], affected_states=[State.objects.get(iso2="KG")],
        attachment=upload,
    )  # fmt: skip


def _two_page_pdf() -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    for number in (1, 2):
        doc.add_page()
        doc.set_font("helvetica", size=12)
        doc.cell(0, 10, f"Original page {number}")
    return bytes(doc.output())


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 200, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_a_pdf_attachment_is_stamped_on_each_of_its_pages(accounts: dict[str, Any]) -> None:
    report = _file(accounts, SimpleUploadedFile("scan.pdf", _two_page_pdf(), content_type="application/pdf"))
    response = login(Client(), accounts["kg"]).get(f"/security/{report.pk}/attachment/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Original page {number}" in text
        assert accounts["kg"].email in text and "RESTRICTED" in text


@pytest.mark.django_db
def test_an_image_attachment_comes_inside_the_watermarked_report(accounts: dict[str, Any]) -> None:
    report = _file(accounts, SimpleUploadedFile("photo.png", _png(), content_type="image/png"))
    response = login(Client(), accounts["kg"]).get(f"/security/{report.pk}/attachment/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert all(accounts["kg"].email in page.extract_text() for page in pages)
    assert any("/Image" in str(page.get("/Resources", {}).get("/XObject", {})) or page.images for page in pages)


@pytest.mark.django_db
def test_a_file_that_cannot_carry_the_mark_is_refused(accounts: dict[str, Any]) -> None:
    before = ThreatReport.objects.count()
    with pytest.raises(ActionError) as excinfo:
        _file(accounts, SimpleUploadedFile("notes.docx", b"PK\x03\x04", content_type="application/octet-stream"))
    assert excinfo.value.field == "attachment"
    assert ThreatReport.objects.count() == before
