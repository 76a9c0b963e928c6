"""How a text's content is drawn in the room: bracketed segments as HTML, the bracket chart as SVG, labels."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from kenes.errors import ActionError
from kenes.texts import brackets
from kenes.texts.models import (
    Stance,
    TextVersion,
)
from kenes.texts.rules import UnitState

UNIT_STATE_LABELS: dict[str, Any] = {
    UnitState.AGREED: pgettext_lazy("paragraph state", "agreed"),
    UnitState.BRACKETED: pgettext_lazy("paragraph state", "bracketed"),
    UnitState.OBJECTED: pgettext_lazy("paragraph state", "objected"),
    UnitState.PENDING: pgettext_lazy("paragraph state", "pending"),
}


STANCE_SIGNS: dict[str, str] = {Stance.SUPPORT: "✓", Stance.RESERVATION: "~", Stance.OBJECTION: "✗"}


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.LANGUAGES}


def utc_offset(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_target(value: str) -> tuple[int | None, int | None]:
    """``unit`` (the whole paragraph) or ``B.O`` (option O of bracket B, counted from 0)."""
    value = (value or "unit").strip()
    if value == "unit":
        return None, None
    match = re.fullmatch(r"(\d{1,3})\.(\d{1,3})", value)
    if not match:
        raise ActionError(_("Choose the whole paragraph or one option."), field="target")
    return int(match[1]), int(match[2])


def option_label(bracket: int, option: int, text: str) -> str:
    return _("bracket %(b)d, option %(o)d: “%(text)s”") % {
        "b": bracket + 1,
        "o": option + 1,
        "text": text or _("(no text)"),
    }


def segments_html(content: str) -> SafeString:
    """A unit's content with its brackets highlighted: each option a chip with its sponsors."""
    try:
        parsed = brackets.parse(content)
    except brackets.BracketError:
        return format_html('<span class="raw">{}</span>', content)
    parts: list[str] = []
    number = 0
    for segment in parsed.segments:
        if not isinstance(segment, brackets.Bracket):
            parts.append(str(escape(segment)))
            continue
        number += 1
        options = []
        for index, option in enumerate(segment.options, start=1):
            sponsors = ""
            if option.sponsors:
                sponsors = format_html(
                    ' <span class="sponsors" title="{}">{}</span>', _("Sponsors"), " ".join(option.sponsors)
                )
            words = (
                format_html("{}", option.text)
                if option.text
                else format_html('<i class="muted">{}</i>', _("(no text)"))
            )
            options.append(
                format_html(
                    '<span class="option"><span class="sr">{} </span>{}{}</span>',
                    _("option %(n)d:") % {"n": index},
                    words,
                    sponsors,
                )
            )
        bar = format_html('<span class="bar" aria-hidden="true">|</span><span class="sr"> {} </span>', _("or"))
        parts.append(
            format_html(
                '<span class="bracket"><span class="sr">{} </span><span class="mark" aria-hidden="true">[</span>'
                '{}<span class="mark" aria-hidden="true">]</span><span class="sr"> {}</span></span>',
                _("[bracket %(n)d, options:") % {"n": number},
                mark_safe(bar.join(options)),  # noqa: S308 - every part is built with format_html
                _("end of bracket]"),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


def _n(value: float) -> str:
    return f"{value:.1f}"


def chart_svg(versions: list[TextVersion]) -> SafeString:
    """Open brackets per version as a small bar chart, drawn on the server (no script)."""
    if not versions:
        return SafeString("")
    width, height = 420, 150  # drawn small, so that its labels stay readable when a phone shrinks it
    left, right, top, bottom = 28, 8, 10, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    highest = max(v.open_brackets for v in versions)
    scale = max(highest, 1)
    slot = plot_w / len(versions)
    bar = max(min(slot * 0.7, 36), 1.5)
    label_every = max(1, math.ceil(len(versions) / 12))
    title = _("Open brackets per version")
    summary = ", ".join(f"v{v.number}: {v.open_brackets}" for v in versions[-30:])
    out = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title chart-desc" '
            'preserveAspectRatio="xMidYMid meet"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>',
            width,
            height,
            title,
            summary,
        )
    ]
    ticks = sorted({0, scale, scale // 2} if scale >= 4 else {0, scale})
    for tick in ticks:
        y = top + plot_h - plot_h * tick / scale
        out.append(
            format_html(
                '<line class="gridline" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                width - right,
                _n(y),
                _n(y),
                left - 6,
                _n(y + 4),
                tick,
            )
        )
    for index, version in enumerate(versions):
        x = left + slot * index + (slot - bar) / 2
        h = plot_h * version.open_brackets / scale
        tip = _("version %(n)d: %(count)d open brackets") % {"n": version.number, "count": version.open_brackets}
        out.append(
            format_html(
                '<rect class="bar{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                " zero" if version.open_brackets == 0 else "",
                _n(x),
                _n(top + plot_h - max(h, 2)),
                _n(bar),
                _n(max(h, 2)),
                tip,
            )
        )
        if index % label_every == 0 or index == len(versions) - 1:
            out.append(
                format_html(
                    '<text class="axis" x="{}" y="{}" text-anchor="middle">v{}</text>',
                    _n(x + bar / 2),
                    height - 8,
                    version.number,
                )
            )
    out.append(SafeString("</svg>"))
    return mark_safe("".join(out))  # noqa: S308 - every part is built with format_html


def reason_label(reason: str) -> str:
    """A version's reason (recorded in English by the actions) in the reader's language."""
    if reason == "created":
        return _("created")
    if reason == "circulated under silence procedure":
        return _("circulated under silence procedure")
    if reason == "adopted by consensus":
        return _("adopted by consensus")
    if reason == "adopted by silence":
        return _("adopted by silence procedure")
    match = re.fullmatch(r"(\w+)/(\w+) edited", reason)
    if match:
        return _("%(unit)s edited (%(language)s)") % {"unit": match[1], "language": match[2]}
    match = re.fullmatch(r"(\w+) added", reason)
    if match:
        return _("%(unit)s added") % {"unit": match[1]}
    match = re.fullmatch(r"amendment (\d+) \((\w+)\) accepted", reason)
    if match:
        return _("amendment #%(n)s by %(state)s accepted") % {"n": match[1], "state": match[2]}
    return reason


def time_left(delta: dt.timedelta) -> str:
    """The time left in the countdown's own words (the page's script keeps it running)."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return _("The deadline has passed.")
    return (
        _("{d} d {h} h {m} min {s} s left")
        .replace("{d}", str(seconds // 86400))
        .replace("{h}", f"{seconds % 86400 // 3600:02d}")
        .replace("{m}", f"{seconds % 3600 // 60:02d}")
        .replace("{s}", f"{seconds % 60:02d}")
    )
