"""Benchmark (issue 11, item 6, a first cut): fan-out of the live streams under uvicorn.

Run by ``./dev bench`` (or ``PYTHONPATH=src .venv/bin/python bench/live_streams.py --clients 200``).
A throw-away SQLite database with the real reference data and the demo accounts; uvicorn serves
``kenes.asgi`` in a thread of this process (the in-memory bus, one process); ``--clients`` anonymous
SSE connections follow a public meeting's stream; events are published at ``--rate`` a second and
each client records when it received each one. Printed: connect time, fan-out latency p50/p99 from
publish to receipt, delivered, lost and duplicated events, and, as the baseline of the same run,
the round trip of a bare Django view over the same server. Exit 1 when an endpoint does not answer
200, when an event is lost or duplicated, or when connections are left in the hub.

Not the issue's goal (5,000 clients, two processes, reconnect churn): the clients share this
process with the server, so the figures are a floor to compare changes with, not capacity.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import BARE_URL, load_data, setup_django

BENCH_URLCONF = "kenes_bench_live_urls"


async def _status(host: str, port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    line = await reader.readline()
    await reader.read()
    writer.close()
    return int(line.split()[1]), time.perf_counter() - started


async def _client(host: str, port: int, path: str, ready: asyncio.Event, got: dict[int, list[float]]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise SystemExit(f"FAIL: GET {path} answered {status!r}, not 200")
    seen: list[float] = []
    ready.set()
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            found = re.search(rb'"verb":"bench\.(\d+)"', line)
            if found:
                got.setdefault(int(found.group(1)), []).append(time.perf_counter())
                seen.append(time.perf_counter())
    finally:
        writer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--events", type=int, default=30)
    parser.add_argument("--rate", type=float, default=10.0, help="events per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kenes-bench-live-") as folder:
        setup_django(Path(folder), BENCH_URLCONF)
        load_data()
        import uvicorn

        from kenes.asgi import application
        from kenes.live import sse
        from kenes.live.bus import get_bus
        from kenes.meetings.models import Meeting

        meeting = Meeting.objects.filter(classification="public").order_by("pk").first()
        if meeting is None:
            return _fail("no public meeting in the reference data")
        server = uvicorn.Server(uvicorn.Config(application, port=0, lifespan="off", log_level="error"))
        server.config.port = _free_port()
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        host, port, path = "127.0.0.1", server.config.port, f"/live/meetings/{meeting.code}/events"
        code = asyncio.run(_run(host, port, path, meeting.pk, args, get_bus()))
        left = sum(hub.count() for hub in list(sse._hubs.values()))
        print(f"connections left in the hub after the clients closed: {left} (goal 0)")
        server.should_exit = True
        thread.join(10)
        return code or (1 if left else 0)


async def _run(host: str, port: int, path: str, meeting_pk: int, args: argparse.Namespace, bus: object) -> int:
    status, _ = await _status(host, port, BARE_URL)
    if status != 200:
        return _fail(f"GET {BARE_URL} answered {status}, not 200")
    bare = [(await _status(host, port, BARE_URL))[1] for _ in range(50)]
    got: dict[int, list[float]] = {}
    started = time.perf_counter()
    readies = [asyncio.Event() for _ in range(args.clients)]
    tasks = [asyncio.create_task(_client(host, port, path, ready, got)) for ready in readies]
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
    connect = time.perf_counter() - started
    await asyncio.sleep(1.0)  # the hub has read its cursor
    sent: dict[int, float] = {}
    for n in range(args.events):
        sent[n] = time.perf_counter()
        await asyncio.to_thread(bus.publish, f"meeting:{meeting_pk}", {"verb": f"bench.{n}"})  # type: ignore[attr-defined]
        await asyncio.sleep(1 / args.rate)
    settled, count = time.perf_counter(), -1
    while time.perf_counter() - settled < 15 and count != sum(map(len, got.values())):
        count = sum(map(len, got.values()))  # wait while receipts still arrive (2 s quiet, 15 s at most)
        await asyncio.sleep(2.0)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(1.0)  # the server sees the disconnects
    latencies = sorted(t - sent[n] for n, times in got.items() for t in times)
    expected = args.clients * args.events
    delivered = sum(min(len(times), args.clients) for times in got.values())
    duplicated = sum(max(len(times) - args.clients, 0) for times in got.values())
    print(f"{args.clients} SSE clients connected in {connect:.2f} s; {args.events} events at {args.rate:g}/s")
    if latencies:
        p50, p99 = statistics.median(latencies), latencies[int(0.99 * (len(latencies) - 1))]
        print(
            f"fan-out latency publish → receipt: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms (goal p99 < 200 ms)"
        )
    print(f"baseline, bare view round trip on the same server: p50 {statistics.median(bare) * 1000:.1f} ms")
    print(f"delivered {delivered}/{expected} ({100 * delivered / expected:.1f} %), lost {expected - delivered}, "
          f"duplicated {duplicated}")  # fmt: skip
    return 0 if delivered == expected and not duplicated else 1


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fail(message: str) -> int:
    print(f"FAIL: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
