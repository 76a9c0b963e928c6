"""Benchmark (issue 12, item 8): the weekly review to 10,000 confirmed subscribers over a local SMTP
server (aiosmtpd, started here) within 5 minutes, with 0 sends to pending or suppressed addresses;
requests/s of /news/ and of a release page next to a bare Django view.

Run by ``./dev bench`` (or ``PYTHONPATH=src .venv/bin/python bench/press.py``). A throw-away SQLite
database in a temporary folder (the real one is never touched): the real data, the demo accounts,
``load_press``, then 10,000 confirmed subscribers in ru and en (a tenth with a tag choice), 500
pending and 500 suppressed ones. The digest is sent with ``send_digest(sync=True)`` in batches of
500 on one SMTP connection each, as the task queue would run them. Exit status 1 when it takes
longer than the limit, misses a confirmed subscriber, reaches a pending or suppressed one, or a
page answers anything but 200.
"""

from __future__ import annotations

import argparse
import datetime as dt
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import BARE_URL, get_ok, load_data, setup_django

LIMIT_SECONDS = 300


class Counter:
    def __init__(self) -> None:
        self.recipients: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.recipients.extend(envelope.rcpt_tos)
        return "250 OK"


def _subscribers(confirmed: int, pending: int, suppressed: int) -> None:
    from django.utils import timezone

    from kenes.press.models import Subscriber, Suppression, Tag

    now = timezone.now()
    rows = [Subscriber(email=f"reader{i}@bench.invalid", language="ru" if i % 2 else "en", status="confirmed",
                       confirmed_at=now, consent_text="bench") for i in range(confirmed)]  # fmt: skip
    rows += [Subscriber(email=f"pending{i}@bench.invalid", status="pending") for i in range(pending)]
    rows += [
        Subscriber(email=f"gone{i}@bench.invalid", status="confirmed", confirmed_at=now) for i in range(suppressed)
    ]
    Subscriber.objects.bulk_create(rows, batch_size=2000)
    Suppression.objects.bulk_create(
        [Suppression(email=f"gone{i}@bench.invalid", reason="hard_bounce") for i in range(suppressed)]
    )
    tag = Tag.objects.get(slug="format-ca-foreign-ministers")
    through = Subscriber.tags.through
    ids = Subscriber.objects.filter(email__startswith="reader").values_list("pk", flat=True)[: confirmed // 10]
    through.objects.bulk_create([through(subscriber_id=pk, tag_id=tag.pk) for pk in ids])


def _rate(client: Any, url: str, seconds: float) -> float:
    get_ok(client, url)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        get_ok(client, url)
        n += 1
    return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=3.0, help="per throughput measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp), "kenes_bench_press_urls")
        from aiosmtpd.controller import Controller
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client
        from django.utils import timezone

        from kenes.press import actions, digest
        from kenes.press.models import DigestDelivery, Release

        load_data()
        call_command("load_press", verbosity=0)
        # One release published now, so this week's review has something in it.
        demo = Release.objects.get(slug="demo-water-forum-statement")
        fresh = actions.create_release(
            "bench", headline="BENCH: ministers meet (fictional)", lead="Bench lead.", language="ru", fmt=demo.format,
            tags=["format-ca-foreign-ministers"],
        )  # fmt: skip
        actions.publish_release("bench", fresh)
        _subscribers(args.subscribers, 500, 500)

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        inbox = Counter()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        try:
            week = digest.week_of(timezone.localdate()) + dt.timedelta(days=7)
            start = time.perf_counter()
            sent_digest = digest.send_digest(week, sync=True)
            elapsed = time.perf_counter() - start
        finally:
            controller.stop()
        wrong = [r for r in inbox.recipients if not r.startswith("reader")]
        delivered = DigestDelivery.objects.filter(digest=sent_digest, sent=True).count()
        print(f"digest: {len(inbox.recipients)} messages received by SMTP in {elapsed:.1f} s "
              f"({len(inbox.recipients) / elapsed:.0f}/s); limit {LIMIT_SECONDS} s")  # fmt: skip
        print(f"digest: {delivered} deliveries recorded; sends to pending or suppressed addresses: {len(wrong)}")

        client = Client()
        release = Release.objects.get(slug="ref-ca-heads-of-state-iv")
        bare = _rate(client, BARE_URL, args.seconds)
        news = _rate(client, "/news/", args.seconds)
        page = _rate(client, f"/news/{release.slug}/", args.seconds)
        print(f"requests/s (in-process): bare view {bare:.0f}, /news/ {news:.0f}, release page {page:.0f}")
        ok = elapsed <= LIMIT_SECONDS and not wrong and len(inbox.recipients) == args.subscribers == delivered
        if not ok:
            print("FAIL", file=sys.stderr)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
