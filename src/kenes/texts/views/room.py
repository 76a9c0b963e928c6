"""The negotiation room's context: one view object per paragraph, the silence panel, the diff, and the
responses shared by the room's forms.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kenes.errors import ActionError
from kenes.texts import brackets, queries
from kenes.texts.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Position,
    Signature,
    SilenceBreak,
    Stance,
    Text,
    TextStatus,
    UnitKind,
)
from kenes.texts.permissions import delegation_of, may_chair
from kenes.texts.rules import UnitState
from kenes.texts.views.display import (
    STANCE_SIGNS,
    UNIT_STATE_LABELS,
    chart_svg,
    is_htmx,
    language_names,
    option_label,
    reason_label,
    segments_html,
    time_left,
    utc_offset,
)


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
            options.append((f"{b}.{o}", option_label(b, o, option.text)))
            option_text[(b, o)] = option.text
    option_positions = [
        (option_label(p.bracket_index, p.option_index, option_text.get((p.bracket_index, p.option_index), "?")), p)
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
        "offset": utc_offset(local),
        "iso": utc.isoformat().replace("+00:00", "Z"),
        "passed": text.silence_deadline <= timezone.now(),
        "left": time_left(text.silence_deadline - timezone.now()),
    }


def _zone_choices(text: Text) -> list[tuple[str, str]]:
    """The zones the action accepts (``queries.silence_zones``), each with its state and offset."""
    from kenes.states.models import State

    zones = queries.silence_zones(text)
    names = {s.timezone: s.name for s in State.objects.filter(timezone__in=zones)}
    now = timezone.now()
    out = []
    for zone in zones:
        offset = utc_offset(now.astimezone(zoneinfo.ZoneInfo(zone)))
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


def diff_context(text: Text, room: queries.Room, query: Mapping[str, Any]) -> dict[str, Any]:
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


def room_context(
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
    names = language_names()
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
    context.update(diff_context(text, room, request.GET))
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
    context = room_context(request, text, error_key=error_key, error=error, data=data)
    return render(request, "texts/room.html", context, status=status)


def text_shape(text: Text) -> tuple[str, list[str]]:
    """What an in-place update cannot follow: the text's status and its list of paragraphs."""
    status = Text.objects.filter(pk=text.pk).values_list("status", flat=True).first() or ""
    uids = list(text.units.filter(removed=False).order_by("order").values_list("uid", flat=True))
    return status, uids


def room_redirect(text: Text, anchor: str = "", show: str = "") -> str:
    url = reverse("text_room", args=[text.code])
    if show and show != text.working_language:
        url += "?" + urlencode({"show": show})
    return url + (f"#{anchor}" if anchor else "")


def after_change(
    request: HttpRequest, text: Text, *, uid: str, message: str, before: tuple[str, list[str]] | None = None
) -> HttpResponse:
    """After a change: the paragraph's block (HTMX) or a redirect back to it."""
    show = request.POST.get("show", "")
    anchor = f"unit-{uid}" if uid else ""
    if is_htmx(request) and uid and before is not None:
        fresh = queries.text_for(request.user, text.code)
        if text_shape(fresh) == before:
            context = room_context(request, fresh, message_key=f"unit:{uid}", message=message)
            context["target"] = next((u for u in context["units"] if u.uid == uid), None)
            return render(request, "texts/_unit_swap.html", context)
        messages.success(request, message)
        response = HttpResponse("")
        response["HX-Redirect"] = room_redirect(text, anchor, show)
        return response
    messages.success(request, message)
    return redirect(room_redirect(text, anchor, show))


def failed_change(request: HttpRequest, text: Text, *, key: str, uid: str, exc: ActionError) -> HttpResponse:
    """Refused input: the form again, with the message and what was typed."""
    fresh = queries.text_for(request.user, text.code)
    if is_htmx(request) and uid:
        context = room_context(request, fresh, error_key=key, error=exc, data=request.POST)
        context["target"] = next((u for u in context["units"] if u.uid == uid), None)
        if context["target"] is not None:
            return render(request, "texts/_unit_swap.html", context, status=exc.status)
    return _render_room(request, fresh, error_key=key, error=exc, status=exc.status)
