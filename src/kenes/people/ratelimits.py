"""Rate limits on signing in, API-token authentication and password resets.

django-axes locks an account after repeated wrong passwords; these limits count per client address
(and, for password resets, per e-mail address) in the default cache, with django-ratelimit:

- ``/login/``: every POST, per address (``KENES_RATE_LOGIN_PER_IP``);
- ``Authorization: Bearer …``: failures only, per address (``KENES_RATE_TOKEN_FAILURES_PER_IP``);
  once they are used up, every bearer request from that address is refused, right or wrong;
- ``/password-reset/``: every POST, per address and per e-mail address
  (``KENES_RATE_PASSWORD_RESET_PER_IP``, ``KENES_RATE_PASSWORD_RESET_PER_EMAIL``).

Over a limit the answer is 429 with ``Retry-After`` (seconds): a page, or ``{"detail": …}`` under
the API. The windows are fixed (django-ratelimit's), so ``Retry-After`` is the time to the next one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage


@dataclass(frozen=True)
class Limit:
    group: str
    setting: str  # the name of the setting holding the rate, "N/period"
    key: str | Callable[[str, HttpRequest], str]  # django-ratelimit's key: "ip", or a function


def _email(group: str, request: HttpRequest) -> str:
    return str(request.POST.get("email", "")).strip().lower()


LOGIN_PER_IP = Limit("kenes.login.ip", "KENES_RATE_LOGIN_PER_IP", "ip")
TOKEN_FAILURES_PER_IP = Limit("kenes.token-failures.ip", "KENES_RATE_TOKEN_FAILURES_PER_IP", "ip")
PASSWORD_RESET_PER_IP = Limit("kenes.password-reset.ip", "KENES_RATE_PASSWORD_RESET_PER_IP", "ip")
PASSWORD_RESET_PER_EMAIL = Limit("kenes.password-reset.email", "KENES_RATE_PASSWORD_RESET_PER_EMAIL", _email)


class TooManyRequests(Exception):
    """A limit is used up; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after // 60))
        return ngettext(
            "Too many attempts in a short time. Try again in %(n)s minute.",
            "Too many attempts in a short time. Try again in %(n)s minutes.",
            minutes,
        ) % {"n": minutes}


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or the header a reverse proxy overwrites with it
    (``KENES_CLIENT_IP_HEADER``), so that clients behind one proxy are not counted as one."""
    header = settings.KENES_CLIENT_IP_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # A proxy that appends (X-Forwarded-For) puts the address it saw last.
        value = str(value).split(",")[-1].strip()
        if value:
            return value
    return str(request.META.get("REMOTE_ADDR") or "")


def _usage(request: HttpRequest, limit: Limit, *, increment: bool) -> dict[str, Any] | None:
    rate = getattr(settings, limit.setting)
    return get_usage(request, group=limit.group, key=limit.key, rate=rate, increment=increment)


def hit(request: HttpRequest, *limits: Limit) -> None:
    """Count this request against each limit; raise ``TooManyRequests`` once one is exceeded."""
    for limit in limits:
        usage = _usage(request, limit, increment=True)
        if usage is not None and usage["should_limit"]:
            # A window ends at ``time_left`` seconds from now, that second included.
            raise TooManyRequests(usage["time_left"] + 1)


def refuse_if_used_up(request: HttpRequest, limit: Limit) -> None:
    """Raise ``TooManyRequests`` if the failures already counted reach the limit (counts nothing)."""
    usage = _usage(request, limit, increment=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        raise TooManyRequests(usage["time_left"] + 1)


def count_failure(request: HttpRequest, limit: Limit) -> None:
    _usage(request, limit, increment=True)


def too_many_page(request: HttpRequest, exc: TooManyRequests) -> HttpResponse:
    response = render(request, "people/too_many_requests.html", {"message": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


View = Callable[..., HttpResponseBase]


def limited_posts(*limits: Limit) -> Callable[[View], View]:
    """A view decorator: each POST counts against ``limits``; over one, the 429 page."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method == "POST":
                try:
                    hit(request, *limits)
                except TooManyRequests as exc:
                    return too_many_page(request, exc)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
