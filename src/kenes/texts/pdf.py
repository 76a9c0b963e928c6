"""A negotiated text as PDF (fpdf2, Noto Sans).

Every page carries the text's classification marking at its top and its bottom and "Page N of M".
A draft shows its brackets exactly as in the plain editing syntax; an adopted text shows the SHA-256
of each language's canonical form and the delegations' signatures. One language, or two side by
side (two columns per unit). A language version that is out of date says so; nothing here calls a
version a translation, machine-made or official: each is simply the text in that language as it
stands in Kenes.

The font is Noto Sans from the ``fontpkg_noto_sans`` package. It ships a variable font only, so the
regular and bold instances are cut from it once (a few seconds) and kept in ``VAR_DIR/fonts``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from kenes.access.levels import Classification
from kenes.errors import ActionError
from kenes.texts import brackets, queries
from kenes.texts.models import AdoptedBy, Signature, Text, TextKind, TextStatus, Unit
from kenes.texts.rules import UnitState

FONT = "NotoSans"
MAX_SIDE_BY_SIDE = 2

RED = (176, 0, 32)
GREY = (95, 95, 95)
LIGHT = (200, 200, 200)
BLACK = (20, 20, 20)
STATE_COLOURS = {
    UnitState.AGREED: (0, 110, 60),
    UnitState.BRACKETED: (160, 90, 0),
    UnitState.OBJECTED: RED,
    UnitState.PENDING: GREY,
}

# --- The font ------------------------------------------------------------------------------

_WEIGHTS = {"": 400, "B": 700}
_font_lock = threading.Lock()
_font_files: dict[str, Path] = {}


def _font_package() -> tuple[Path, str]:
    import fontpkg_noto_sans

    root = Path(fontpkg_noto_sans.ROOT)
    try:
        version = str(json.loads((root / "metadata.json").read_text())["version"])
    except (OSError, ValueError, KeyError):
        version = "0"
    return root / "files", version


def _instance(variable: Path, weight: int, target: Path) -> None:
    """Cut a static instance of the variable font, written atomically (workers may race here)."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(variable)
    try:
        static = instancer.instantiateVariableFont(font, {"wght": weight, "wdth": 100}, updateFontNames=True)
    except Exception:  # names are cosmetic; the glyphs are what matters
        static = instancer.instantiateVariableFont(TTFont(variable), {"wght": weight, "wdth": 100})
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".ttf.part")
    os.close(handle)
    try:
        static.save(temporary)
        os.chmod(temporary, 0o644)  # a public font, read by every worker
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def fonts_ready() -> bool:
    """Are the static Noto Sans files there, so that no request has to cut them?"""
    files, version = _font_package()
    if all((files / name).exists() for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf")):
        return True
    cache = Path(settings.VAR_DIR) / "fonts"
    return all((cache / f"NotoSans-{version}-{weight}.ttf").exists() for weight in _WEIGHTS.values())


def font_files() -> dict[str, Path]:
    """The regular (``""``) and bold (``"B"``) Noto Sans files, static.

    Cutting them from the variable font takes seconds: ``manage prepare_fonts`` does it at install
    or start (``./dev`` runs it; the deploy check warns when it was not run), never a request."""
    with _font_lock:
        if _font_files:
            return dict(_font_files)
        files, version = _font_package()
        static = {"": files / "NotoSans-Regular.ttf", "B": files / "NotoSans-Bold.ttf"}
        if all(path.exists() for path in static.values()):
            _font_files.update(static)
            return dict(_font_files)
        variable = next(iter(sorted(files.glob("NotoSans[[]*.ttf"))), None)
        if variable is None:
            raise RuntimeError(f"Noto Sans is missing from {files}")
        cache = Path(settings.VAR_DIR) / "fonts"
        for style, weight in _WEIGHTS.items():
            target = cache / f"NotoSans-{version}-{weight}.ttf"
            if not target.exists():
                _instance(variable, weight, target)
            _font_files[style] = target
        return dict(_font_files)


# --- Choosing languages -----------------------------------------------------------------------


def choose_languages(text: Text, *, language: str | None = None, languages: str | None = None) -> list[str]:
    """``languages=ru,en`` (side by side), else ``language=xx``, else the working language."""
    if languages:
        field = "languages"
        chosen = list(dict.fromkeys(code.strip() for code in languages.split(",") if code.strip()))
    elif language:
        field, chosen = "language", [language.strip()]
    else:
        return [text.working_language]
    if not chosen or any(code not in text.language_list for code in chosen):
        raise ActionError(_("This text has no version in that language."), field=field)
    if len(chosen) > MAX_SIDE_BY_SIDE:
        raise ActionError(_("At most two languages fit side by side."), field=field)
    return chosen


# --- Markings ---------------------------------------------------------------------------------


def marking(text: Text) -> str:
    """The classification marking printed at the top and bottom of every page."""
    level = text.classification
    if level == Classification.PUBLIC:
        return _("Public")
    if level == Classification.PARTICIPANTS:
        return _("PARTICIPANTS ONLY — %(title)s") % {"title": text.title}
    if level == Classification.RESTRICTED:
        return _("RESTRICTED — %(title)s") % {"title": text.title}
    return _("MEMBERS ONLY — %(title)s") % {"title": text.title}


def _language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


def _when(value: dt.datetime, zone_name: str | None = None, *, compact: bool = False) -> str:
    """An exact moment with its time zone: ``2031-05-12 18:00 (Asia/Almaty, UTC+05:00)``, or
    ``2031-05-12 18:00 UTC+05:00`` when ``compact``."""
    zone = zoneinfo.ZoneInfo(zone_name) if zone_name else timezone.get_default_timezone()
    local = value.astimezone(zone)
    offset = local.strftime("%z")
    utc = f"UTC{offset[:3]}:{offset[3:]}"
    if compact:
        return f"{local:%Y-%m-%d %H:%M} {utc}"
    return f"{local:%Y-%m-%d %H:%M} ({getattr(zone, 'key', str(zone))}, {utc})"


# --- Laying out -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A piece of text in one style, wrapped inside its column."""

    text: str
    style: str = ""
    size: float = 10.0
    colour: tuple[int, int, int] = BLACK
    space_before: float = 0.0

    @property
    def line_height(self) -> float:
        return self.size * 0.50


@dataclass
class Column:
    width: float
    runs: list[Run]


class _Document(FPDF):
    def __init__(self, text: Text) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.marking = marking(text)
        self.marking_colour = GREY if text.classification == Classification.PUBLIC else RED
        self.after_break: Callable[[], None] | None = None
        for style, path in font_files().items():
            self.add_font(FONT, style, path)
        self.set_margins(18, 24, 18)
        self.set_auto_page_break(True, margin=24)
        self.c_margin = 0.5

    def _fitted(self, value: str, width: float) -> str:
        if self.get_string_width(value) <= width:
            return value
        while value and self.get_string_width(value + "…") > width:
            value = value[:-1]
        return value.rstrip() + "…"

    def _marking(self, y: float) -> None:
        self.set_font(FONT, "B", 8.5)
        self.set_text_color(*self.marking_colour)
        self.set_xy(self.l_margin, y)
        self.cell(self.epw, 4.5, self._fitted(self.marking, self.epw - 2), align="C")

    def header(self) -> None:
        self._marking(9)
        self.set_draw_color(*self.marking_colour)
        self.set_line_width(0.3)
        self.line(self.l_margin, 14.5, self.w - self.r_margin, 14.5)
        self.set_text_color(*BLACK)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        top = self.h - 17
        self.set_draw_color(*self.marking_colour)
        self.set_line_width(0.3)
        self.line(self.l_margin, top, self.w - self.r_margin, top)
        self._marking(top + 1.5)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, top + 6.5)
        pages = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": self.str_alias_nb_pages}
        self.cell(self.epw, 4, pages, align="C")
        self.set_text_color(*BLACK)

    # A row of columns that may run over several pages.

    def _lines(self, column: Column) -> list[tuple[str, Run, float]]:
        out: list[tuple[str, Run, float]] = []
        for run in column.runs:
            if not run.text:
                continue
            self.set_font(FONT, run.style, run.size)
            lines = self.multi_cell(
                column.width, run.line_height, run.text, dry_run=True, output=MethodReturnValue.LINES
            )
            assert isinstance(lines, list)
            for index, line in enumerate(lines):
                out.append((line, run, run.space_before if index == 0 else 0.0))
        return out

    def row(
        self, columns: list[Column], *, gutter: float = 5.0, keep_together: bool = True, continued: Run | None = None
    ) -> None:
        """Columns side by side, each wrapped in its width. A short row moves whole to the next page;
        a long one runs over pages, its first column then showing ``continued`` again."""
        laid = [self._lines(column) for column in columns]
        xs = []
        x = self.l_margin
        for column in columns:
            xs.append(x)
            x += column.width + gutter
        total = max((sum(run.line_height + before for _l, run, before in lines) for lines in laid), default=0.0)
        room = self.page_break_trigger - self.get_y()
        body = self.page_break_trigger - self.t_margin
        first_lines = [lines[0][1].line_height * 2 for lines in laid if lines]
        if total > room and ((keep_together and total <= body / 3) or room < max(first_lines, default=0.0)):
            self._break()
        while any(laid):
            top = self.get_y()
            bottom = top
            for index, lines in enumerate(laid):
                y = top
                while lines:
                    line, run, before = lines[0]
                    if y > top and y + before + run.line_height > self.page_break_trigger + 0.01:
                        break  # (at least one line per page, so that an oversized line cannot loop)
                    y += before
                    self.set_font(FONT, run.style, run.size)
                    self.set_text_color(*run.colour)
                    self.set_xy(xs[index], y)
                    self.cell(columns[index].width, run.line_height, line)
                    y += run.line_height
                    lines.pop(0)
                bottom = max(bottom, y)
            if any(laid):
                self._break()
                if continued is not None and not laid[0]:
                    laid[0] = self._lines(Column(columns[0].width, [continued]))
            else:
                self.set_xy(self.l_margin, bottom)
        self.set_text_color(*BLACK)

    def _break(self) -> None:
        self.add_page()
        if self.after_break is not None:
            self.after_break()

    def rule(self, colour: tuple[int, int, int] = LIGHT, space: float = 2.5) -> None:
        self.set_draw_color(*colour)
        self.set_line_width(0.2)
        y = self.get_y() + space / 2
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_y(y + space / 2)


def _status_line(text: Text, open_count: int) -> str:
    if text.status == TextStatus.ADOPTED:
        how = str(AdoptedBy(text.adopted_by).label) if text.adopted_by in AdoptedBy.values else text.adopted_by
        when = _when(text.adopted_at) if text.adopted_at else "—"
        return _("Adopted by %(how)s on %(when)s") % {"how": how, "when": when}
    if text.status == TextStatus.SILENCE and text.silence_deadline is not None:
        return _("Under silence procedure until %(deadline)s") % {
            "deadline": _when(text.silence_deadline, text.silence_timezone or None)
        }
    return ngettext(
        "Draft under negotiation; %(count)d open bracket",
        "Draft under negotiation; %(count)d open brackets",
        open_count,
    ) % {"count": open_count}


def _state_label(state: UnitState) -> str:
    return {
        UnitState.AGREED: pgettext("state of a paragraph", "agreed"),
        UnitState.BRACKETED: pgettext("state of a paragraph", "brackets"),
        UnitState.OBJECTED: pgettext("state of a paragraph", "objection"),
        UnitState.PENDING: pgettext("state of a paragraph", "pending"),
    }[state]


def _wording(text: Text, content: str) -> str:
    """A draft as in the plain syntax; an adopted (clean) text without the syntax's escapes."""
    if text.status != TextStatus.ADOPTED:
        return content
    try:
        parsed = brackets.parse(content)
    except brackets.BracketError:
        return content
    return parsed.plain() if parsed.is_clean else content


def _title_block(doc: _Document, text: Text, languages: list[str], open_count: int) -> None:
    doc.set_font(FONT, "B", 16)
    doc.set_text_color(*BLACK)
    doc.multi_cell(doc.epw, 7.5, text.title, align="L", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    facts: list[tuple[str, str]] = [
        (_("Kind"), str(TextKind(text.kind).label) if text.kind in TextKind.values else text.kind),
        (_("Format"), text.format.name),
    ]
    if text.meeting is not None:
        meeting = text.meeting.display_title
        if text.meeting.dates_label:
            meeting = f"{meeting} ({text.meeting.dates_label})"
        facts.append((_("Meeting"), meeting))
    facts.append((_("Status"), _status_line(text, open_count)))
    facts.append((_("Version"), str(text.version)))
    names = []
    for code in text.language_list:
        name = _language_name(code)
        working = code == text.working_language
        names.append(_("%(language)s (working language)") % {"language": name} if working else name)
    facts.append((_("Language versions"), ", ".join(names)))
    facts.append((_("Classification"), str(Classification(text.classification).label)))
    for label, value in facts:
        doc.row(
            [Column(38, [Run(label, "B", 9, GREY)]), Column(doc.epw - 38 - 4, [Run(value, "", 9)])],
            gutter=4,
            keep_together=False,
        )
        doc.ln(0.8)
    if text.status == TextStatus.DRAFTING:
        note = _(
            "A draft under negotiation, not an agreed text. Wording in [square brackets] is not yet agreed: "
            "its alternatives are separated by a vertical bar, each followed by its sponsoring states in braces."
        )
    elif text.status == TextStatus.SILENCE:
        note = _(
            "Circulated under silence procedure: it is adopted at the deadline unless a member delegation "
            "breaks silence before then."
        )
    else:
        note = _("Adopted and frozen: the wording below can no longer change.")
    doc.ln(2)
    doc.row([Column(doc.epw, [Run(note, "", 8.5, GREY)])], keep_together=False)
    doc.ln(1)
    doc.rule(GREY, 4)


def _units(doc: _Document, text: Text, rows: list[tuple[Unit, UnitState]], languages: list[str]) -> None:
    label_width = 19.0
    gutter = 5.0
    size = 10.5 if len(languages) == 1 else 9.5
    width = (doc.epw - label_width - gutter * len(languages)) / len(languages)
    drafting = text.status == TextStatus.DRAFTING

    def headings() -> None:
        doc.row(
            [Column(label_width, [Run("", "B", 8)])]
            + [Column(width, [Run(_language_name(code), "B", 9, GREY)]) for code in languages],
            gutter=gutter,
            keep_together=False,
        )
        doc.rule(LIGHT, 2)

    headings()
    doc.after_break = headings
    for index, (unit, state) in enumerate(rows):
        versions = {v.language: v for v in unit.versions.all()}
        label = [Run(unit.uid, "B", 9, GREY)]
        if drafting:
            label.append(Run(_state_label(state), "", 7, STATE_COLOURS[state], 0.8))
        columns = [Column(label_width, label)]
        for code in languages:
            version = versions.get(code)
            content = _wording(text, version.content) if version else ""
            runs = [Run(content, "", size)] if content else [Run(_("No text in this language yet."), "", 8.5, GREY)]
            if version is not None and version.out_of_date and content:
                stale = _(
                    "Out of date: this paragraph changed in another language after this version was last updated."
                )
                runs.append(Run(stale, "", 7.5, (160, 90, 0), 1.0))
            columns.append(Column(width, runs))
        if index and len(languages) > 1:
            doc.rule(LIGHT, 3)
        elif index:
            doc.ln(3)
        continued = Run(_("%(unit)s (continued)") % {"unit": unit.uid}, "", 7.5, GREY)
        doc.row(columns, gutter=gutter, continued=continued)
    doc.after_break = None


def _adoption(doc: _Document, text: Text, signatures: Iterable[Signature]) -> None:
    doc.ln(4)
    doc.rule(GREY, 4)
    doc.row([Column(doc.epw, [Run(_("Adoption"), "B", 12)])])
    doc.ln(1)
    doc.row(
        [Column(doc.epw, [Run(_("SHA-256 of the canonical text in each language:"), "", 9, GREY)])],
        keep_together=False,
    )
    hashes = text.adopted_hashes or {}
    for code in text.language_list:
        value = hashes.get(code) or _("not hashed: this language version was incomplete at adoption")
        doc.row(
            [Column(32, [Run(_language_name(code), "B", 8.5)]), Column(doc.epw - 36, [Run(value, "", 8.5)])], gutter=4
        )
    doc.ln(3)
    doc.row([Column(doc.epw, [Run(_("Signatures"), "B", 12)])])
    doc.ln(1)
    signed = list(signatures)
    if not signed:
        doc.row([Column(doc.epw, [Run(_("No delegation has signed yet."), "", 9, GREY)])])
    for signature in signed:
        matches = signature.hashes == hashes
        note = _("hashes match") if matches else _("hashes differ")
        doc.row(
            [
                Column(36, [Run(signature.state.name, "B", 9)]),
                Column(50, [Run(signature.signer_name, "", 9)]),
                Column(44, [Run(_when(signature.signed_at, compact=True), "", 8.5)]),
                Column(doc.epw - 36 - 50 - 44 - 12, [Run(note, "", 8.5, GREY if matches else RED)]),
            ],
            gutter=4,
        )
        doc.ln(1)


def render(text: Text, *, languages: list[str], compress: bool = True) -> bytes:
    """``text`` as PDF in ``languages`` (one, or two side by side). The caller has checked that the
    reader may see the text (``exports.export_pdf`` does, and records the export)."""
    rows = queries.unit_states(text)
    open_count = 0
    for unit, _state in rows:
        working = next((v.content for v in unit.versions.all() if v.language == text.working_language), "")
        try:
            open_count += len(brackets.parse(working).brackets)
        except brackets.BracketError:
            open_count += 1
    doc = _Document(text)
    doc.set_compression(compress)
    doc.set_title(text.title)
    doc.set_subject(doc.marking)
    doc.set_creator("Kenes")
    doc.set_lang(languages[0])
    doc.add_page()
    _title_block(doc, text, languages, open_count)
    _units(doc, text, rows, languages)
    if text.status == TextStatus.ADOPTED:
        _adoption(doc, text, text.signatures.select_related("state").order_by("signed_at", "id"))
    return bytes(doc.output())
