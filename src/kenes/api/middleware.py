"""The API's request boundary outside ninja: errors as JSON, and safe retries.

``ApiErrorsMiddleware`` sits first, so whatever answers an ``/api/`` request with an HTML error
page — Django's 500 handler after an unhandled exception, a refused oversized body, an
over-long address — reaches the client as ``{"detail": …}`` with the same status.

``IdempotencyMiddleware``: a client whose write timed out cannot know whether it was stored. It
sends the write again with the same ``Idempotency-Key`` header and gets the first answer back
(``Idempotent-Replayed: true``) instead of a second write. The key is kept 24 hours.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from http import HTTPStatus

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.api.models import IdempotentRequest

API_PREFIX = "/api/"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MAX_URL_LENGTH = 4096
MAX_KEY_LENGTH = 255
KEEP_FOR = dt.timedelta(hours=24)
NOT_KEPT = {401, 429}


def _json_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be read."),
        413: _("The request is too large."),
        414: _("The address is too long."),
        500: _("Something went wrong on the server. The error was logged; try again later."),
        503: _("The service is briefly unavailable. Try again in a moment."),
    }


class ApiErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if len(request.get_full_path()) > MAX_URL_LENGTH:
            return _json_error(414, _messages()[414])
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            status = response.status_code
            detail = _messages().get(status) or HTTPStatus(status).phrase
            replaced = _json_error(status, detail)
            for header in ("Retry-After", "WWW-Authenticate", "Allow"):
                if header in response:
                    replaced[header] = response[header]
            return replaced
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import RequestDataTooBig

        if request.path.startswith(API_PREFIX) and isinstance(exception, RequestDataTooBig):
            return _json_error(413, _messages()[413])
        return None


def _principal(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header:
        return "token:" + hashlib.sha256(header.encode()).hexdigest()[:64]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"account:{user.pk}"
    return None


def _fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(record.body, status=record.status, content_type=record.content_type or "application/json")
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method not in WRITE_METHODS or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return _json_error(400, _("An Idempotency-Key is 1 to 255 printable characters."))
        principal = _principal(request)
        if principal is None:
            return self.get_response(request)  # anonymous writes answer 401 anyway
        try:
            fingerprint = _fingerprint(request)
        except Exception:  # the body could not be read (too large): let the error boundary answer
            return self.get_response(request)
        now = timezone.now()
        IdempotentRequest.objects.filter(principal=principal, created_at__lt=now - KEEP_FOR).delete()
        existing = IdempotentRequest.objects.filter(principal=principal, key=key).first()
        if existing is not None:
            return self._answer_again(existing, fingerprint)
        # The record, the write and the stored answer commit together: a crash leaves none of them,
        # and a concurrent retry waits on the unique key, then finds the stored answer.
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    principal=principal, key=key, fingerprint=fingerprint, created_at=now
                )
                response = self.get_response(request)
                if response.status_code in NOT_KEPT or response.status_code >= 500 or response.streaming:
                    # Not an answer to the write (it failed, or it never got past authentication or
                    # a rate limit): the same key may be tried afresh.
                    transaction.set_rollback(True)
                    return response
                record.status = response.status_code
                record.content_type = response.get("Content-Type", "")
                record.body = response.content.decode("utf-8", errors="replace")
                record.save(update_fields=["status", "content_type", "body"])
                return response
        except IntegrityError:
            existing = IdempotentRequest.objects.filter(principal=principal, key=key).first()
            if existing is None:
                raise
            return self._answer_again(existing, fingerprint)

    def _answer_again(self, existing: IdempotentRequest, fingerprint: str) -> HttpResponse:
        if existing.fingerprint != fingerprint:
            return _json_error(422, _("This Idempotency-Key was already used for a different request."))
        if existing.status == 0:
            return _json_error(409, _("A request with this Idempotency-Key is still being handled."))
        return _replay(existing)
