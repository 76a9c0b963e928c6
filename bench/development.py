"""Benchmark (issue 13, item 9): the indicator import and the dashboard pages.

Run by ``./dev bench`` (or ``PYTHONPATH=src .venv/bin/python bench/development.py``). A throw-away
database in a temporary folder (SQLite; ``KENES_BENCH_DATABASE_URL=postgres://…`` for PostgreSQL,
where the import uses COPY). It prints, each beside its goal:

* the import of the real folder (51,432 rows), then a second import of it (no change);
* a synthetic file of ``--rows`` rows (1,000,000 by default), validated with progress and imported;
* the dashboard and an indicator page (8 entities × 60+ years): query counts with the full data and
  with half of it (must be equal), requests/s beside a bare Django view, p50/p99 latency in process
  (``django.test.Client``, one connection);
* the same pages served as in production (gunicorn, the workers of docs/operations.md, the same
  database) under 16 concurrent connections: requests/s and p50/p99 beside the bare view, the goal
  p99 < 150 ms.

Exit status 1 when a query count grows with the data or a page does not answer 200.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import BARE_URL, get_ok, setup_django

URLCONF = "kenes_bench_development_urls"
PAGE = "/development/indicators/NY.GDP.PCAP.CD/"


def _synthetic(folder: Path, rows: int) -> None:
    """A catalogue of synthetic indicators and one data file of ``rows`` valid rows."""
    from kenes.development.entities import ENTITIES, SOURCE_NAMES

    folder.mkdir()
    years = range(1700, 2100)
    per_indicator = len(ENTITIES) * len(years)
    count = -(-rows // per_indicator)
    with (folder / "catalogue.csv").open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(["file", "source", "indicator", "title", "unit", "sdg_indicator", "definition", "licence"])
        for n in range(count):
            w.writerow(
                ["synthetic.csv", "BENCH", f"BENCH.{n:04d}", f"Synthetic {n}", "units", "", "", "none (benchmark)"]
            )
    with (folder / "synthetic.csv").open("w", encoding="utf-8", newline="") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(["iso3", "country", "year", "indicator", "value", "unit", "source"])
        written = 0
        for n in range(count):
            for e in ENTITIES:
                for y in years:
                    if written == rows:
                        return
                    w.writerow(
                        [e, SOURCE_NAMES[e], y, f"BENCH.{n:04d}", f"{(n * 7 + y) % 1000}.{y % 97}", "units", "BENCH"]
                    )
                    written += 1


def _timed_import(folder: Path, label: str, goal: float, *, prune: bool = True) -> float:
    from kenes.development.importer import import_folder

    seen = [0]

    def progress(_name: str, n: int) -> None:
        seen[0] += n

    start = time.perf_counter()
    result = import_folder("bench", folder, progress=progress, prune=prune)
    took = time.perf_counter() - start
    print(
        f"{label}: {result.total('rows'):>9,} rows ({result.total('added'):,} added, {result.total('changed'):,} "
        f"changed, {result.total('removed'):,} removed; progress saw {seen[0]:,}) in {took:6.2f} s  [goal < {goal} s"
        " on PostgreSQL]"
    )
    return took


def _latency(client: Any, url: str, n: int) -> tuple[float, float, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        get_ok(client, url)
        times.append(time.perf_counter() - start)
    times.sort()
    return n / sum(times), statistics.median(times) * 1000, times[int(0.99 * (n - 1))] * 1000


def _queries(client: Any, url: str) -> int:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the dashboard caches its charts: count the queries of building them
    with CaptureQueriesContext(connection) as ctx:
        get_ok(client, url)
    return len(ctx)


CONNECTIONS = 16
WORKERS = 3  # docs/operations.md's gunicorn line on this 2-core machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    """gunicorn over this run's database, with the bare view beside the real URLs (a settings module
    in ``tmp`` that only swaps the URLconf)."""
    (tmp / "kenes_bench_served.py").write_text(
        "from django.http import HttpResponse\n"
        "from django.urls import include, path\n"
        f"urlpatterns = [path({BARE_URL.strip('/') + '/'!r}, lambda request: HttpResponse('ok')),"
        " path('', include('kenes.urls'))]\n",
        encoding="utf-8",
    )
    (tmp / "kenes_bench_settings.py").write_text(
        "from kenes.settings import *  # noqa: F403\nROOT_URLCONF = 'kenes_bench_served'\n", encoding="utf-8"
    )
    port = _free_port()
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kenes_bench_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp), str(root / "src")]),
        "KENES_SSL_REDIRECT": "false",
        "KENES_ALLOWED_HOSTS": "127.0.0.1",
        "KENES_DB_CONN_MAX_AGE": "60",  # production's persistent connections (settings.py)
    }
    command = [
        sys.executable, "-m", "gunicorn", "-c", "python:kenes.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS), "--log-level", "warning", "kenes.wsgi",
    ]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=tmp)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        server.kill()
        sys.exit("FAIL: gunicorn did not start")
    return server, port


def _get_served(port: int, url: str) -> float:
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", url, headers={"Accept-Language": "ru"})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        sys.exit(f"FAIL: GET {url} served by gunicorn answered {response.status}, not 200")
    return (time.perf_counter() - start) * 1000


def _concurrent(port: int, url: str, total: int) -> tuple[float, float, float]:
    """``total`` requests over CONNECTIONS client threads: requests/s, p50 and p99 in ms."""
    times: list[float] = []
    lock = threading.Lock()
    per_thread = max(total // CONNECTIONS, 1)

    def client() -> None:
        mine = [_get_served(port, url) for _ in range(per_thread)]
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    times.sort()
    return len(times) / elapsed, statistics.median(times), times[int(len(times) * 0.99) - 1]


def _served(tmp: Path, total: int) -> bool:
    server, port = _serve(tmp)
    met = True
    try:
        for url in (BARE_URL, "/development/", PAGE):
            _concurrent(port, url, CONNECTIONS * 8)  # warm-up: every worker has built its cached fragments
        rate, p50, p99 = _concurrent(port, BARE_URL, total)
        print(f"served, {CONNECTIONS} connections, bare view: {rate:7.1f} req/s, p50 {p50:6.1f} ms, p99 {p99:6.1f} ms")
        for url in ("/development/", PAGE):
            rate, p50, p99 = _concurrent(port, url, total)
            ok = p99 < 150
            met &= ok
            print(
                f"served, {CONNECTIONS} connections, {url}: {rate:7.1f} req/s, p50 {p50:6.1f} ms, "
                f"p99 {p99:6.1f} ms  [goal p99 < 150 ms: {'met' if ok else 'NOT met'}]"
            )
    finally:
        server.terminate()
        server.wait(10)
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the synthetic file")
    parser.add_argument("--requests", type=int, default=200, help="requests per page for the timings")
    parser.add_argument("--served", type=int, default=800, help="requests per page to the served instance")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kenes-bench-dev-") as tmp_name:
        tmp = Path(tmp_name)
        setup_django(tmp, URLCONF)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
        print(f"database: {connection.vendor}")
        folder = Path(settings.KENES_DATA_DIR) / "indicators"
        _timed_import(folder, "real folder, first import ", 2)
        _timed_import(folder, "real folder, second import", 2)

        client = Client()
        full = {url: _queries(client, url) for url in ("/development/", PAGE)}
        from kenes.development.models import Observation

        keep = Observation.objects.filter(year__lt=1990).values_list("pk", flat=True)
        Observation.objects.filter(pk__in=list(keep)[::2]).delete()
        half = {url: _queries(client, url) for url in ("/development/", PAGE)}
        failed = False
        for url in full:
            same = full[url] == half[url]
            failed |= not same
            print(
                f"queries {url}: {full[url]} with all data, {half[url]} with less [{'constant' if same else 'GROWS'}]"
            )
        bare = _latency(client, BARE_URL, args.requests)
        print(f"bare Django view: {bare[0]:8.1f} req/s, p50 {bare[1]:6.1f} ms, p99 {bare[2]:6.1f} ms")
        for url in ("/development/", PAGE):
            rate, p50, p99 = _latency(client, url, args.requests)
            print(
                f"{url}: {rate:8.1f} req/s, p50 {p50:6.1f} ms, p99 {p99:6.1f} ms  [goal p99 < 150 ms at 16 connections]"
            )

        _served(tmp, args.served)

        synthetic = tmp / "synthetic"
        start = time.perf_counter()
        _synthetic(synthetic, args.rows)
        print(f"(synthetic file of {args.rows:,} rows written in {time.perf_counter() - start:.1f} s)")
        _timed_import(synthetic, "synthetic file, validated ", 10, prune=False)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
