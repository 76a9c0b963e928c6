"""Response headers beside the Content-Security-Policy (which django-csp's middleware writes), and
the refusal of page addresses carrying control characters.

Kenes itself sends no ``Server`` header; the one gunicorn adds is removed at the reverse proxy
(docs/operations.md, Headers), since no middleware sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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


# C0 control characters and DEL: no code, slug or filter value Kenes hands out contains one, and
# PostgreSQL refuses NUL in a text parameter outright (a DataError, which would answer 500).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# A query value may come from a text box, where tab and line breaks are ordinary.
_CONTROL_IN_VALUE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ControlCharactersMiddleware:
    """A page address naming nothing Kenes could have issued is refused before any lookup: a control
    character in the path answers 404 (no such object), one in a query value answers 400.

    The API checks its own path and query parameters against their published patterns, so
    ``/api/`` is left to it (its errors name the parameter)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            if _CONTROL.search(request.path):
                raise Http404
            if any(
                _CONTROL_IN_VALUE.search(key) or any(_CONTROL_IN_VALUE.search(value) for value in values)
                for key, values in request.GET.lists()
            ):
                message = _("The address contains a character that cannot appear in it.")
                return render(request, "web/bad_request.html", {"message": message}, status=400)
        return self.get_response(request)
