"""A threat report as PDF (fpdf2, Noto Sans): the RESTRICTED marking at the top and the bottom of
every page, and on every page the watermark line naming the account that downloaded it."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from kenes.security.models import ThreatReport
from kenes.texts.pdf import FONT, font_files

RED = (176, 0, 32)
BLACK = (20, 20, 20)
WATERMARK = (190, 190, 190)


def watermark_line(email: str) -> str:
    stamp = timezone.now().strftime("%Y-%m-%d %H:%M UTC")
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


def render(
    report: ThreatReport,
    *,
    email: str,
    attachment_text: str = "",
    attachment_image: bytes | None = None,
    compress: bool = True,
) -> bytes:
    marking = _("RESTRICTED — distribution: %(states)s") % {
        "states": ", ".join(sorted(s.iso2 for s in report.distribution.all()))
    }
    doc = _Report(marking, watermark_line(email))
    doc.set_compression(compress)
    doc.alias_nb_pages()
    doc.add_page()
    doc.set_font(FONT, "B", 14)
    doc.multi_cell(doc.epw, 7, report.title)
    doc.ln(2)
    doc.set_font(FONT, "", 10)
    rows = [
        (_("Category"), report.get_category_display()),
        (_("Severity"), report.get_severity_display()),
        (_("From"), report.author_state.iso2),
        (_("Affected states"), ", ".join(s.iso2 for s in report.affected_states.all()) or "—"),
        (_("Place"), report.place or "—"),
        (_("Occurred at"), report.occurred_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    for label, value in rows:
        doc.multi_cell(doc.epw, 5.5, f"{label}: {value}")
    for heading, body in ((_("Summary"), report.summary), (_("Details"), report.details)):
        if body:
            doc.ln(2)
            doc.set_font(FONT, "B", 11)
            doc.multi_cell(doc.epw, 6, heading)
            doc.set_font(FONT, "", 10)
            doc.multi_cell(doc.epw, 5.5, body)
    for assessment in report.assessments.select_related("state"):
        doc.ln(2)
        doc.set_font(FONT, "B", 11)
        doc.multi_cell(doc.epw, 6, f"{_('Assessment')} — {assessment.state.iso2}: {assessment.get_view_display()}")
        doc.set_font(FONT, "", 10)
        for body in (assessment.comments, assessment.measures):
            if body:
                doc.multi_cell(doc.epw, 5.5, body)
    if attachment_text:
        doc.add_page()
        doc.set_font(FONT, "B", 11)
        doc.multi_cell(doc.epw, 6, f"{_('Attachment')}: {report.attachment_name}")
        doc.set_font(FONT, "", 9)
        doc.multi_cell(doc.epw, 5, attachment_text)
    if attachment_image is not None:
        import io

        doc.add_page()
        doc.set_font(FONT, "B", 11)
        doc.multi_cell(doc.epw, 6, f"{_('Attachment')}: {report.attachment_name}")
        doc.image(io.BytesIO(attachment_image), w=doc.epw, keep_aspect_ratio=True, h=doc.eph - 30)
        # The watermark goes over the image, not only under it.
        doc.set_text_color(*RED)
        doc.set_font(FONT, "B", 12)
        doc.set_xy(doc.l_margin, doc.h / 2)
        doc.cell(doc.epw, 8, doc.watermark, align="C")
    return bytes(doc.output())


def watermark_pdf(original: bytes, report: ThreatReport, *, email: str) -> bytes:
    """The original PDF with the marking and the watermark line stamped on every one of its pages
    (pypdf merges an fpdf2 overlay onto each page)."""
    import io

    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(original))
    marking = _("RESTRICTED — distribution: %(states)s") % {
        "states": ", ".join(sorted(s.iso2 for s in report.distribution.all()))
    }
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        overlay = FPDF(unit="pt", format=(width, height))
        overlay.add_font(FONT, "", font_files()[""])
        overlay.add_page()
        overlay.set_font(FONT, "", 9)
        overlay.set_text_color(*RED)
        for y in (12, height / 2, height - 24):
            overlay.set_xy(0, y)
            overlay.cell(width, 12, f"{marking} · {watermark_line(email)}", align="C")
        page.merge_page(PdfReader(io.BytesIO(bytes(overlay.output()))).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
