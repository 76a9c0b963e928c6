"""A reader's notifications: the list, mark as read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST


def _safe_link(url: str) -> str:
    """Notification links are paths inside Kenes; anything else is not linked."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    from kenes.people.models import Notification

    notifications = list(Notification.objects.filter(account=request.user)[:200])  # type: ignore[misc]
    for notification in notifications:
        notification.link = _safe_link(notification.url)  # type: ignore[attr-defined]
    unread = sum(1 for n in notifications if n.read_at is None)
    return render(request, "meetings/notifications.html", {"notifications": notifications, "unread": unread})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    from kenes.people.actions import mark_notifications_read

    count = mark_notifications_read(request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification_list")
