"""The list of participants of a meeting as PDF (fpdf2, Noto Sans, decision 0018): each
delegation by state with its members, their positions, roles and accreditation, in the reader's
language. For the format's secretariat, like the CSV export."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kenes.meetings.models import Meeting
from kenes.meetings.queries import delegations_for
from kenes.texts.pdf import FONT, font_files

GREY = (90, 90, 90)


class _List(FPDF):
    def __init__(self, heading: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.heading = heading
        for style, path in font_files().items():
            self.add_font(FONT, style, path)
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(True, margin=18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(self.epw, 4, f"{self.heading} · {self.page_no()} / {{nb}}", align="C")


def render(meeting: Meeting) -> bytes:
    """The PDF of ``meeting``'s delegations (the caller has checked that the reader may export them)."""
    heading = _("List of participants")
    doc = _List(heading)
    doc.set_title(f"{heading}: {meeting.display_title}")
    doc.add_page()
    doc.set_font(FONT, "B", 15)
    doc.multi_cell(doc.epw, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font(FONT, "", 11)
    place = f" · {meeting.city_en}" if meeting.city_en else ""
    doc.multi_cell(doc.epw, 5.5, f"{meeting.display_title}\n{meeting.dates_label}{place}",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
    doc.set_font(FONT, "", 8)
    doc.set_text_color(*GREY)
    made = date_format(timezone.localtime(), "DATETIME_FORMAT")
    doc.multi_cell(doc.epw, 4.5, _("Made %(when)s") % {"when": made}, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_text_color(0, 0, 0)
    delegations = list(delegations_for(meeting))
    if not delegations:
        doc.ln(4)
        doc.set_font(FONT, "", 11)
        doc.multi_cell(doc.epw, 5.5, _("No delegation has sent its list yet."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for delegation in sorted(delegations, key=lambda d: d.state.name):
        doc.ln(4)
        doc.set_font(FONT, "B", 12)
        doc.multi_cell(doc.epw, 6, delegation.state.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.set_font(FONT, "", 9.5)
        members = list(delegation.members.all())
        if not members:
            doc.multi_cell(doc.epw, 5, _("No one listed yet."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            continue
        with doc.table(col_widths=(8, 52, 52, 30, 32), line_height=5, text_align="LEFT") as table:
            table.row([_("No."), _("Full name"), _("Position"), _("Role"), _("Accreditation")])
            for number, member in enumerate(members, start=1):
                table.row([str(number), member.full_name, member.position_title, member.get_role_display(),
                           member.get_accreditation_display()])  # fmt: skip
    out = io.BytesIO()
    doc.output(out)
    return out.getvalue()
