from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def kenes(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"KENES_LANGUAGES": settings.LANGUAGES, "KENES_PRODUCTION": settings.PRODUCTION}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        # One COUNT query, only when a page shows the header badge.
        context["unread_notifications"] = SimpleLazyObject(
            lambda: user.notifications.filter(read_at__isnull=True).count()  # type: ignore[union-attr]
        )
    return context
