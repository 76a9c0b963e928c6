"""The reference data's research notes on a page: ``{% research_note obj.note %}``.

The notes exist only in English and were written for the data's maintainers, with source ids
("[S13]"), file names ("proposals_2022.csv") and column names ("text_ru"). On a page a note is
marked ``lang="en"`` with a quiet "English source" label in the reader's language; each source id
becomes the source's linked outlet name, each file or column name a plain English phrase (the note
stays in English: the words it stands among are English), "formats.csv <code>" the format's
linked name. Nothing else of the note's wording changes.
"""

from __future__ import annotations

import re

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

_SOURCE = r"S\d{1,3}"
_TOKEN = re.compile(
    rf"\[(?P<group>{_SOURCE}(?:\s*[,;]\s*{_SOURCE})*)\]"
    rf"|\b(?P<bare>{_SOURCE})\b"
    r"|\bformats\.csv\s+(?P<format>[a-z0-9_]+)"
    r"|\b(?P<file>[a-z0-9_-]+\.(?:csv|json|tab))\b"
    r"|\b(?P<column>(?:text|name|title)_(?:ru|en))\b"
    r"|\b(?P<seed>seed article)\b"
)
_FILES = {
    "proposals_2022.csv": "the list of the 2022 proposals",
    "participation.csv": "the participation records",
    "formats.csv": "the list of formats",
    "meetings.csv": "the list of meetings",
    "documents.csv": "the list of documents",
    "states.csv": "the list of states",
    "sources.csv": "the list of sources",
}
_OTHER_FILES = {"csv": "the reference data", "json": "data file", "tab": "zone table"}
_COLUMNS = {
    "text_ru": "the Russian wording",
    "text_en": "the English wording",
    "name_ru": "the Russian name",
    "name_en": "the English name",
    "title_ru": "the Russian title",
    "title_en": "the English title",
}


def _codes(note: str) -> set[str]:
    return set(re.findall(rf"\b{_SOURCE}\b", note))


def _links(source: object) -> str:
    parts = []
    for name, url in source.links:  # type: ignore[attr-defined]
        parts.append(format_html('<a href="{}" rel="noopener noreferrer">{}</a>', url, name) if url else escape(name))
    return ", ".join(parts)


def readable(note: str) -> SafeString:
    """The note's text as safe HTML, ids and file names replaced (two queries at most)."""
    from kenes.meetings.models import Format
    from kenes.states.models import Source

    sources = {s.code: s for s in Source.objects.filter(code__in=_codes(note))} if _codes(note) else {}
    format_codes = set(re.findall(r"\bformats\.csv\s+([a-z0-9_]+)", note))
    formats = {f.code: f for f in Format.objects.filter(code__in=format_codes)} if format_codes else {}

    def outlets(codes: list[str]) -> str:
        found = [_links(sources[code]) for code in codes if code in sources]
        return ", ".join(found) if found else escape(_("a source"))

    out: list[str] = []
    last = 0
    for match in _TOKEN.finditer(note):
        out.append(escape(note[last : match.start()]))
        last = match.end()
        if match["group"]:
            out.append(f"({outlets(re.findall(_SOURCE, match['group']))})")
        elif match["bare"]:
            out.append(outlets([match["bare"]]))
        elif match["format"]:
            fmt = formats.get(match["format"])
            out.append(
                format_html('<a href="{}">{}</a>', reverse("format_detail", args=[fmt.code]), fmt.name_en)
                if fmt
                else escape("the list of formats")
            )
        elif match["file"]:
            out.append(escape(_FILES.get(match["file"], _OTHER_FILES[match["file"].rsplit(".", 1)[1]])))
        elif match["column"]:
            out.append(escape(_COLUMNS[match["column"]]))
        else:
            out.append(escape("source article"))
    out.append(escape(note[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped or built by format_html


@register.simple_tag
def research_note(note: str, element: str = "p") -> SafeString:
    """``<p class="note" lang="en">`` with the "English source" label in the reader's language."""
    if not note:
        return mark_safe("")
    tag = "div" if element == "div" else "p"
    return format_html(
        '<{} class="note" lang="en"><span class="muted small" lang="{}">{}:</span> {}</{}>',
        tag,
        get_language() or "en",
        _("English source"),
        readable(note),
        tag,
    )


@register.filter
def source_refs(text: str) -> SafeString:
    """A text from the reference data (a format's rules basis) with its source ids and file names
    made readable, as in ``research_note``, without the label (the text may be the secretariat's)."""
    return readable(text or "")
