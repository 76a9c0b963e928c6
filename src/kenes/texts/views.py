"""Pages of negotiated texts: the list, a new draft, and the negotiation room.

Every change calls ``texts.actions`` (permission, validation, audit, version); every read goes
through ``texts.queries`` (narrowed by the access policy). A text the account may not read is a
404; bad input re-renders the room with the message next to the form that was sent and the input
kept (400), a stale form is a 409, a refused change a 403 page with the reason.

In the room, forms about one paragraph post with HTMX and get that paragraph's block back, with
the parts of the page it affects (status line, positions matrix, versions, silence panel) swapped
out of band; when a change reshapes the text (a paragraph added or removed, silence broken) the
browser reloads the room. Without JavaScript every form is an ordinary POST, then a redirect.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from kenes.access.levels import Classification
from kenes.errors import ActionError
from kenes.meetings.permissions import secretariat_formats
from kenes.texts import actions, brackets, queries
from kenes.texts.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Position,
    Signature,
    SilenceBreak,
    Stance,
    Text,
    TextKind,
    TextStatus,
    TextVersion,
    UnitKind,
)
from kenes.texts.permissions import delegation_of, may_chair
from kenes.texts.rules import UnitState
from kenes.web.forms import Rerender, renders_action_errors

UNIT_STATE_LABELS: dict[str, Any] = {
    UnitState.AGREED: pgettext_lazy("paragraph state", "agreed"),
    UnitState.BRACKETED: pgettext_lazy("paragraph state", "bracketed"),
    UnitState.OBJECTED: pgettext_lazy("paragraph state", "objected"),
    UnitState.PENDING: pgettext_lazy("paragraph state", "pending"),
}
STANCE_SIGNS: dict[str, str] = {Stance.SUPPORT: "✓", Stance.RESERVATION: "~", Stance.OBJECTION: "✗"}


# --- helpers ------------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _language_names() -> dict[str, str]:
    return {code: str(name) for code, name in settings.LANGUAGES}


def _utc_offset(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _target(value: str) -> tuple[int | None, int | None]:
    """``unit`` (the whole paragraph) or ``B.O`` (option O of bracket B, counted from 0)."""
    value = (value or "unit").strip()
    if value == "unit":
        return None, None
    match = re.fullmatch(r"(\d{1,3})\.(\d{1,3})", value)
    if not match:
        raise ActionError(_("Choose the whole paragraph or one option."), field="target")
    return int(match[1]), int(match[2])


def _option_label(bracket: int, option: int, text: str) -> str:
    return _("bracket %(b)d, option %(o)d: “%(text)s”") % {
        "b": bracket + 1,
        "o": option + 1,
        "text": text or _("(no text)"),
    }


# --- rendering the bracket syntax -------------------------------------------------------------


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


# --- the room ---------------------------------------------------------------------------------


@dataclass
class LanguageView:
    code: str
    name: str
    content: str
    html: SafeString
    out_of_date: bool
    is_working: bool


@dataclass
class AmendmentView:
    amendment: Amendment
    target: str
    diff: list[tuple[str, str]] | None = None
    children: list[AmendmentView] = field(default_factory=list)
    may_decide: bool = False
    may_withdraw: bool = False
    may_counter: bool = False
    error: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class UnitView:
    row: queries.UnitRow
    uid: str
    state_label: str
    languages: list[LanguageView]  # the ones shown
    all_languages: list[LanguageView]  # for the chair's edit forms
    options: list[tuple[str, str]]  # (target value, label) for the amendment and position forms
    option_positions: list[tuple[str, Position]]
    open_amendments: list[AmendmentView]
    closed_amendments: list[AmendmentView]
    working: str = ""  # the working language's content, in the bracket syntax
    own_position: Position | None = None
    errors: dict[str, str] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""


@dataclass
class Caps:
    secretariat: bool
    delegation: Any  # the State the account speaks for (member or guest), or None
    member: bool  # the delegation is a member: positions, amendments, silence, signature

    @property
    def chair(self) -> bool:
        return self.secretariat


def _amendment_target(amendment: Amendment) -> str:
    if amendment.parent_id is not None and amendment.parent is not None:
        return _("the amendment #%(n)d by %(state)s") % {"n": amendment.parent_id, "state": amendment.parent.state.iso2}
    if amendment.bracket_index is not None and amendment.option_index is not None:
        return _("bracket %(b)d, option %(o)d") % {"b": amendment.bracket_index + 1, "o": amendment.option_index + 1}
    return _("the whole paragraph")


def _unit_view(
    row: queries.UnitRow,
    text: Text,
    show: str,
    caps: Caps,
    names: dict[str, str],
) -> UnitView:
    working = row.contents.get(text.working_language)
    working_content = working.content if working else ""
    all_languages = []
    for code in text.language_list:
        version = row.contents.get(code)
        content = version.content if version else ""
        all_languages.append(
            LanguageView(
                code=code,
                name=names.get(code, code),
                content=content,
                html=segments_html(content),
                out_of_date=bool(version and version.out_of_date),
                is_working=code == text.working_language,
            )
        )
    if show == "all":
        shown = all_languages
    else:
        shown = [lv for lv in all_languages if lv.code == show] or [lv for lv in all_languages if lv.is_working]
    options: list[tuple[str, str]] = []
    option_text: dict[tuple[int, int], str] = {}
    try:
        found = brackets.parse(working_content).brackets
    except brackets.BracketError:
        found = []
    for b, bracket in enumerate(found):
        for o, option in enumerate(bracket.options):
            options.append((f"{b}.{o}", _option_label(b, o, option.text)))
            option_text[(b, o)] = option.text
    option_positions = [
        (_option_label(p.bracket_index, p.option_index, option_text.get((p.bracket_index, p.option_index), "?")), p)
        for p in sorted(row.option_positions, key=lambda p: (p.bracket_index, p.option_index, p.state.iso2))
    ]
    frozen = text.is_frozen
    drafting = text.status == TextStatus.DRAFTING
    views: dict[int, AmendmentView] = {}
    for amendment in row.amendments:
        proposed = amendment.status == AmendmentStatus.PROPOSED
        view = AmendmentView(
            amendment=amendment,
            target=_amendment_target(amendment),
            may_decide=proposed and caps.secretariat and drafting,
            may_withdraw=proposed and caps.member and caps.delegation.pk == amendment.state_id,
            may_counter=proposed and caps.member and not frozen,
        )
        whole = amendment.bracket_index is None and amendment.parent_id is None
        if proposed and whole and amendment.kind == AmendmentKind.REPLACE:
            view.diff = queries.word_diff(working_content, amendment.content)
        views[amendment.pk] = view
    roots: list[AmendmentView] = []
    for view in views.values():
        parent = views.get(view.amendment.parent_id) if view.amendment.parent_id else None
        if parent is not None:
            parent.children.append(view)
        else:
            roots.append(view)
    return UnitView(
        row=row,
        uid=row.unit.uid,
        state_label=str(UNIT_STATE_LABELS.get(row.state, row.state)),
        languages=shown,
        all_languages=all_languages,
        options=options,
        option_positions=option_positions,
        open_amendments=[v for v in roots if v.amendment.status == AmendmentStatus.PROPOSED],
        closed_amendments=[v for v in roots if v.amendment.status != AmendmentStatus.PROPOSED],
        working=working_content,
        own_position=row.positions.get(caps.delegation.iso2) if caps.member else None,
    )


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


def _silence_info(text: Text) -> dict[str, Any] | None:
    if text.silence_deadline is None:
        return None
    zone_name = text.silence_timezone or settings.TIME_ZONE
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = text.silence_deadline.astimezone(zone)
    utc = text.silence_deadline.astimezone(dt.UTC)
    return {
        # naive, so that the template shows them as they are and does not convert them again
        "local": local.replace(tzinfo=None),
        "utc": utc.replace(tzinfo=None),
        "zone": zone_name,
        "offset": _utc_offset(local),
        "iso": utc.isoformat().replace("+00:00", "Z"),
        "passed": text.silence_deadline <= timezone.now(),
        "left": _left(text.silence_deadline - timezone.now()),
    }


def _left(delta: dt.timedelta) -> str:
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


def _zone_choices(text: Text) -> list[tuple[str, str]]:
    """The zones the action accepts (``queries.silence_zones``), each with its state and offset."""
    from kenes.states.models import State

    zones = queries.silence_zones(text)
    names = {s.timezone: s.name for s in State.objects.filter(timezone__in=zones)}
    now = timezone.now()
    out = []
    for zone in zones:
        offset = _utc_offset(now.astimezone(zoneinfo.ZoneInfo(zone)))
        label = f"{zone} — {names[zone]} ({offset})" if zone in names else f"{zone} ({offset})"
        out.append((zone, label))
    return out


def _default_deadline() -> str:
    local = timezone.localtime() + dt.timedelta(days=3)
    return local.replace(hour=18, minute=0, second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")


def _versions_for_diff(room: queries.Room, query: Mapping[str, Any]) -> tuple[int, int]:
    numbers = [v.number for v in room.versions]
    latest = numbers[-1] if numbers else 1

    def number(name: str, default: int) -> int:
        value = str(query.get(name, "") or "")
        return int(value) if value.isdigit() else default

    return number("a", 1), number("b", latest)  # by default: everything since the first draft


def _diff_context(text: Text, room: queries.Room, query: Mapping[str, Any]) -> dict[str, Any]:
    a, b = _versions_for_diff(room, query)
    language = str(query.get("dlang", "") or text.working_language)
    if language not in text.language_list:
        language = text.working_language
    context: dict[str, Any] = {"diff_a": a, "diff_b": b, "diff_language": language, "diff": None, "diff_error": ""}
    try:
        diff = queries.diff_versions(text, a, b, language)
    except KeyError:
        context["diff_error"] = _("There is no such version of this text.")
        return context
    context["diff"] = [d for d in diff if d["change"] != "same"]
    context["diff_same"] = sum(1 for d in diff if d["change"] == "same")
    return context


def _room_context(
    request: HttpRequest,
    text: Text,
    *,
    error_key: str = "",
    error: ActionError | None = None,
    data: Mapping[str, Any] | None = None,
    message_key: str = "",
    message: str = "",
    live_after: str | None = None,
) -> dict[str, Any]:
    from kenes.live.sse import snapshot_id
    from kenes.states.models import State

    user = request.user
    if live_after is None:
        live_after = snapshot_id(f"text:{text.pk}")  # before the room is read: see text_room
    room = queries.room(user, text)
    delegation = delegation_of(user, text)
    caps = Caps(
        secretariat=may_chair(user, text),
        delegation=delegation,
        member=bool(delegation and delegation.iso2 in room.members),
    )
    names = _language_names()
    source = data if data is not None else request.GET
    show = str(source.get("show", "") or request.GET.get("show", "") or text.working_language)
    if show != "all" and show not in text.language_list:
        show = text.working_language
    units = [_unit_view(row, text, show, caps, names) for row in room.rows]
    error_message = error.message if error else ""
    drafting = text.status == TextStatus.DRAFTING
    unit_forms = {
        "position": caps.member and not text.is_frozen,
        "amend": caps.member and not text.is_frozen,
        "comment": caps.delegation is not None and not text.is_frozen,
        "note": caps.delegation is not None,
        "edit": caps.secretariat and drafting,
    }
    page_forms = {
        "add": caps.secretariat and drafting,
        "note": caps.delegation is not None,
        "circulate": caps.secretariat and drafting,
        "adopt": caps.secretariat and drafting,
        "break": caps.member and text.status == TextStatus.SILENCE and text.silence_deadline is not None,
        "sign": text.is_frozen,
    }
    # A message goes beside the form that was sent; when that form is not on the page any more
    # (the text was frozen meanwhile, the amendment decided), it goes at the top of its paragraph.
    placed = bool(page_forms.get(error_key))
    for view in units:
        prefix = f"unit:{view.uid}:"
        if error_key.startswith(prefix):
            form = error_key[len(prefix) :]
            view.errors = {form if unit_forms.get(form) else "unit": error_message}
            view.data = data or {}
            placed = True
        if message_key == f"unit:{view.uid}":
            view.message = message
        if error_key.startswith("amendment:"):
            pending = [*view.open_amendments]
            while pending:
                amendment_view = pending.pop()
                pending.extend(amendment_view.children)
                if error_key != f"amendment:{amendment_view.amendment.pk}":
                    continue
                placed = True
                if amendment_view.amendment.status == AmendmentStatus.PROPOSED:
                    amendment_view.error = error_message
                    amendment_view.data = data or {}
                else:
                    view.errors = {"unit": error_message}
            if not placed and any(error_key == f"amendment:{a.pk}" for a in view.row.amendments):
                view.errors = {"unit": error_message}
                placed = True
    for version in room.versions:
        version.reason_label = reason_label(version.reason)  # type: ignore[attr-defined]
    state_names = {s.iso2: s.name for s in State.objects.filter(iso2__in=room.members)}
    matrix = [
        {
            "code": code,
            "name": state_names.get(code, code),
            "cells": [
                (u, p, STANCE_SIGNS.get(p.stance, "") if p else "") for u in units for p in [u.row.positions.get(code)]
            ],
        }
        for code in room.members
    ]
    signatures = []
    breaks = []
    if text.is_frozen:
        signatures = list(Signature.objects.filter(text=text).select_related("state").order_by("signed_at"))
    breaks = list(SilenceBreak.objects.filter(text=text).select_related("state").order_by("-created_at")[:10])
    signed = {s.state_id for s in signatures}
    own_notes = [n for row in room.rows for n in row.notes]
    text_notes = []
    if delegation is not None:
        from kenes.access.policy import visible
        from kenes.texts.models import PrivateNote

        text_notes = list(visible(user, PrivateNote.objects.filter(text=text, unit__isnull=True)))
    others = [code for code in text.language_list if code != text.working_language]
    pair = [names.get(text.working_language, text.working_language), names.get(others[0], others[0])] if others else []
    pair_codes = [text.working_language, others[0]] if others else []
    context: dict[str, Any] = {
        "text": text,
        "room": room,
        "units": units,
        "matrix": matrix,
        "caps": caps,
        "show": show,
        "language_tabs": [(code, names.get(code, code)) for code in text.language_list],
        "language_names": names,
        "working_language_name": names.get(text.working_language, text.working_language),
        "chart": chart_svg(room.versions),
        "silence": _silence_info(text),
        "zones": _zone_choices(text) if caps.secretariat and text.status == TextStatus.DRAFTING else [],
        "default_deadline": _default_deadline(),
        "signatures": signatures,
        "silence_breaks": breaks,
        "may_sign": caps.member and text.is_frozen and delegation is not None and delegation.pk not in signed,
        "hashes": [
            (code, names.get(code, code), text.adopted_hashes.get(code, ""))
            for code in [*text.language_list, *sorted(set(text.adopted_hashes) - set(text.language_list))]
        ],
        "agreed_count": sum(1 for u in units if u.row.state == UnitState.AGREED),
        "unit_notes_count": len(own_notes),
        "text_notes": text_notes,
        "unit_kinds": UnitKind.choices,
        "amendment_kinds": AmendmentKind.choices,
        "stances": Stance.choices,
        "stance_signs": STANCE_SIGNS,
        "error_key": error_key,
        "error": error_message,
        "page_error": "" if placed else error_message,
        "form": data or {},
        "pdf_url": f"/texts/{text.code}/pdf/",  # the export view is texts.pdf_views.text_pdf
        "pdf_pair": pair,
        "pdf_pair_url": f"/texts/{text.code}/pdf/?" + urlencode({"languages": ",".join(pair_codes)}) if pair else "",
        "room_url": reverse("text_room", args=[text.code]),
        # The page's live stream (kenes.live.sse), resumed after the id this snapshot is consistent with.
        "live_url": reverse("text_events", args=[text.code]) + "?" + urlencode({"after": live_after}),
    }
    context.update(_diff_context(text, room, request.GET))
    return context


def _render_room(
    request: HttpRequest,
    text: Text,
    *,
    error_key: str = "",
    error: ActionError | None = None,
    status: int = 200,
) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    context = _room_context(request, text, error_key=error_key, error=error, data=data)
    return render(request, "texts/room.html", context, status=status)


def _shape(text: Text) -> tuple[str, list[str]]:
    """What an in-place update cannot follow: the text's status and its list of paragraphs."""
    status = Text.objects.filter(pk=text.pk).values_list("status", flat=True).first() or ""
    uids = list(text.units.filter(removed=False).order_by("order").values_list("uid", flat=True))
    return status, uids


def _room_redirect(text: Text, anchor: str = "", show: str = "") -> str:
    url = reverse("text_room", args=[text.code])
    if show and show != text.working_language:
        url += "?" + urlencode({"show": show})
    return url + (f"#{anchor}" if anchor else "")


def _after(
    request: HttpRequest, text: Text, *, uid: str, message: str, before: tuple[str, list[str]] | None = None
) -> HttpResponse:
    """After a change: the paragraph's block (HTMX) or a redirect back to it."""
    show = request.POST.get("show", "")
    anchor = f"unit-{uid}" if uid else ""
    if _is_htmx(request) and uid and before is not None:
        fresh = queries.text_for(request.user, text.code)
        if _shape(fresh) == before:
            context = _room_context(request, fresh, message_key=f"unit:{uid}", message=message)
            context["target"] = next((u for u in context["units"] if u.uid == uid), None)
            return render(request, "texts/_unit_swap.html", context)
        messages.success(request, message)
        response = HttpResponse("")
        response["HX-Redirect"] = _room_redirect(text, anchor, show)
        return response
    messages.success(request, message)
    return redirect(_room_redirect(text, anchor, show))


def _failed(request: HttpRequest, text: Text, *, key: str, uid: str, exc: ActionError) -> HttpResponse:
    """Refused input: the form again, with the message and what was typed."""
    fresh = queries.text_for(request.user, text.code)
    if _is_htmx(request) and uid:
        context = _room_context(request, fresh, error_key=key, error=exc, data=request.POST)
        context["target"] = next((u for u in context["units"] if u.uid == uid), None)
        if context["target"] is not None:
            return render(request, "texts/_unit_swap.html", context, status=exc.status)
    return _render_room(request, fresh, error_key=key, error=exc, status=exc.status)


# --- list and new text ------------------------------------------------------------------------


def text_list(request: HttpRequest) -> HttpResponse:
    latest = TextVersion.objects.filter(text=OuterRef("pk"), number=OuterRef("version")).values("open_brackets")[:1]
    texts = (
        queries.texts_for(request.user)
        .select_related("meeting__format")
        .annotate(open_count=Subquery(latest))
        .order_by("-created_at", "code")
    )
    return render(
        request,
        "texts/text_list.html",
        {"texts": texts, "may_create": secretariat_formats(request.user).exists()},
    )


def _draft_units(draft: str) -> list[dict[str, str]]:
    """Paragraphs are blocks separated by an empty line; ``PP:`` starts a preambular paragraph,
    ``OP:`` (or nothing) an operative one; the lines of a block are joined with a space."""
    units = []
    for block in re.split(r"\n\s*\n", draft.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        content = " ".join(lines)
        kind = UnitKind.OPERATIVE
        match = re.match(r"^(PP|OP)\s*:\s*", content, flags=re.IGNORECASE)
        if match:
            kind = UnitKind.PREAMBLE if match[1].upper() == "PP" else UnitKind.OPERATIVE
            content = content[match.end() :]
        units.append({"kind": str(kind), "content": content})
    return units


def _new_code(title: str) -> str:
    base = slugify(title)[:80].strip("-") or "text"
    if len(base) < 3:
        base = f"text-{base}"
    code, number = base, 2
    while Text.objects.filter(code=code).exists() or code == "new":
        code = f"{base}-{number}"
        number += 1
    return code


@login_required
def text_create(request: HttpRequest) -> HttpResponse:
    formats = list(secretariat_formats(request.user).order_by("id"))
    if not formats:
        raise PermissionDenied(_("Only the secretariat may start a text."))
    from kenes.meetings.queries import meetings_for

    meetings = list(meetings_for(request.user).filter(format__in=formats).order_by("-start_sort", "code"))
    names = _language_names()
    error: ActionError | None = None
    if request.method == "POST":
        data = request.POST
        form: dict[str, Any] = {
            "title": data.get("title", ""),
            "code": data.get("code", "").strip().lower(),
            "kind": data.get("kind", ""),
            "format": data.get("format", ""),
            "meeting": data.get("meeting", ""),
            "classification": data.get("classification", ""),
            "working_language": data.get("working_language", "ru"),
            "languages": data.getlist("languages"),
            "draft": data.get("draft", ""),
        }
        try:
            fmt = next((f for f in formats if f.code == form["format"]), None)
            if fmt is None:
                raise ActionError(_("Choose a format."), field="format")
            meeting = None
            if form["meeting"]:
                meeting = next((m for m in meetings if m.code == form["meeting"]), None)
                if meeting is None:
                    raise ActionError(_("Unknown meeting."), field="meeting")
            code = form["code"]
            units = _draft_units(form["draft"])
            try:
                text = actions.create_text(
                    request.user,
                    fmt=fmt,
                    code=code or _new_code(form["title"]),
                    title=form["title"],
                    kind=form["kind"],
                    units=units,
                    meeting=meeting,
                    classification=form["classification"] or None,
                    working_language=form["working_language"],
                    languages=list(dict.fromkeys([form["working_language"], *[c for c in form["languages"] if c]])),
                )
            except ActionError as exc:
                match = re.fullmatch(r"units\.(\d+)\.\w+", exc.field or "")
                if match:
                    number = int(match[1]) + 1
                    raise ActionError(
                        _("Paragraph %(n)d: %(problem)s") % {"n": number, "problem": exc.message}, field="draft"
                    ) from exc
                raise
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, _("The draft is created. This is the negotiation room."))
            return redirect("text_room", code=text.code)
    else:
        default_format = formats[0]
        fm = next((f for f in formats if f.code == "ca_foreign_ministers"), None)
        if fm is not None:
            default_format = fm
        form = {
            "title": "",
            "code": "",
            "kind": TextKind.JOINT_STATEMENT,
            "format": request.GET.get("format", default_format.code),
            "meeting": request.GET.get("meeting", ""),
            "classification": "",
            "working_language": "ru",
            "languages": ["en"],
            "draft": "",
        }
    context = {
        "form": form,
        "error": error,
        "formats": formats,
        "meetings": meetings,
        "kinds": TextKind.choices,
        "levels": [c for c in Classification if c != Classification.RESTRICTED],
        "languages": [(code, names[code]) for code, _name in settings.LANGUAGES],
    }
    return render(request, "texts/text_create.html", context, status=error.status if error else 200)


# --- the room: reading ------------------------------------------------------------------------


def text_room(request: HttpRequest, code: str) -> HttpResponse:
    """The room; with ``?unit=<uid>`` from HTMX, that paragraph's block (a live update re-fetches it
    here, through the page's own query and policy)."""
    from kenes.live.sse import snapshot_id

    text = queries.text_for(request.user, code)
    uid = request.GET.get("unit", "")
    if uid and _is_htmx(request):
        context = _room_context(request, text)
        context["target"] = next((u for u in context["units"] if u.uid == uid), None)
        if context["target"] is None:  # the paragraph is gone: the whole page changed shape
            response = HttpResponse("")
            response["HX-Refresh"] = "true"
            return response
        return render(request, "texts/_unit_swap.html", context)
    # The id the page is consistent with is read before the text and the room, so that the page
    # plus the events after that id is a fresh page (a change in between is only sent again).
    live_after = snapshot_id(f"text:{text.pk}")
    text = queries.text_for(request.user, code)
    context = _room_context(request, text, live_after=live_after)
    return render(request, "texts/room.html", context)


def text_diff(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    if not _is_htmx(request):
        params = {k: request.GET[k] for k in ("a", "b", "dlang", "show") if request.GET.get(k)}
        return redirect(reverse("text_room", args=[code]) + ("?" + urlencode(params) if params else "") + "#diff")
    room = queries.room(request.user, text)
    context = {"text": text, "room": room, "language_names": _language_names()}
    context.update(_diff_context(text, room, request.GET))
    return render(request, "texts/_diff.html", context, status=400 if context["diff_error"] else 200)


# --- the room: paragraphs -----------------------------------------------------------------------


def _revision(data: QueryDict) -> int | None:
    value = data.get("revision", "")
    return int(value) if value.isdigit() else None


def _room_form(key: str) -> Rerender:
    """The room again after a refusal, the message beside the form ``key`` that was sent:
    ``unit:{uid}:edit``, ``amendment:{pk}``, ``add`` … (formatted with the view's arguments)."""

    def rerender(
        request: HttpRequest, exc: ActionError, code: str, uid: str = "", pk: int | None = None
    ) -> HttpResponse:
        text = queries.text_for(request.user, code)
        if pk is not None:
            uid = queries.amendment_for(request.user, pk, text=text).unit.uid
        return _failed(request, text, key=key.format(uid=uid, pk=pk), uid=uid, exc=exc)

    return rerender


def _note_form(request: HttpRequest, exc: ActionError, code: str) -> HttpResponse:
    uid = request.POST.get("unit", "")
    text = queries.text_for(request.user, code)
    return _failed(request, text, key=f"unit:{uid}:note" if uid else "note", uid=uid, exc=exc)


@login_required
@require_POST
@renders_action_errors(_room_form("unit:{uid}:edit"))
def unit_edit(request: HttpRequest, code: str, uid: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    unit = queries.unit_for(text, uid)
    before = _shape(text)
    actions.edit_unit(
        request.user,
        unit,
        language=request.POST.get("language", ""),
        content=request.POST.get("content", ""),
        expected_revision=_revision(request.POST),
    )
    return _after(request, text, uid=uid, message=_("The paragraph is saved."), before=before)


@login_required
@require_POST
@renders_action_errors(_room_form("add"))
def unit_add(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    after_uid = request.POST.get("after", "")
    after = queries.unit_named(text, after_uid, field="after") if after_uid else None
    data = request.POST
    unit = actions.add_unit(request.user, text, kind=data.get("kind", ""), content=data.get("content", ""), after=after)
    return _after(request, text, uid=unit.uid, message=_("The paragraph is added."))


@login_required
@require_POST
@renders_action_errors(_room_form("unit:{uid}:amend"))
def amendment_propose(request: HttpRequest, code: str, uid: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    unit = queries.unit_for(text, uid)
    before = _shape(text)
    data = request.POST
    bracket_index, option_index = _target(data.get("target", "unit"))
    actions.propose_amendment(
        request.user,
        unit,
        kind=data.get("kind", ""),
        content=data.get("content", "") if data.get("kind") != AmendmentKind.DELETE else "",
        reason=data.get("reason", ""),
        bracket_index=bracket_index,
        option_index=option_index,
    )
    return _after(request, text, uid=uid, message=_("Your amendment is proposed."), before=before)


@login_required
@require_POST
@renders_action_errors(_room_form("amendment:{pk}"))
def amendment_counter(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    text = queries.text_for(request.user, code)
    parent = queries.amendment_for(request.user, pk, text=text)
    before = _shape(text)
    actions.propose_amendment(
        request.user,
        parent.unit,
        kind=AmendmentKind.REPLACE,
        content=request.POST.get("content", ""),
        reason=request.POST.get("reason", ""),
        parent=parent,
    )
    message = _("Your amendment to the amendment is proposed.")
    return _after(request, text, uid=parent.unit.uid, message=message, before=before)


@login_required
@require_POST
@renders_action_errors(_room_form("amendment:{pk}"))
def amendment_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    text = queries.text_for(request.user, code)
    amendment = queries.amendment_for(request.user, pk, text=text)
    before = _shape(text)
    accept = request.POST.get("decision") == "accept"
    actions.decide_amendment(request.user, amendment, accept=accept)
    message = _("The amendment is accepted into the text.") if accept else _("The amendment is rejected.")
    return _after(request, text, uid=amendment.unit.uid, message=message, before=before)


@login_required
@require_POST
@renders_action_errors(_room_form("amendment:{pk}"))
def amendment_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    text = queries.text_for(request.user, code)
    amendment = queries.amendment_for(request.user, pk, text=text)
    before = _shape(text)
    actions.withdraw_amendment(request.user, amendment)
    return _after(request, text, uid=amendment.unit.uid, message=_("Your amendment is withdrawn."), before=before)


@login_required
@require_POST
@renders_action_errors(_room_form("unit:{uid}:position"))
def position_state(request: HttpRequest, code: str, uid: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    unit = queries.unit_for(text, uid)
    before = _shape(text)
    data = request.POST
    bracket_index, option_index = _target(data.get("target", "unit"))
    actions.state_position(
        request.user,
        unit,
        stance=data.get("stance", ""),
        note=data.get("note", ""),
        bracket_index=Position.WHOLE_UNIT if bracket_index is None else bracket_index,
        option_index=Position.WHOLE_UNIT if option_index is None else option_index,
    )
    return _after(request, text, uid=uid, message=_("Your delegation's position is recorded."), before=before)


@login_required
@require_POST
@renders_action_errors(_room_form("unit:{uid}:comment"))
def comment_add(request: HttpRequest, code: str, uid: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    unit = queries.unit_for(text, uid)
    before = _shape(text)
    actions.add_comment(request.user, unit, body=request.POST.get("body", ""))
    return _after(request, text, uid=uid, message=_("Your comment is added."), before=before)


@login_required
@require_POST
@renders_action_errors(_note_form)
def note_add(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    uid = request.POST.get("unit", "")
    unit = queries.unit_named(text, uid, field="unit") if uid else None
    before = _shape(text)
    body, red_line = request.POST.get("body", ""), bool(request.POST.get("red_line"))
    actions.add_private_note(request.user, text, body=body, unit=unit, red_line=red_line)
    message = _("Your private note is saved; only your delegation sees it.")
    if not uid:
        messages.success(request, message)
        return redirect(_room_redirect(text, "notes"))
    return _after(request, text, uid=uid, message=message, before=before)


# --- the room: silence, adoption, signatures ----------------------------------------------------


def _deadline(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ActionError(_("Give the deadline as a date and a time."), field="deadline") from None


@login_required
@require_POST
@renders_action_errors(_room_form("circulate"))
def silence_circulate(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    deadline = _deadline(request.POST.get("deadline", ""))
    if timezone.is_aware(deadline):
        deadline = deadline.replace(tzinfo=None)
    actions.circulate_for_silence(request.user, text, deadline=deadline, timezone_name=request.POST.get("timezone", ""))
    messages.success(request, _("The text is circulated under silence procedure."))
    return redirect(_room_redirect(text, "silence"))


@login_required
@require_POST
@renders_action_errors(_room_form("break"))
def silence_break(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    actions.break_silence(request.user, text, reason=request.POST.get("reason", ""))
    messages.success(request, _("Your delegation broke the silence: the text is back under negotiation."))
    return redirect(_room_redirect(text, "silence"))


@login_required
@require_POST
@renders_action_errors(_room_form("adopt"))
def text_adopt(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    actions.adopt_by_consensus(request.user, text)
    messages.success(request, _("The text is adopted by consensus. It is frozen now."))
    return redirect(_room_redirect(text, "adoption"))


@login_required
@require_POST
@renders_action_errors(_room_form("sign"))
def text_sign(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    actions.sign(request.user, text)
    messages.success(request, _("Your delegation signed the adopted text."))
    return redirect(_room_redirect(text, "adoption"))
