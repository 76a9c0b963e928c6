"""Issue 10: every error under /api/ is JSON {"detail": …}, including 500, 413 and 414."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_unhandled_error_answers_json_500(monkeypatch: Any) -> None:
    from kenes.states import api

    monkeypatch.setattr(api, "_states", lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    response = Client(raise_request_exception=False).get("/api/v1/states")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert "boom" not in response.content.decode()  # nothing of the internals leaks
    assert response.json()["detail"]


@pytest.mark.django_db
def test_the_500_is_in_the_users_language(monkeypatch: Any) -> None:
    from kenes.states import api

    monkeypatch.setattr(api, "_states", lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    client = Client(raise_request_exception=False, headers={"Accept-Language": "ru"})
    assert "сервер" in client.get("/api/v1/states").json()["detail"]


@pytest.mark.django_db
def test_a_body_over_the_limit_answers_json_413(accounts: dict[str, Any], settings: Any) -> None:
    from kenes.people.actions import create_token

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _token, raw = create_token("test", accounts["secretariat"], "big")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = client.post(
        "/api/v1/meetings/demo-fm-2027/agenda", {"title": "x" * 5000}, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["detail"]


@pytest.mark.django_db
def test_an_address_over_the_limit_answers_json_414() -> None:
    response = Client().get("/api/v1/meetings?q=" + "x" * 5000)
    assert response.status_code == 414
    assert response.json()["detail"]


@pytest.mark.django_db
def test_pages_keep_their_html_error_pages() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
