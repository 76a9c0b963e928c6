"""Pages of the texts themselves: the list, a new draft, the room and the comparison of versions."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.errors import ActionError
from kenes.meetings.permissions import secretariat_formats
from kenes.texts import actions, queries
from kenes.texts.models import (
    Text,
    TextKind,
    TextVersion,
    UnitKind,
)
from kenes.texts.views.display import is_htmx, language_names
from kenes.texts.views.room import diff_context, room_context


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
    names = language_names()
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


def text_room(request: HttpRequest, code: str) -> HttpResponse:
    """The room; with ``?unit=<uid>`` from HTMX, that paragraph's block (a live update re-fetches it
    here, through the page's own query and policy)."""
    from kenes.live.sse import snapshot_id

    text = queries.text_for(request.user, code)
    uid = request.GET.get("unit", "")
    if uid and is_htmx(request):
        context = room_context(request, text)
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
    context = room_context(request, text, live_after=live_after)
    return render(request, "texts/room.html", context)


def text_diff(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    if not is_htmx(request):
        params = {k: request.GET[k] for k in ("a", "b", "dlang", "show") if request.GET.get(k)}
        return redirect(reverse("text_room", args=[code]) + ("?" + urlencode(params) if params else "") + "#diff")
    room = queries.room(request.user, text)
    context = {"text": text, "room": room, "language_names": language_names()}
    context.update(diff_context(text, room, request.GET))
    return render(request, "texts/_diff.html", context, status=400 if context["diff_error"] else 200)
