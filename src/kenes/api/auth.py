"""API authentication: ``Authorization: Bearer <token>`` or the browser session.

Anonymous requests are let through as the anonymous account: the access policy then shows them
public material only. A bearer token that is wrong or revoked is a 401, never a silent downgrade;
after too many of those from one address, every bearer request from it is a 429 for a while
(kenes.people.ratelimits).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone
from ninja.errors import AuthenticationError

from kenes.access.actors import lacks_second_factor
from kenes.people import ratelimits
from kenes.people.models import ApiToken

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _csrf_ok(request: HttpRequest) -> bool:
    check = CsrfViewMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    check.process_request(request)
    return check.process_view(request, lambda r: None, (), {}) is None  # type: ignore[arg-type,return-value]


def _usable_token(header: str) -> ApiToken | None:
    """The token an ``Authorization`` header names, if it is a bearer token that may be used."""
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    token = ApiToken.find(raw.strip())
    if token is None or not token.usable():
        return None
    return token


class AccountAuth:
    """A ninja auth callable that always resolves to an account (possibly anonymous)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header:
            # An address that has sent too many wrong tokens is refused (429), even a right one.
            ratelimits.refuse_if_used_up(request, ratelimits.TOKEN_FAILURES_PER_IP)
            token = _usable_token(header)
            if token is None:
                ratelimits.count_failure(request, ratelimits.TOKEN_FAILURES_PER_IP)
                raise AuthenticationError()
            account = token.account
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
            account.kenes_token_auth = True  # type: ignore[attr-defined]
            account.kenes_token_clearance = token.clearance  # type: ignore[attr-defined]
            request.user = account
            return account
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not lacks_second_factor(user):
            if request.method not in SAFE_METHODS and not _csrf_ok(request):
                raise AuthenticationError()
            return user
        # Anonymous, or a session stopped after the password (security review, finding 1): it
        # reads public material, and no write of the API is open to it.
        if request.method not in SAFE_METHODS:
            raise AuthenticationError()
        return AnonymousUser()

    def authenticate(self, request: HttpRequest) -> Any:
        return self(request)


class RequiredAuth(AccountAuth):
    def __call__(self, request: HttpRequest) -> Any:
        account = super().__call__(request)
        if not account.is_authenticated:
            return None
        return account


def account_of(request: HttpRequest) -> Any:
    """The account ninja's auth resolved for this request (possibly anonymous)."""
    return getattr(request, "auth", None) or AnonymousUser()
