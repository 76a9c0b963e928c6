"""Response headers beside the Content-Security-Policy (which django-csp's middleware writes).

Kenes itself sends no ``Server`` header; the one gunicorn adds is removed at the reverse proxy
(docs/operations.md, Headers), since no middleware sees it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response: camera, microphone, geolocation, payment, USB and
    the other features no page uses are off, for the page and for anything it might embed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.KENES_PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
