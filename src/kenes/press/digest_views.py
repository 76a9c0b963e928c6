"""Pages of the weekly review: subscribe, confirm, unsubscribe (also RFC 8058 one-click), and the
secretariat's preview. Bad input re-renders the form with the message (400)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kenes.access.policy import may_manage_releases
from kenes.errors import ActionError
from kenes.press import digest, subscriptions
from kenes.press.models import Tag


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def subscribe(request: HttpRequest) -> HttpResponse:
    tags = Tag.objects.filter(releases__isnull=False).distinct().order_by("kind", "name_en")
    context: dict[str, Any] = {"consent": subscriptions.consent_wording(), "tags": tags, "done": False,
                               "error": None, "email": ""}  # fmt: skip
    if request.method != "POST":
        return render(request, "press/subscribe.html", context)
    context["email"] = request.POST.get("email", "")[:254]
    if request.POST.get("consent") != "on":
        context["error"] = _("Tick the box to give your consent.")
        return render(request, "press/subscribe.html", context, status=400)
    try:
        subscriptions.subscribe(context["email"], language=_language(), tags=request.POST.getlist("tags"),
                                consent=str(context["consent"]))  # fmt: skip
    except ActionError as exc:
        context["error"] = exc.message
        return render(request, "press/subscribe.html", context, status=400)
    context["done"] = True
    return render(request, "press/subscribe.html", context)


def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners that open the mail confirm nothing); POST confirms."""
    try:
        subscriber = subscriptions.subscriber_for_confirmation(token)
        if request.method == "POST":
            subscriber = subscriptions.confirm(token)
    except ActionError as exc:
        return render(request, "press/confirm.html", {"error": exc.message}, status=400)
    return render(request, "press/confirm.html", {"subscriber": subscriber, "confirmed": request.method == "POST"})


@csrf_exempt  # RFC 8058: the mail provider POSTs without cookie or token; the signed URL is the key
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = subscriptions.subscriber_for_unsubscribe(token)
        if request.method == "POST":
            subscriber = subscriptions.unsubscribe(token)
    except ActionError as exc:
        return render(request, "press/unsubscribe.html", {"error": exc.message}, status=400)
    return render(request, "press/unsubscribe.html", {"subscriber": subscriber, "done": request.method == "POST"})


def preview(request: HttpRequest) -> HttpResponse:
    if not may_manage_releases(request.user):
        raise PermissionDenied(_("Only the secretariat may change releases."))
    language = request.GET.get("language") or _language()
    rendered = digest.preview(language if language in ("ru", "en") else "en")
    return render(request, "press/digest_preview.html", {"rendered": rendered, "language": language})
