"""Refusals as a user meets them: the answer the API gives for the action's error (status and
detail, through the API's own error handlers), and nothing written — no audit event, and each
watched object as it was before.

Used by the ``tests/<app>/test_refusals.py`` files, which reach the ``raise`` statements of the rule
modules no other test reached (``tests/coverage_report.py`` lists them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.forms.models import model_to_dict
from django.http import Http404
from django.test import RequestFactory

from kenes.errors import ActionError


def answer(exc: BaseException) -> tuple[int, dict[str, Any]]:
    """The status and JSON body ``/api/v1/`` answers for ``exc``."""
    from kenes.api import urls

    request = RequestFactory().post("/api/v1/")
    if isinstance(exc, ActionError):
        response = urls.action_error(request, exc)
    elif isinstance(exc, PermissionDenied):
        response = urls.forbidden(request, exc)
    elif isinstance(exc, Http404):
        response = urls.not_found(request, exc)
    else:
        raise AssertionError(f"{type(exc).__name__} is not an error a user is shown: {exc}")
    return response.status_code, json.loads(response.content)


def _state(obj: Model) -> dict[str, Any] | None:
    fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
    return None if fresh is None else model_to_dict(fresh)


def refused(
    call: Callable[[], Any],
    status: int,
    detail: str,
    *,
    field: str | None = None,
    watch: Iterable[Model] = (),
    counts: Iterable[type[Model]] = (),
) -> dict[str, Any]:
    """``call()`` is refused with ``status`` and ``detail`` (and ``field``) and changes nothing:
    no audit event, the ``watch`` objects as they were, as many rows of each of ``counts``."""
    from kenes.audit.models import AuditEvent

    watched = list(watch)
    models = [AuditEvent, *counts]
    before = [_state(obj) for obj in watched]
    rows = [model._default_manager.count() for model in models]
    with pytest.raises((ActionError, PermissionDenied, Http404)) as info:
        call()
    got_status, body = answer(info.value)
    assert (got_status, body["detail"]) == (status, detail), body
    if field is not None or "field" in body:
        assert body.get("field") == field, body
    assert [_state(obj) for obj in watched] == before, "a refused action changed an object"
    assert [model._default_manager.count() for model in models] == rows, "a refused action wrote rows"
    return body
