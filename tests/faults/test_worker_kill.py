"""Fault test (issue 10, item 6): ``kill -9`` of an app worker in the middle of concurrent writes.

Gunicorn with two sync workers serves a database of its own (a copy of the test database: a SQLite
file, or a scratch PostgreSQL database in CI's second run). Several client threads add agenda items,
each write with its own ``Idempotency-Key``, retried with that key whenever its connection breaks.
Twice a worker that is handling a request is killed with SIGKILL; the master starts a new one and
the writing goes on. Then:

* every write answered 201 is stored, once, with the id the answer gave (no acknowledged loss);
* every write ends answered 201 (a retry after a broken connection either finds the first
  attempt's stored answer or writes afresh, never twice);
* the only failures are broken connections, at most one per kill (a sync worker holds one client
  connection), and none before the first kill;
* gunicorn is back to two workers, without the killed ones.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kenes.people.actions import create_token
from kenes.people.models import Account
from tests.faults.support import app_env, call, copy_of_test_database, gunicorn, redis_prefix_removed

MEETING = "demo-fm-2027"
AGENDA = f"/api/v1/meetings/{MEETING}/agenda"
WRITERS = 4
KILLS = 2
WRITES_BETWEEN_KILLS = 5  # acknowledged writes before the first kill, between kills, and after the last
DEADLINE_SECONDS = 90  # the whole writing phase; far more than it takes
ATTEMPTS = 20  # per write, before it is reported as never answered


@dataclass
class Ledger:
    """What the writers saw, shared between their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, int] = field(default_factory=dict)  # key -> the item id its 201 answer gave
    titles: dict[str, str] = field(default_factory=dict)  # key -> title
    replayed: set[str] = field(default_factory=set)
    broken: list[tuple[float, str, str]] = field(default_factory=list)  # (when, key, error)
    busy: list[tuple[str, int]] = field(default_factory=list)  # 409: the first attempt still in hand
    unexpected: list[tuple[str, str]] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)


def _write(port: int, token: str, key: str, title: str, ledger: Ledger, give_up: float) -> None:
    for _attempt in range(ATTEMPTS):
        if time.monotonic() > give_up:
            break
        try:
            answer = call(port, "POST", AGENDA, token=token, body={"title": title}, key=key, timeout=20)
        except (OSError, http.client.HTTPException) as exc:  # reset, refused, closed, timed out
            with ledger.lock:
                ledger.broken.append((time.monotonic(), key, f"{type(exc).__name__}: {exc}"))
            time.sleep(0.05)
            continue
        if answer.status == 201:
            with ledger.lock:
                ledger.acknowledged[key] = answer.json()["id"]
                if answer.headers.get("idempotent-replayed") == "true":
                    ledger.replayed.add(key)
            return
        if answer.status == 409:  # "still being handled": wait for the first attempt's outcome
            with ledger.lock:
                ledger.busy.append((key, answer.status))
            time.sleep(0.1)
            continue
        with ledger.lock:
            ledger.unexpected.append((key, f"{answer.status} {answer.body[:300]!r}"))
        return
    with ledger.lock:
        ledger.unanswered.append(key)


def _writer(n: int, port: int, token: str, ledger: Ledger, stop: threading.Event, give_up: float) -> None:
    i = 0
    while not stop.is_set() and time.monotonic() < give_up:
        key = f"fault-kill-{n}-{i}"
        title = f"Fault test write {n}.{i} (fictional)"
        with ledger.lock:
            ledger.titles[key] = title
        _write(port, token, key, title, ledger, give_up)
        i += 1


def _wait_for(condition: Any, what: str, give_up: float) -> None:
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"timed out waiting for {what}", pytrace=False)
        time.sleep(0.01)


@pytest.mark.django_db(transaction=True)
def test_kill_9_of_a_worker_loses_no_acknowledged_write(live_data: None, tmp_path: Path) -> None:
    _token, token = create_token("test", Account.objects.get(email="secretariat@demo.kenes.invalid"), "faults")
    with copy_of_test_database(tmp_path) as url:
        env = app_env(url, tmp_path / "var")
        with redis_prefix_removed(env), gunicorn(env, tmp_path / "gunicorn", workers=2) as server:
            before = call(server.port, "GET", f"/api/v1/meetings/{MEETING}", token=token)
            assert before.status == 200, before.body[:500]
            # Read off the real server: no banner (kenes.gunicorn_conf), the strict policy.
            assert "server" not in before.headers, before.headers
            policy = {d.strip() for d in before.headers["content-security-policy"].split(";")}
            assert {"default-src 'self'", "script-src 'self'", "style-src 'self'"} <= policy, policy
            items_before = len(before.json()["agenda"])

            ledger, stop = Ledger(), threading.Event()
            started = time.monotonic()
            give_up = started + DEADLINE_SECONDS
            threads = [
                threading.Thread(
                    target=_writer, args=(n, server.port, token, ledger, stop, give_up), name=f"writer-{n}", daemon=True
                )
                for n in range(WRITERS)
            ]
            for thread in threads:
                thread.start()
            kill_times = []
            try:
                for _kill in range(KILLS):
                    target = ledger.count() + WRITES_BETWEEN_KILLS
                    _wait_for(lambda t=target: ledger.count() >= t, f"{target} acknowledged writes", give_up)
                    kill_times.append(time.monotonic())
                    server.kill_worker()
                    _wait_for(lambda: not set(server.killed) & server.workers(), "the killed worker to go", give_up)
                    server.wait_ready(timeout=max(1.0, give_up - time.monotonic()))  # the master's replacement
                target = ledger.count() + WRITES_BETWEEN_KILLS
                _wait_for(lambda: ledger.count() >= target, "writes after the last kill", give_up)
            finally:
                stop.set()
                for thread in threads:
                    thread.join(timeout=max(1.0, give_up - time.monotonic() + 30))
            assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
            writing = time.monotonic() - started

            after = call(server.port, "GET", f"/api/v1/meetings/{MEETING}", token=token)
            assert after.status == 200, after.body[:500]
            agenda = after.json()["agenda"]
            workers = server.workers()
            master_alive = server.process.poll() is None

    print(
        f"\n{len(ledger.acknowledged)} writes in {writing:.1f} s, workers killed: {server.killed}, "
        f"broken connections: {ledger.broken}, replayed: {sorted(ledger.replayed)}, 409s: {len(ledger.busy)}"
    )
    assert not ledger.unexpected, f"answers other than 201 or 409: {ledger.unexpected}"
    assert not ledger.unanswered, f"writes never answered 201 in {ATTEMPTS} attempts: {ledger.unanswered}"
    assert set(ledger.acknowledged) == set(ledger.titles), "a write was given up"

    # Every acknowledged write is stored, exactly once, as the item its answer named.
    stored = Counter(item["title"] for item in agenda)
    ids = {item["title"]: item["id"] for item in agenda}
    for key, item_id in ledger.acknowledged.items():
        title = ledger.titles[key]
        assert stored[title] == 1, f"{key} was acknowledged but is stored {stored[title]} times"
        assert ids[title] == item_id, f"{key} was acknowledged as item {item_id} but stored as {ids[title]}"
    assert len(agenda) == items_before + len(ledger.acknowledged), "items nobody acknowledged were stored"

    # The only failures: the connection the killed worker was handling, after each kill.
    assert ledger.broken, "no kill interrupted a request: the test did not test anything"
    assert len(ledger.broken) <= KILLS, f"more broken connections than kills: {ledger.broken}"
    assert all(when >= kill_times[0] for when, _key, _error in ledger.broken), ledger.broken
    assert master_alive, "the gunicorn master died"
    assert len(workers) == 2 and not workers & set(server.killed), (workers, server.killed)
