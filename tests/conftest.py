"""Shared fixtures: the real reference data and the demo accounts, loaded once per test database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests are
# still synchronous, so Django's async-safety guard is relaxed for the test process only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DATA_DIR = Path(settings.KENES_DATA_DIR) / "mechanism"


def _require_data() -> None:
    if not DATA_DIR.is_dir():
        pytest.fail(f"the reference data is missing at {DATA_DIR}: set KENES_DATA_DIR", pytrace=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Every test starts from the real data plus the demo accounts and material."""
    _require_data()
    with django_db_blocker.unblock():
        call_command("load_reference", str(DATA_DIR), verbosity=0)
        call_command("load_demo", verbosity=0)
    yield


@pytest.fixture
def accounts(db: Any) -> dict[str, Any]:
    """The demo accounts by short name: secretariat, kz, uz, kg, ru, cn."""
    from kenes.people.models import Account

    by_email = {a.email: a for a in Account.objects.filter(is_demo=True).select_related("state")}
    return {
        "secretariat": by_email["secretariat@demo.kenes.invalid"],
        "kz": by_email["delegate.kz@demo.kenes.invalid"],
        "uz": by_email["focal.uz@demo.kenes.invalid"],
        "kg": by_email["security.kg@demo.kenes.invalid"],
        "ru": by_email["guest.ru@demo.kenes.invalid"],
        "cn": by_email["guest.cn@demo.kenes.invalid"],
    }


def verified(account: Any) -> Any:
    """The account as the policy sees it after a completed two-factor sign-in, just now (fresh)."""
    from django.utils import timezone

    account.is_verified = lambda: True
    account.kenes_strong_auth_at = timezone.now()
    return account


def stale(account: Any) -> Any:
    """The account after a two-factor sign-in longer ago than the re-prompt time."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    account.is_verified = lambda: True
    minutes = settings.KENES_RESTRICTED_REAUTH_MINUTES + 1
    account.kenes_strong_auth_at = timezone.now() - dt.timedelta(minutes=minutes)
    return account


def totp_now(account: Any) -> str:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=account, confirmed=True)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client: Client, account: Any, *, two_factor: bool = True) -> Client:
    """Sign in through the real pages: password, then the TOTP code when the account needs it."""
    from kenes.people.demo import DEMO_PASSWORD

    response = client.post("/login/", {"username": account.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content[:500]
    if account.requires_two_factor and two_factor:
        response = client.post("/account/2fa/", {"code": totp_now(account), "next": "/"})
        assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def signed_in(accounts: dict[str, Any]) -> Any:
    def make(name: str | None) -> Client:
        client = Client()
        if name is None:
            return client
        return login(client, accounts[name])

    return make


@pytest.fixture
def live_data(transactional_db: Any) -> None:
    """For tests that need real commits (a live server, ``on_commit``): the data, committed.

    pytest-django runs these after the ordinary tests and empties the database after each one,
    so the reference data and demo accounts are loaded again here.
    """
    from kenes.states.models import State

    if not State.objects.exists():
        call_command("load_reference", str(DATA_DIR), verbosity=0)
        call_command("load_demo", verbosity=0)


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Each test starts in English, whatever language an earlier request switched to."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
