"""Fault test (issue 10, item 6): PostgreSQL stops under the running app, then comes back.

Never the machine's shared PostgreSQL, which other test runs use: a private cluster is made for
this module (``initdb`` in a temporary folder, a free port), the app's database migrated and loaded
in it as an operator would, and gunicorn with two workers pointed at it. Then:

* healthy, reads answer 200 and writes 201;
* with PostgreSQL stopped (``pg_ctl stop -m immediate``: every connection cut), every /api/ answer
  is a JSON 5xx (500 or 503, ``{"detail": …}``), each within a bound, none a broken connection;
* once PostgreSQL is started again the same workers (not restarted) answer 200 and 201 again, and
  a write refused during the outage, sent again with its ``Idempotency-Key``, is stored once.

The app runs with production's database settings (``CONN_MAX_AGE`` 60: persistent connections,
the harder case, since each worker holds a connection the restart kills) and DEBUG off. A quick
restart with no request in between then shows that no worker fails a request on its dead
connection (``CONN_HEALTH_CHECKS``, kenes/settings.py).
"""

from __future__ import annotations

import http.client
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.support import (
    Answer,
    Cluster,
    Gunicorn,
    app_env,
    call,
    gunicorn,
    prepare_database,
    private_postgres,
    redis_prefix_removed,
)

MEETING = "demo-fm-2027"
EMAIL = "secretariat@demo.kenes.invalid"
ANSWER_WITHIN = 10.0  # seconds: no request may hang longer while the database is away
RECOVER_WITHIN = 30.0  # seconds after PostgreSQL is back

PRODUCTION_DATABASE = {"KENES_DB_CONN_MAX_AGE": "60", "KENES_DEBUG": "0"}


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, str, Path]]:
    """The private cluster, the app's database in it (migrated, real data, demo) and a token."""
    var = tmp_path_factory.mktemp("pg-restart-var")
    with private_postgres() as cluster:
        cluster.create_database("kenes")
        token = prepare_database(app_env(cluster.url("kenes"), var), EMAIL)
        yield cluster, token, var


def _read(server: Gunicorn, token: str) -> Answer:
    return call(server.port, "GET", f"/api/v1/meetings/{MEETING}", token=token, timeout=ANSWER_WITHIN + 5)


def _write(server: Gunicorn, token: str, key: str) -> Answer:
    body = {"title": f"Fault test {key} (fictional)"}
    return call(server.port, "POST", f"/api/v1/meetings/{MEETING}/agenda", token=token, body=body, key=key, timeout=20)


def _assert_json_5xx(answer: Answer, what: str) -> None:
    assert answer.status in (500, 503), f"{what}: {answer.status} {answer.body[:300]!r}"
    assert answer.is_json, f"{what}: {answer.headers.get('content-type')} {answer.body[:300]!r}"
    assert answer.json().get("detail"), f"{what}: {answer.body[:300]!r}"
    assert answer.seconds < ANSWER_WITHIN, f"{what} took {answer.seconds:.1f} s"


def _until_recovered(server: Gunicorn, token: str) -> tuple[float, list[int]]:
    """Reads until one answers 200 (each refusal on the way a JSON 5xx): seconds taken, statuses seen."""
    started = time.monotonic()
    seen = []
    while True:
        answer = _read(server, token)
        seen.append(answer.status)
        if answer.status == 200:
            return time.monotonic() - started, seen
        _assert_json_5xx(answer, "a read while PostgreSQL comes back")
        if time.monotonic() - started > RECOVER_WITHIN:
            pytest.fail(f"the app did not recover {RECOVER_WITHIN:.0f} s after PostgreSQL was back: {seen}")
        time.sleep(0.2)


def test_postgresql_restart_gives_json_5xx_then_recovers_unattended(
    pg_app: tuple[Cluster, str, Path], tmp_path: Path
) -> None:
    cluster, token, var = pg_app
    env = app_env(cluster.url("kenes"), var, **PRODUCTION_DATABASE)
    started = time.monotonic()
    with redis_prefix_removed(env), gunicorn(env, tmp_path / "gunicorn", workers=2) as server:
        ready = time.monotonic() - started
        workers = server.workers()
        # Healthy; enough requests that both workers have used the database.
        for n in range(4):
            assert (read := _read(server, token)).status == 200, read.body[:300]
            assert (write := _write(server, token, f"before-{n}")).status == 201, write.body[:300]

        cluster.stop_immediately()
        down_keys = []
        for n in range(4):
            try:
                read = _read(server, token)
                _assert_json_5xx(read, "a read with PostgreSQL down")
                key = f"down-{n}"
                down_keys.append(key)
                _assert_json_5xx(_write(server, token, key), "a write with PostgreSQL down")
            except (OSError, http.client.HTTPException) as exc:
                pytest.fail(f"with PostgreSQL down, a request got no answer: {type(exc).__name__}: {exc}")

        cluster.start()
        took, seen = _until_recovered(server, token)
        # Recovered in every worker: reads, new writes, and the refused writes sent again.
        answers = [_read(server, token) for _ in range(4)]
        answers += [_write(server, token, f"after-{n}") for n in range(2)]
        answers += [_write(server, token, key) for key in down_keys]
        assert [a.status for a in answers] == [200] * 4 + [201] * (2 + len(down_keys)), [
            (a.status, a.body[:200]) for a in answers
        ]
        agenda: list[dict[str, Any]] = _read(server, token).json()["agenda"]
        assert server.workers() == workers, "a worker was restarted"

        # A quick restart with no request in between: the workers' persistent connections are all
        # dead when the next requests come, and must not fail them.
        cluster.stop_immediately()
        cluster.start()
        quick = [_read(server, token) for _ in range(4)]
        quick += [_write(server, token, f"quick-{n}") for n in range(2)]
        for answer in quick:
            if answer.status not in (200, 201):
                _assert_json_5xx(answer, "a request just after a quick restart")
        assert server.workers() == workers, "a worker was restarted"

    statuses = [a.status for a in quick]
    print(
        f"\ngunicorn ready in {ready:.1f} s, test {time.monotonic() - started:.1f} s; "
        f"recovered {took:.2f} s after the start ({seen}); just after a quick restart: {statuses}"
    )
    titles = Counter(item["title"] for item in agenda)
    for key in down_keys:
        title = f"Fault test {key} (fictional)"
        assert titles[title] == 1, f"{key}, refused during the outage and sent again: stored {titles[title]} times"
    assert statuses == [200] * 4 + [201] * 2, (
        "after a quick PostgreSQL restart, requests failed until each worker dropped its dead connection"
        f" (CONN_HEALTH_CHECKS): {[(a.status, a.body[:120]) for a in quick]}"
    )
