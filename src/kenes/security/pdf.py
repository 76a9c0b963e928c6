"""A threat report as PDF (fpdf2, Noto Sans): the RESTRICTED marking at the top and the bottom of
every page, and on every page the watermark line naming the account that downloaded it."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kenes.errors import ActionError
from kenes.security import uploads
from kenes.security.models import ThreatReport
from kenes.texts.pdf import FONT, font_files

RED = (176, 0, 32)
BLACK = (20, 20, 20)
WATERMARK = (190, 190, 190)
# The stamp line changes every minute, so a download is of no use in the cache for longer than that.
STAMPED_CACHE_SECONDS = 3600


def watermark_line(email: str) -> str:
    # The day, not the minute: a leaked copy still names its reader and day, the read log keeps
    # the exact time, and the stamped file can be cached for the reader's later downloads.
    stamp = timezone.now().strftime("%Y-%m-%d UTC")
    return f"{email} {stamp} RESTRICTED"


class _Report(FPDF):
    def __init__(self, marking: str, watermark: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.marking = marking
        self.watermark = watermark
        for style, path in font_files().items():
            self.add_font(FONT, style, path)
        self.set_margins(18, 26, 18)
        self.set_auto_page_break(True, margin=28)

    def _mark(self, y: float) -> None:
        self.set_font(FONT, "B", 9)
        self.set_text_color(*RED)
        self.set_xy(self.l_margin, y)
        self.cell(self.epw, 4.5, self.marking, align="C")

    def header(self) -> None:
        self._mark(8)
        self.set_font(FONT, "", 8)
        self.set_text_color(*RED)
        self.set_xy(self.l_margin, 13)
        self.cell(self.epw, 4, self.watermark, align="C")
        # The diagonal watermark across the page.
        self.set_font(FONT, "B", 22)
        self.set_text_color(*WATERMARK)
        with self.rotation(35, x=self.w / 2, y=self.h / 2):
            self.set_xy(10, self.h / 2)
            self.cell(self.w - 20, 10, self.watermark, align="C")
        self.set_text_color(*BLACK)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_font(FONT, "", 8)
        self.set_text_color(*RED)
        self.set_xy(self.l_margin, self.h - 22)
        self.cell(self.epw, 4, self.watermark, align="C")
        self._mark(self.h - 17)
        self.set_xy(self.l_margin, self.h - 12)
        self.set_text_color(*BLACK)
        self.cell(self.epw, 4, f"{self.page_no()} / {{nb}}", align="C")


def _para(doc: FPDF, height: float, text: str) -> None:
    """A paragraph within the margins, the cursor back at the left margin on the next line: fpdf2's
    multi_cell leaves it at the right edge by default, which pushed every later line off the page."""
    doc.multi_cell(doc.epw, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def render(
    report: ThreatReport,
    *,
    email: str,
    attachment_text: str = "",
    attachment_image: bytes | None = None,
    compress: bool = True,
) -> bytes:
    doc = _Report(_marking(report), watermark_line(email))
    doc.set_compression(compress)
    doc.alias_nb_pages()
    doc.add_page()
    doc.set_font(FONT, "B", 14)
    _para(doc, 7, report.title)
    doc.ln(2)
    doc.set_font(FONT, "", 10)
    rows = [
        (_("Category"), report.get_category_display()),
        (_("Severity"), report.get_severity_display()),
        (_("From"), report.author_state.name),
        (_("Affected states"), ", ".join(s.name for s in report.affected_states.all()) or "—"),
        (_("Place"), report.place or "—"),
        (_("Occurred at"), report.occurred_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    for label, value in rows:
        _para(doc, 5.5, f"{label}: {value}")
    for heading, body in ((_("Summary"), report.summary), (_("Details"), report.details)):
        if body:
            doc.ln(2)
            doc.set_font(FONT, "B", 11)
            _para(doc, 6, heading)
            doc.set_font(FONT, "", 10)
            _para(doc, 5.5, body)
    for assessment in report.assessments.select_related("state"):
        doc.ln(2)
        doc.set_font(FONT, "B", 11)
        _para(doc, 6, f"{_('Assessment')} — {assessment.state.name}: {assessment.get_view_display()}")
        doc.set_font(FONT, "", 10)
        for body in (assessment.comments, assessment.measures):
            if body:
                _para(doc, 5.5, body)
    if attachment_text:
        doc.add_page()
        doc.set_font(FONT, "B", 11)
        _para(doc, 6, f"{_('Attachment')}: {report.attachment_name}")
        doc.set_font(FONT, "", 9)
        _para(doc, 5, attachment_text)
    if attachment_image is not None:
        doc.add_page()
        doc.set_font(FONT, "B", 11)
        _para(doc, 6, f"{_('Attachment')}: {report.attachment_name}")
        doc.image(io.BytesIO(attachment_image), w=doc.epw, keep_aspect_ratio=True, h=doc.eph - 30)
        # The watermark goes over the image, not only under it.
        doc.set_text_color(*RED)
        doc.set_font(FONT, "B", 12)
        doc.set_xy(doc.l_margin, doc.h / 2)
        doc.cell(doc.epw, 8, doc.watermark, align="C")
    return bytes(doc.output())


def _marking(report: ThreatReport) -> str:
    return _("RESTRICTED — distribution: %(states)s") % {
        "states": ", ".join(sorted(s.iso2 for s in report.distribution.all()))
    }


def overlay_page(doc: FPDF, width: float, height: float, line: str) -> None:
    """One page of the overlay: ``line`` at the top, across the middle and at the bottom."""
    doc.add_page(format=(width, height))
    doc.set_font(FONT, "", 9)
    doc.set_text_color(*RED)
    for y in (12, height / 2, height - 24):
        doc.set_xy(0, y)
        doc.cell(width, 12, line, align="C")


def _overlays(sizes: list[tuple[float, float]], line: str) -> dict[tuple[float, float], Any]:
    """The overlay of each page size, all in one fpdf2 document, so that the font is embedded once
    and each size costs one small page however many pages have it."""
    from pypdf import PdfReader

    doc = FPDF(unit="pt", format=sizes[0])
    doc.set_auto_page_break(False)  # the bottom line sits inside the bottom margin
    doc.add_font(FONT, "", font_files()[""])
    for width, height in sizes:
        overlay_page(doc, width, height, line)
    pages = PdfReader(io.BytesIO(bytes(doc.output()))).pages
    return dict(zip(sizes, pages, strict=True))


def watermark_pdf(original: bytes, report: ThreatReport, *, email: str) -> bytes:
    """The original PDF with the marking and the watermark line stamped on every one of its pages
    (pypdf merges onto each page the fpdf2 overlay of its size, built once per size). A PDF that
    cannot be read or is over the caps of ``uploads`` is an ``ActionError`` on ``attachment``."""
    return _stamp(original, _stamp_line(report, email))


def _stamp_line(report: ThreatReport, email: str) -> str:
    return f"{_marking(report)} · {watermark_line(email)}"


def _stamp(original: bytes, line: str) -> bytes:
    from pypdf import PdfWriter, Transformation

    with uploads.pdf_limits():
        reader = uploads.open_pdf(original)
        try:
            writer = PdfWriter(clone_from=reader)
            boxes = [page.cropbox for page in writer.pages]
            sizes = [(round(float(box.width), 2), round(float(box.height), 2)) for box in boxes]
            if any(not (0 < w <= uploads.MAX_PDF_PAGE_SIDE and 0 < h <= uploads.MAX_PDF_PAGE_SIDE) for w, h in sizes):
                raise ActionError(_("The PDF has a page of a size that cannot be watermarked."), field="attachment")
            overlays = _overlays(list(dict.fromkeys(sizes)), line)
            for page, box, size in zip(writer.pages, boxes, sizes, strict=True):
                # The overlay is drawn from (0, 0); the page's visible box may start elsewhere.
                shift = Transformation().translate(float(box.left), float(box.bottom))
                page.merge_transformed_page(overlays[size], shift)
                page.compress_content_streams()
            out = io.BytesIO()
            writer.write(out)
        except ActionError:
            raise
        except Exception as exc:  # a stored file that pypdf cannot take apart: a 400, not a 500
            raise ActionError(unreadable(), field="attachment") from exc
    return out.getvalue()


def unreadable() -> str:
    return _("The attachment cannot be read, so it cannot be watermarked for download.")


def _content(report: ThreatReport) -> str:
    """All that ``render`` may print of the report: its own fields, its states and its assessments
    (every column, so that a field added later is not forgotten here)."""
    parts = [
        [getattr(report, field.attname) for field in report._meta.concrete_fields],
        sorted(report.distribution.values_list("pk", flat=True)),
        sorted(report.affected_states.values_list("pk", flat=True)),
        list(report.assessments.order_by("pk").values_list()),
    ]
    return repr(parts)


def _cache_key(report: ThreatReport, original: bytes, line: str, content: str) -> str:
    digest = hashlib.sha256()
    for part in (hashlib.sha256(original).hexdigest(), line, content, translation.get_language() or ""):
        digest.update(part.encode())
        digest.update(b"\x00")
    return f"security:attachment:{report.pk}:{digest.hexdigest()}"


def attachment_pdf(report: ThreatReport, original: bytes, *, email: str) -> bytes:
    """The download of ``report``'s attachment, a PDF naming ``email`` on every page: text and images
    inside the report's PDF, a PDF with the watermark stamped on each of its own pages.

    The result is kept in the cache for the same reader under the report, the file's hash, the
    exact watermark line (the reader's email and the minute of the stamp, with the marking), the
    language and, for text and images, the report's content: a reader who downloads again within
    that minute is served the same bytes without making them anew. A file that cannot be read is an
    ``ActionError`` on ``attachment`` (400)."""
    name = report.attachment_name
    is_pdf = uploads.kind_of(name) == uploads.Kind.PDF
    line = _stamp_line(report, email)
    key = _cache_key(report, original, line, "" if is_pdf else _content(report))
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    # _stamp checks a PDF as it opens it; _render_attachment checks the other kinds first.
    made = _stamp(original, line) if is_pdf else _render_attachment(report, name, original, email=email)
    cache.set(key, made, STAMPED_CACHE_SECONDS)
    return made


def _render_attachment(report: ThreatReport, name: str, original: bytes, *, email: str) -> bytes:
    kind = uploads.check(name, original, decode=False)
    try:
        if kind == uploads.Kind.IMAGE:
            return render(report, email=email, attachment_image=original)
        return render(report, email=email, attachment_text=uploads.text_of(original))
    except ActionError:
        raise
    except Exception as exc:  # an image fpdf2 cannot embed after all
        raise ActionError(unreadable(), field="attachment") from exc
