"""Shared fixtures: the real reference data and the demo accounts, loaded once per test database."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

# One Chromium per session for every browser test, wherever its file is (tests/browser, the press
# and development journeys). Registered once here: a module that imported the fixture would get a
# second session-scoped instance, and a second sync Playwright inside the first one's event loop.
pytest_plugins = ["tests.browser.fixtures"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests are
# still synchronous, so Django's async-safety guard is relaxed for the test process only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DATA_DIR = Path(settings.KENES_DATA_DIR) / "mechanism"

# The clock check (issue 17): ``KENES_CLOCK_OFFSET_DAYS=730 pytest -m clock`` runs the date-sensitive
# tests (marker ``clock``) as if today were that many days later. The clock is moved once, before
# collection and before the test database is built, so ``load_demo`` sees the moved "now" too; it
# keeps ticking from there. Browser tests are skipped then: Chromium keeps its own clock.
CLOCK_OFFSET_ENV = "KENES_CLOCK_OFFSET_DAYS"
_clock_travel: Any = None


def clock_offset_days() -> int:
    raw = os.environ.get(CLOCK_OFFSET_ENV, "").strip()
    try:
        return int(raw or 0)
    except ValueError:
        raise pytest.UsageError(f"{CLOCK_OFFSET_ENV} must be a whole number of days, not {raw!r}") from None


def pytest_configure(config: pytest.Config) -> None:
    global _clock_travel
    config.addinivalue_line(
        "markers",
        "postgresql: needs PostgreSQL itself (e.g. a trigger); on SQLite deselected, and said so at the end;"
        " the PostgreSQL pass of .ci/run runs it",
    )
    days = clock_offset_days()
    if days and _clock_travel is None:
        import time_machine

        _clock_travel = time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=days), tick=True)
        _clock_travel.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    global _clock_travel
    if _clock_travel is not None:
        _clock_travel.stop()
        _clock_travel = None


def pytest_report_header(config: pytest.Config) -> str | None:
    days = clock_offset_days()
    if not days:
        return None
    from django.utils import timezone

    return f"clock moved {days} days ahead ({CLOCK_OFFSET_ENV}): today is {timezone.localdate().isoformat()}"


def days_ahead(days: int) -> dt.date:
    """Today by the test clock, plus ``days`` (a ``datetime.date``): for dates that must stay ahead.

    The demo meetings lie about 100 and 180 days ahead (``kenes.people.demo``); a test meeting of the
    same format keeps clear of them, e.g. 60 or 300 days ahead.
    """
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=days)


def demo_meeting_day(code: str = "demo-fm-2027") -> dt.date:
    """The day a demo meeting was put on when the test database was built (a ``datetime.date``)."""
    from kenes.meetings.models import Meeting

    day = Meeting.objects.get(code=code).start_date
    assert day is not None
    return day


def _on_postgresql() -> bool:
    return str(settings.DATABASES["default"]["ENGINE"]).endswith("postgresql")


_deselected_for_sqlite: list[str] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Not a skip: a PostgreSQL-only check is not collected on SQLite, is named in the summary, and
    # runs in the PostgreSQL pass (so "green" never hides a check that did not run anywhere).
    if not _on_postgresql():
        kept = [item for item in items if not item.get_closest_marker("postgresql")]
        gone = [item for item in items if item.get_closest_marker("postgresql")]
        if gone:
            _deselected_for_sqlite.extend(item.nodeid for item in gone)
            config.hook.pytest_deselected(items=gone)
            items[:] = kept
    if clock_offset_days():
        skip = pytest.mark.skip(reason=f"browser journeys run on the real clock, not with {CLOCK_OFFSET_ENV}")
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    parallel = getattr(terminalreporter.config.option, "numprocesses", 0)
    if parallel and not _deselected_for_sqlite and not _on_postgresql():
        # Under pytest-xdist the workers collect; this process only learns that the marker exists.
        terminalreporter.write_line("tests marked postgresql were not collected on SQLite (run in the PostgreSQL pass)")
    if _deselected_for_sqlite:
        terminalreporter.write_line(
            f"{len(_deselected_for_sqlite)} PostgreSQL-only test(s) not run on SQLite (run in the PostgreSQL pass): "
            + ", ".join(_deselected_for_sqlite)
        )


def _require_data() -> None:
    if not DATA_DIR.is_dir():
        pytest.fail(f"the reference data is missing at {DATA_DIR}: set KENES_DATA_DIR", pytrace=False)


# Mutation testing (./dev mutate, docs/mutation.md) runs a test session per mutant. With this set to
# a file name, the first session saves its database (migrated, real data, demo material) there and
# every later session copies it in instead of migrating and loading again. SQLite only.
DB_SNAPSHOT = os.environ.get("KENES_TEST_DB_SNAPSHOT", "")


def _snapshot_ready() -> bool:
    from django.db import connection

    return bool(DB_SNAPSHOT) and connection.vendor == "sqlite" and Path(DB_SNAPSHOT).is_file()


def _save_snapshot() -> None:
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    partial = Path(f"{DB_SNAPSHOT}.{os.getpid()}.part")
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    partial.replace(DB_SNAPSHOT)


def _restore_snapshot() -> None:
    import sqlite3

    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import caches
    from django.db import connection

    connection.ensure_connection()
    source = sqlite3.connect(DB_SNAPSHOT)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    ContentType.objects.clear_cache()  # its ids are the snapshot's now
    for cache in caches.all():
        cache.clear()  # as in a fresh process: forked sessions inherit the previous one's memory


_migrate_command: list[Any] = []


@pytest.fixture(scope="session")
def django_db_use_migrations(django_db_use_migrations: bool) -> bool:
    """With a saved snapshot the schema and the data come whole from it: while pytest-django
    creates the test database, ``migrate`` does nothing (``django_db_setup`` puts it back)."""
    if _snapshot_ready():
        from django.core.management.commands import migrate

        class SnapshotInstead(migrate.Command):  # type: ignore[misc,valid-type]
            def handle(self, *args: Any, **options: Any) -> None:
                return None

        _migrate_command.append(migrate.Command)
        migrate.Command = SnapshotInstead
    return django_db_use_migrations


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Every test starts from the real data plus the demo accounts and material."""
    _require_data()
    with django_db_blocker.unblock():
        if _migrate_command:
            from django.core.management.commands import migrate

            migrate.Command = _migrate_command.pop()
        if _snapshot_ready():
            _restore_snapshot()
        else:
            call_command("load_reference", str(DATA_DIR), verbosity=0)
            call_command("load_demo", verbosity=0)
            if DB_SNAPSHOT:
                _save_snapshot()
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
def _tasks_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """What an action queues for django-q2 (a notice's e-mail) runs at once in the test's own process
    and transaction (django-q2's sync mode), so a test sees what a worker would have done. Tests of
    the queue itself turn this off by overriding this fixture (tests/development/conftest.py)."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts with no request counted against the rate limits (kenes.people.ratelimits):
    the suite signs in from 127.0.0.1 far more often than any limit allows, but never in one test."""
    from django.core.cache import cache

    if hasattr(cache, "delete_pattern"):  # Redis: the counters only, not the live streams
        cache.delete_pattern(f"{settings.RATELIMIT_CACHE_PREFIX}*")
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    """Each test starts in English, whatever language an earlier request switched to."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()
