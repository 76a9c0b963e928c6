"""Accounts that must use two-factor authentication reach nothing but the 2FA pages until they have."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from kenes.access.policy import is_strongly_authenticated

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
