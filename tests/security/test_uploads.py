"""An attachment is read by its content when it is uploaded, within caps that keep every watermarked
download cheap (security review, issue 16, finding 5): a file that is not what its name says, or
would cost too much to stamp, is a 400 on "attachment" through the page and the API, with nothing
stored. The download stamps one overlay per page size, serves a reader's repeat download from the
cache, and answers a 400, never a 500, for a stored file it cannot read."""

from __future__ import annotations

import datetime as dt
import functools
import io
import struct
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from kenes.audit.models import AuditEvent
from kenes.errors import ActionError
from kenes.security import actions, pdf, uploads
from kenes.security.models import ThreatReport
from kenes.states.models import State
from tests.conftest import login, verified

FIELDS = {
    "title": "DEMO upload test (fictional)",
    "category": "other",
    "severity": "1",
    "summary": "Fictional.",
    "distribution": ["UZ"],
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    return tmp_path


def _stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def _file(accounts: dict[str, Any], upload: SimpleUploadedFile, to: tuple[str, ...] = ("UZ",)) -> ThreatReport:
    return actions.file_report(
        verified(accounts["kg"]), title=FIELDS["title"], category="other", severity=1,
        occurred_at=timezone.now() - dt.timedelta(hours=1), summary="Fictional.",
        distribution=list(State.objects.filter(iso2__in=to)), attachment=upload,
    )  # fmt: skip


def _stored_as_is(accounts: dict[str, Any], name: str, data: bytes) -> ThreatReport:
    """A report whose attachment was stored before the upload checks (written past the action)."""
    report = _file(accounts, SimpleUploadedFile("note.txt", b"Fictional.\n"))
    report.attachment.delete(save=False)
    report.attachment.save(name, ContentFile(data), save=True)
    return report


def _pdf(sizes: list[tuple[float, float]]) -> bytes:
    from fpdf import FPDF

    doc = FPDF(unit="pt")
    for number, size in enumerate(sizes, start=1):
        doc.add_page(format=size)
        doc.set_font("helvetica", size=12)
        doc.cell(0, 20, f"Original page {number}")
    return bytes(doc.output())


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.cache
def _huge_png(side: int = 12_000) -> bytes:
    """A real, valid greyscale PNG of side × side pixels: about 140 KB that decode to 144 Mpx."""
    packer = zlib.compressobj(9)
    row = bytes(side + 1)  # filter byte, then the pixels
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


@functools.cache
def _bomb_pdf() -> bytes:
    """A one-page PDF of about 40 KB whose content stream inflates to 40 MB."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject, StreamObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    stream = StreamObject()
    stream._data = zlib.compress(b" " * 40_000_000, 9)
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(40_000_000))
    return out.getvalue()


def _post_page(client: Client, upload: SimpleUploadedFile) -> Any:
    return client.post("/security/new/", {**FIELDS, "occurred_at": "2026-01-02T03:04", "attachment": upload})


def _post_api(client: Client, upload: SimpleUploadedFile) -> Any:
    return client.post(
        "/api/v1/security/reports/upload", {**FIELDS, "occurred_at": "2026-01-02T03:04:00Z", "attachment": upload}
    )


# --- Refused at upload -------------------------------------------------------------------------

BAD = {
    "not a PDF named .pdf": ("scan.pdf", b"MZ\x90\x00 this is a program, not a PDF" * 20, "not a readable PDF"),
    "a zip bomb named .pdf": ("scan.pdf", None, "not a readable PDF"),
    "a corrupt PDF": ("scan.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R\n" + bytes(range(256)) * 8, "PDF"),
    "a compression bomb in a PDF": ("scan.pdf", None, "too much compressed content"),
    "a JPEG header under a .png name": ("photo.png", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "PNG"),
    "text that is not UTF-8": ("notes.txt", "Fictional text in cp1251: угроза".encode("cp1251"), "UTF-8"),
    "text with too many lines": ("notes.log", b"\n" * uploads.MAX_TEXT_LINES, "too long"),
}


def _bad(case: str) -> tuple[str, bytes, str]:
    name, data, says = BAD[case]
    if data is None:
        data = _zip_bomb() if "zip" in case else _bomb_pdf()
    return name, data, says


@pytest.mark.django_db
@pytest.mark.parametrize("case", list(BAD))
def test_a_file_that_is_not_what_its_name_says_is_refused_by_page_and_api(
    accounts: dict[str, Any], _media: Path, case: str
) -> None:
    name, data, says = _bad(case)
    client = login(Client(), accounts["kg"])
    before = (ThreatReport.objects.count(), AuditEvent.objects.count())
    page = _post_page(client, SimpleUploadedFile(name, data))
    assert page.status_code == 400, page.content[:300]
    assert says.encode() in page.content and b"Fictional." in page.content  # the input is kept
    api = _post_api(client, SimpleUploadedFile(name, data))
    assert api.status_code == 400, api.content[:300]
    assert api.json()["field"] == "attachment" and says in api.json()["detail"]
    assert (ThreatReport.objects.count(), AuditEvent.objects.count()) == before
    assert _stored(_media) == []


@pytest.mark.django_db
def test_the_refusal_is_translated(accounts: dict[str, Any]) -> None:
    client = login(Client(), accounts["kg"])
    client.cookies["django_language"] = "ru"
    response = client.post(
        "/api/v1/security/reports/upload",
        {**FIELDS, "occurred_at": "2026-01-02T03:04:00Z", "attachment": SimpleUploadedFile("scan.pdf", b"no")},
        headers={"accept-language": "ru"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Вложение не является читаемым PDF."


@pytest.mark.django_db
def test_an_image_whose_header_claims_144_megapixels_is_refused_before_decoding(
    accounts: dict[str, Any], _media: Path
) -> None:
    png = _huge_png()
    assert len(png) < 200_000
    before = ThreatReport.objects.count()
    started = time.perf_counter()
    # Not a pixel is decoded: any decoding of the image at all fails the test.
    with mock.patch("PIL.ImageFile.ImageFile.load", side_effect=AssertionError("decoded")):
        with pytest.raises(ActionError) as refused:
            _file(accounts, SimpleUploadedFile("photo.png", png, content_type="image/png"))
        page = _post_page(login(Client(), accounts["kg"]), SimpleUploadedFile("photo.png", png))
    assert time.perf_counter() - started < 5
    assert refused.value.field == "attachment" and "12000 × 12000" in refused.value.message
    assert page.status_code == 400 and "12000 × 12000".encode() in page.content
    assert ThreatReport.objects.count() == before and _stored(_media) == []


@pytest.mark.django_db
def test_a_pdf_of_more_than_200_pages_is_refused(accounts: dict[str, Any]) -> None:
    too_many = _pdf([(200.0, 200.0)] * (uploads.MAX_PDF_PAGES + 1))
    with pytest.raises(ActionError) as refused:
        _file(accounts, SimpleUploadedFile("scan.pdf", too_many))
    assert refused.value.field == "attachment" and "201 pages" in refused.value.message
    assert _file(accounts, SimpleUploadedFile("scan.pdf", _pdf([(200.0, 200.0)] * uploads.MAX_PDF_PAGES)))


@pytest.mark.django_db
def test_good_files_are_accepted_through_the_api(accounts: dict[str, Any], _media: Path) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (50, 30), (90, 90, 90)).save(buffer, format="JPEG")
    client = login(Client(), accounts["kg"])
    for name, data in [
        ("scan.pdf", _pdf([(595.28, 841.89)] * 3)),
        ("photo.jpeg", buffer.getvalue()),
        ("notes.md", "\ufeffFictional notes — UTF-8 with a byte-order mark.\n".encode()),
    ]:
        response = _post_api(client, SimpleUploadedFile(name, data))
        assert response.status_code == 201, response.content[:300]
        assert response.json()["attachment"] == name and response.json()["distribution"] == ["KG", "UZ"]
        download = client.get(f"/security/{response.json()['id']}/attachment/")
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"


# --- The download --------------------------------------------------------------------------------

A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@pytest.mark.django_db
def test_every_page_is_stamped_with_one_overlay_per_page_size(accounts: dict[str, Any]) -> None:
    report = _file(accounts, SimpleUploadedFile("scan.pdf", _pdf([A4, A4, LETTER, A4, LETTER, A4])))
    client = login(Client(), accounts["kg"])
    with mock.patch.object(pdf, "overlay_page", wraps=pdf.overlay_page) as builder:
        response = client.get(f"/security/{report.pk}/attachment/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert builder.call_count == 2  # A4 and Letter, not six
    assert sorted((call.args[1], call.args[2]) for call in builder.call_args_list) == sorted([A4, LETTER])
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) == 6
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert f"Original page {number}" in text
        # top, middle and bottom of every page
        assert text.count(accounts["kg"].email) == 3 and "RESTRICTED" in text


@pytest.mark.django_db
def test_a_second_download_by_the_same_reader_comes_from_the_cache(accounts: dict[str, Any], officer_tj: Any) -> None:
    report = _file(accounts, SimpleUploadedFile("scan.pdf", _pdf([A4] * 4)), to=("UZ", "TJ"))
    kg, tj = login(Client(), accounts["kg"]), login(Client(), officer_tj)
    url = f"/security/{report.pk}/attachment/"
    frozen = mock.Mock(now=mock.Mock(return_value=timezone.now()))
    with mock.patch.object(pdf, "timezone", frozen), mock.patch.object(pdf, "_stamp", wraps=pdf._stamp) as stamp:
        first = kg.get(url)
        again = kg.get(url)
        assert stamp.call_count == 1
        other = tj.get(url)
        assert stamp.call_count == 2  # another reader gets their own stamp
    assert first.status_code == again.status_code == other.status_code == 200
    assert again.content == first.content
    text = PdfReader(io.BytesIO(other.content)).pages[0].extract_text()
    assert officer_tj.email in text and accounts["kg"].email not in text
    # each download is still a read in the log, the cached one too
    assert report.reads.filter(what="download").count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, data",
    [
        ("scan.pdf", b"this is not a PDF"),
        ("scan.pdf", b"%PDF-1.4\n%%EOF garbage"),
        ("scan.pdf", None),  # the compression bomb
        ("photo.png", None),  # 144 Mpx
        ("photo.jpg", b"\xff\xd8\xff truncated"),
        ("notes.txt", b"\xff\xfe not UTF-8"),
    ],
)
def test_a_stored_file_that_cannot_be_stamped_is_a_400_not_a_500(
    accounts: dict[str, Any], name: str, data: bytes | None
) -> None:
    if data is None:
        data = _bomb_pdf() if name.endswith(".pdf") else _huge_png()
    report = _stored_as_is(accounts, name, data)
    reads = report.reads.count()
    with mock.patch("PIL.ImageFile.ImageFile.load", side_effect=AssertionError("decoded")):
        response = login(Client(), accounts["kg"]).get(f"/security/{report.pk}/attachment/")
    assert response.status_code == 400
    assert report.reads.count() == reads  # nothing was read


@pytest.mark.django_db
def test_a_text_download_is_cached_until_the_report_changes(accounts: dict[str, Any]) -> None:
    report = _file(accounts, SimpleUploadedFile("notes.txt", b"Fictional line.\n" * 50))
    client = login(Client(), accounts["kg"])
    url = f"/security/{report.pk}/attachment/"
    frozen = mock.Mock(now=mock.Mock(return_value=timezone.now()))
    with mock.patch.object(pdf, "timezone", frozen), mock.patch.object(pdf, "render", wraps=pdf.render) as made:
        first, again = client.get(url), client.get(url)
        assert made.call_count == 1 and again.content == first.content
        actions.assess(verified(accounts["kg"]), report, view="raised", comments="Fictional assessment.")
        changed = client.get(url)
        assert made.call_count == 2
    assert first.status_code == changed.status_code == 200
    assert "Fictional assessment." in "".join(p.extract_text() for p in PdfReader(io.BytesIO(changed.content)).pages)
