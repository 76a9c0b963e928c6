"""The secretariat's pages: draft a release from a meeting or an adopted text, edit a language
version, schedule, publish, correct. Thin views: load, act, succeed. ``PermissionDenied`` from an
action propagates (403 page); an ``ActionError`` re-renders the form with the message (400).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.access.policy import may_manage_releases, visible
from kenes.errors import ActionError
from kenes.meetings.models import Meeting, MeetingStatus
from kenes.press import actions, checks, queries
from kenes.press.drafting import draft_release_from
from kenes.press.models import ReleaseStatus


def _require_manager(request: HttpRequest) -> None:
    if not may_manage_releases(request.user):
        raise PermissionDenied(_("Only the secretariat may change releases."))


def _sources() -> dict[str, Any]:
    from kenes.texts.models import Text, TextStatus

    meetings = visible(None, Meeting.objects.filter(status=MeetingStatus.HELD)).select_related("format")
    texts = visible(None, Text.objects.filter(status=TextStatus.ADOPTED))
    return {"meetings": meetings.order_by("-start_sort"), "texts": texts.order_by("-adopted_at")}


@login_required
def manage(request: HttpRequest, *, error: ActionError | None = None, status: int = 200) -> HttpResponse:
    _require_manager(request)
    rows = queries.releases_for(request.user).order_by("-created_at", "-pk")[:100]
    context = {"rows": [(r, queries.version_in(r, None)) for r in rows], "error": error, **_sources()}
    return render(request, "press/manage.html", context, status=status)


@login_required
@require_POST
def draft_from(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    from kenes.texts.models import Text

    kind, _sep, code = (request.POST.get("source") or "").partition(":")
    source: Any = None
    if kind == "meeting":
        source = Meeting.objects.filter(code=code).first()
    elif kind == "text":
        source = Text.objects.filter(code=code).first()
    try:
        if source is None:
            raise ActionError(_("Choose a held meeting or an adopted text."), field="source")
        release = draft_release_from(request.user, source)
    except ActionError as exc:
        return manage(request, error=exc, status=400)
    messages.success(request, _("Draft created from public facts only. Check it, then publish."))
    return redirect("press_edit", slug=release.slug)


def _edit_page(request: HttpRequest, slug: str, *, errors: dict[str, str] | None = None, status: int = 200,
               language: str | None = None) -> HttpResponse:  # fmt: skip
    release = queries.release_for(request.user, slug)
    language = language or request.GET.get("language") or release.working_language
    if language not in actions.languages():
        raise Http404("Not found")
    version = release.versions.filter(language=language).first()
    data = request.POST if request.method == "POST" else None
    context = {
        "release": release,
        "language": language,
        "versions": list(release.versions.all()),
        "languages": actions.languages(),
        "headline": data.get("headline", "") if data else (version.headline if version else ""),
        "lead": data.get("lead", "") if data else (version.lead if version else ""),
        "body": data.get("body", "") if data else (version.body if version else ""),
        "errors": errors or {},
        "problems": [] if release.is_public else checks.publication_problems(release),
        "is_public": release.is_public,
        "default_time": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    return render(request, "press/edit.html", context, status=status)


@login_required
def release_edit(request: HttpRequest, slug: str) -> HttpResponse:
    _require_manager(request)
    if request.method != "POST":
        return _edit_page(request, slug)
    release = queries.release_for(request.user, slug)
    post = request.POST
    language = post.get("language") or release.working_language
    fields: dict[str, Any] = {"language": language, "headline": post.get("headline", ""), "lead": post.get("lead", ""),
                              "body": post.get("body", ""), "expected_version": _int(post.get("version"))}  # fmt: skip
    try:
        if release.is_public:
            actions.correct_release(request.user, release, note=post.get("note", ""), major=post.get("major") == "on",
                                    **fields)  # fmt: skip
        else:
            actions.edit_release(request.user, release, **fields)
    except ActionError as exc:
        return _edit_page(request, slug, errors={exc.field or "body": exc.message}, status=exc.status,
                          language=language)  # fmt: skip
    messages.success(request, _("Saved."))
    return redirect(f"{request.path}?language={language}")


@login_required
@require_POST
def release_step(request: HttpRequest, slug: str, step: str) -> HttpResponse:
    _require_manager(request)
    release = queries.release_for(request.user, slug)
    version = _int(request.POST.get("version"))
    try:
        if step == "publish":
            actions.publish_release(request.user, release, expected_version=version)
        elif step == "schedule":
            actions.schedule_release(request.user, release, at=_when(request.POST.get("at", "")),
                                     expected_version=version)  # fmt: skip
        else:
            raise Http404("Not found")
    except ActionError as exc:
        return _edit_page(request, slug, errors={exc.field or "status": exc.message}, status=exc.status)
    done = ReleaseStatus.PUBLISHED if step == "publish" else ReleaseStatus.SCHEDULED
    messages.success(request, _("Published.") if done == ReleaseStatus.PUBLISHED else _("Scheduled."))
    return redirect("press_edit", slug=slug)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


def _when(raw: str) -> dt.datetime:
    try:
        naive = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ActionError(_("Give the date and time, e.g. 2027-03-01 10:00."), field="scheduled_for") from None
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive
