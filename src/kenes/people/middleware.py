"""Accounts that must use two-factor authentication reach nothing but the 2FA pages until they have."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kenes.access.policy import is_strongly_authenticated

STRONG_AUTH_SESSION_KEY = "kenes_strong_auth_at"


def mark_strong_auth(request: HttpRequest) -> None:
    """Record in the session that it passed TOTP just now (called right after ``otp_login``)."""
    from django.utils import timezone

    now = timezone.now()
    request.session[STRONG_AUTH_SESSION_KEY] = now.isoformat()
    request.user.kenes_strong_auth_at = now  # type: ignore[union-attr]


class FreshStrongAuthMiddleware:
    """Put the time of this session's last TOTP sign-in on ``request.user`` as
    ``kenes_strong_auth_at``; the access policy opens ``restricted`` material only while it is recent."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if getattr(user, "is_authenticated", False) and is_strongly_authenticated(user):
            raw = request.session.get(STRONG_AUTH_SESSION_KEY)
            if isinstance(raw, str):
                with contextlib.suppress(ValueError):
                    user.kenes_strong_auth_at = dt.datetime.fromisoformat(raw)  # type: ignore[union-attr]
        return self.get_response(request)


_OPEN_PREFIXES = ("/static/", "/i18n/", "/api/")


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            getattr(user, "is_authenticated", False)
            and user.requires_two_factor  # type: ignore[union-attr]
            and not is_strongly_authenticated(user)
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            allowed = {reverse("two_factor_verify"), reverse("two_factor_setup"), reverse("logout")}
            if request.path not in allowed:
                return redirect(f"{reverse('two_factor_verify')}?next={request.get_full_path()}")
        return self.get_response(request)


IDLE_SESSION_KEY = "kenes_last_seen"
# A page's live stream reconnects on its own (``kenes.live.sse``): it is not the reader's activity.
_PASSIVE_PREFIXES = ("/live/",)


class IdleTimeoutMiddleware:
    """Sign out a session left idle for longer than ``KENES_SESSION_IDLE_MINUTES``: a ministry
    laptop left open in a corridor must not stay signed in for the cookie's whole lifetime."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.contrib.auth import logout
        from django.utils import timezone

        user = request.user
        if getattr(user, "is_authenticated", False):
            now = timezone.now().timestamp()
            last = request.session.get(IDLE_SESSION_KEY)
            limit = 60 * int(settings.KENES_SESSION_IDLE_MINUTES)
            if isinstance(last, int | float) and now - last > limit:
                logout(request)
                if not request.path.startswith(_OPEN_PREFIXES):
                    return redirect(f"{reverse('login')}?next={request.get_full_path()}")
            elif not request.path.startswith(_PASSIVE_PREFIXES) and (
                not isinstance(last, int | float) or now - last >= 60
            ):
                # Minute precision is enough, and spares a session write on every request.
                request.session[IDLE_SESSION_KEY] = int(now)
        return self.get_response(request)
