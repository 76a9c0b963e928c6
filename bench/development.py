"""Benchmark (issue 13, item 9): the indicator import and the dashboard pages.

Run by ``./dev bench`` (or ``PYTHONPATH=src .venv/bin/python bench/development.py``). A throw-away
database in a temporary folder (SQLite; ``KENES_BENCH_DATABASE_URL=postgres://…`` for PostgreSQL,
where the import uses COPY). It prints, each beside its goal:

* the import of the real folder (51,432 rows), then a second import of it (no change);
* a synthetic file of ``--rows`` rows (1,000,000 by default), validated with progress and imported;
* the dashboard and an indicator page (8 entities × 60+ years): query counts with the full data and
  with half of it (must be equal), requests/s beside a bare Django view, p50/p99 latency in process
  (``django.test.Client``, one connection; the 16-connection p99 needs a served instance).

Exit status 1 when a query count grows with the data or a page does not answer 200.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the synthetic file")
    parser.add_argument("--requests", type=int, default=200, help="requests per page for the timings")
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

        synthetic = tmp / "synthetic"
        start = time.perf_counter()
        _synthetic(synthetic, args.rows)
        print(f"(synthetic file of {args.rows:,} rows written in {time.perf_counter() - start:.1f} s)")
        _timed_import(synthetic, "synthetic file, validated ", 10, prune=False)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
