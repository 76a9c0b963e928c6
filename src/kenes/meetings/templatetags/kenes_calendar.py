"""Template helpers for the calendar feeds (absolute addresses for calendar clients)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def calendar_feed_url(context: dict[str, Any], token: str | None = None, scheme: str = "") -> str:
    """The absolute address of the personal feed at ``token`` (or of the public feed without one).

    ``scheme="webcal"`` gives the address that calendar apps open as a subscription.
    """
    path = reverse("calendar_feed", args=[token]) if token else reverse("calendar_public_feed")
    url = context["request"].build_absolute_uri(path)
    if scheme:
        url = f"{scheme}://{url.split('://', 1)[1]}"
    return str(url)
