"""Rate limits per client address: sign-in, token failures, password resets (kenes.people.ratelimits).

Each limit is read from settings; the tests use the defaults. The N+1st request answers 429 with
``Retry-After`` and a translated message; a request from another address still passes. The
suite's conftest clears the counters before every test.
"""

from __future__ import annotations

import re
import time
import types
from collections.abc import Iterator
from typing import Any

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings

from kenes.people import ratelimits
from kenes.people.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

HERE = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
# Each failed sign-in costs an Argon2 hash: the sign-in tests use a small limit of the same form.
SMALL_LOGIN_LIMIT = "5/10m"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[types.SimpleNamespace]:
    """django-ratelimit's clock, held still so that no window ends in the middle of a test."""
    frozen = types.SimpleNamespace(now=time.time())
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=lambda: frozen.now))
    yield frozen


def _count(setting: str) -> int:
    return int(re.match(r"\d+", getattr(settings, setting))[0])  # type: ignore[index]


def _retry_after(response: Any) -> int:
    assert response.status_code == 429
    value = int(response["Retry-After"])
    assert 1 <= value <= 24 * 3600
    return value


def test_default_limits() -> None:
    assert settings.KENES_RATE_LOGIN_PER_IP == "20/10m"
    assert settings.KENES_RATE_TOKEN_FAILURES_PER_IP == "20/10m"
    assert settings.KENES_RATE_PASSWORD_RESET_PER_IP == "5/h"
    assert settings.KENES_RATE_PASSWORD_RESET_PER_EMAIL == "5/h"


@override_settings(KENES_RATE_LOGIN_PER_IP=SMALL_LOGIN_LIMIT)
def test_sign_in_is_limited_per_address(accounts: dict[str, Any]) -> None:
    limit = _count("KENES_RATE_LOGIN_PER_IP")
    client = Client(REMOTE_ADDR=HERE)
    # Different accounts, so that the per-account lock-out (django-axes) is not what stops them.
    for n in range(limit):
        response = client.post("/login/", {"username": f"nobody{n}@example.org", "password": "wrong"})
        assert response.status_code == 200, n
    refused = client.post("/login/", {"username": accounts["cn"].email, "password": DEMO_PASSWORD})
    _retry_after(refused)
    assert "Too many attempts in a short time." in refused.content.decode()
    assert "_auth_user_id" not in client.session  # not signed in, even with the right password
    assert client.get("/login/").status_code == 200  # only POSTs count
    other = Client(REMOTE_ADDR=ELSEWHERE).post("/login/", {"username": accounts["cn"].email, "password": DEMO_PASSWORD})
    assert other.status_code == 302


@override_settings(KENES_RATE_LOGIN_PER_IP=SMALL_LOGIN_LIMIT)
def test_the_limit_page_speaks_russian(accounts: dict[str, Any]) -> None:
    from django.utils.translation import reloader

    from kenes.i18n_compile import LOCALE, compile_all

    if compile_all():  # the .mo files are git-ignored; drop catalogues cached before they were made
        reloader.translation_file_changed(sender=None, file_path=LOCALE / "ru" / "LC_MESSAGES" / "django.mo")
    limit = _count("KENES_RATE_LOGIN_PER_IP")
    client = Client(REMOTE_ADDR=HERE, HTTP_ACCEPT_LANGUAGE="ru")
    for n in range(limit + 1):
        response = client.post("/login/", {"username": f"nobody{n}@example.org", "password": "wrong"})
    _retry_after(response)
    assert "Слишком много попыток" in response.content.decode()


@override_settings(KENES_CLIENT_IP_HEADER="X-Real-IP", KENES_RATE_LOGIN_PER_IP=SMALL_LOGIN_LIMIT)
def test_behind_a_proxy_the_forwarded_address_counts(accounts: dict[str, Any]) -> None:
    limit = _count("KENES_RATE_LOGIN_PER_IP")
    proxy = "127.0.0.1"
    for n in range(limit):
        Client(REMOTE_ADDR=proxy, HTTP_X_REAL_IP=HERE).post(
            "/login/", {"username": f"x{n}@example.org", "password": "-"}
        )
    _retry_after(Client(REMOTE_ADDR=proxy, HTTP_X_REAL_IP=HERE).post("/login/", {"username": "y@example.org"}))
    passes = Client(REMOTE_ADDR=proxy, HTTP_X_REAL_IP=ELSEWHERE).post(
        "/login/", {"username": accounts["cn"].email, "password": DEMO_PASSWORD}
    )
    assert passes.status_code == 302


def test_token_failures_are_limited_per_address(accounts: dict[str, Any]) -> None:
    from kenes.people import actions

    _token, raw = actions.create_token(accounts["cn"], accounts["cn"], "rate limit test")
    limit = _count("KENES_RATE_TOKEN_FAILURES_PER_IP")
    client = Client(REMOTE_ADDR=HERE)
    # Successes and anonymous requests are not counted.
    for _ in range(limit + 5):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    for _ in range(3):
        assert client.get("/api/v1/states").status_code == 200
    for n in range(limit):
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer wrong-{n}").status_code == 401, n
    refused = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wrong-again")
    _retry_after(refused)
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json()["detail"].startswith("Too many attempts in a short time.")
    # Once the failures are used up the right token is refused too: guessing must not be confirmed.
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 429
    assert client.get("/api/v1/states").status_code == 200  # requests without a token are not affected
    other = Client(REMOTE_ADDR=ELSEWHERE).get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert other.status_code == 200


def test_password_reset_is_limited_per_address(accounts: dict[str, Any]) -> None:
    limit = _count("KENES_RATE_PASSWORD_RESET_PER_IP")
    client = Client(REMOTE_ADDR=HERE)
    for n in range(limit):
        assert client.post("/password-reset/", {"email": f"someone{n}@example.org"}).status_code == 302
    refused = client.post("/password-reset/", {"email": accounts["ru"].email})
    _retry_after(refused)
    assert "Too many attempts in a short time." in refused.content.decode()
    assert mail.outbox == []
    passes = Client(REMOTE_ADDR=ELSEWHERE).post("/password-reset/", {"email": accounts["ru"].email})
    assert passes.status_code == 302
    assert len(mail.outbox) == 1


def test_password_reset_is_limited_per_email(accounts: dict[str, Any]) -> None:
    limit = _count("KENES_RATE_PASSWORD_RESET_PER_EMAIL")
    email = accounts["ru"].email
    for n in range(limit):
        sent = Client(REMOTE_ADDR=f"192.0.2.{n + 1}").post("/password-reset/", {"email": email.upper()})
        assert sent.status_code == 302
    assert len(mail.outbox) == limit
    # From yet another address: the e-mail address has had its share (case does not matter).
    refused = Client(REMOTE_ADDR=ELSEWHERE).post("/password-reset/", {"email": email})
    _retry_after(refused)
    assert len(mail.outbox) == limit
    other = Client(REMOTE_ADDR=ELSEWHERE).post("/password-reset/", {"email": accounts["cn"].email})
    assert other.status_code == 302


def test_the_count_starts_again_in_the_next_window(accounts: dict[str, Any], clock: types.SimpleNamespace) -> None:
    with override_settings(KENES_RATE_LOGIN_PER_IP="2/m"):
        client = Client(REMOTE_ADDR=HERE)
        for _ in range(2):
            assert client.post("/login/", {"username": "a@example.org", "password": "-"}).status_code == 200
        wait = _retry_after(client.post("/login/", {"username": "a@example.org", "password": "-"}))
        assert wait <= 60
        clock.now += wait
        assert client.post("/login/", {"username": "a@example.org", "password": "-"}).status_code == 200


def test_retry_after_message_counts_whole_minutes() -> None:
    assert ratelimits.TooManyRequests(1).message.endswith("in 1 minute.")
    assert ratelimits.TooManyRequests(61).message.endswith("in 2 minutes.")
    assert ratelimits.TooManyRequests(-1).retry_after == 1
