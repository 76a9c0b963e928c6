"""The outbox between a committed action and the Redis streams (docs/decisions/0022-event-outbox.md).

``add`` writes the event in the action's transaction, so it exists exactly when the change does.
``drain`` delivers the pending events, oldest first, through ``RedisBus.deliver``, which adds each
to its stream once however often it is tried; the row then records the stream id. A Redis that is
down or does not answer leaves the rows pending: the failure is logged (logger ``kenes.live``) and
counted (``metrics``, and the row's ``attempts`` and ``last_error``); nothing is raised to the write.

Drains run after every commit that published (``drain_after_commit``, which after a failure waits
``RETRY_AFTER_SECONDS`` before trying again, so that writes during an outage do not each wait for
Redis) and every minute as the task ``kenes.live.tasks.drain_outbox_task``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Min
from django.utils import timezone

from kenes.live.bus import RedisBus, get_bus
from kenes.live.models import OutboxEvent

logger = logging.getLogger("kenes.live")

RETRY_AFTER_SECONDS = 5.0
KEEP_DELIVERED = dt.timedelta(days=1)  # delivered rows are kept this long for inspection, then pruned


@dataclass
class Metrics:
    """This process's delivery counters, for a health check or a metrics exporter to read."""

    delivered: int = 0
    failures: int = 0  # drains that found Redis broken
    last_failure_at: dt.datetime | None = None
    last_error: str = ""


metrics = Metrics()
_lock = threading.Lock()
_retry_after = 0.0  # time.monotonic() before which drain_after_commit does not try Redis again


def add(channel: str, payload: dict[str, Any]) -> OutboxEvent:
    """Write the event into the outbox, in the caller's transaction."""
    return OutboxEvent.objects.create(channel=channel, payload=payload)


def drain(*, batch: int = 200) -> int:
    """Deliver every pending event, oldest first; the number delivered. Never raises for Redis."""
    from redis.exceptions import RedisError

    global _retry_after
    bus = get_bus()
    if not isinstance(bus, RedisBus):
        return 0  # the in-memory bus is published to directly, never through the outbox
    delivered = 0
    while True:
        rows = list(OutboxEvent.objects.filter(delivered_at__isnull=True).order_by("pk")[:batch])
        for row in rows:
            try:
                stream_id = bus.deliver(row.channel, row.payload, str(row.key))
            except (RedisError, OSError) as exc:
                _failed(row, exc)
                return delivered
            marked = OutboxEvent.objects.filter(pk=row.pk, delivered_at__isnull=True).update(
                delivered_at=timezone.now(), stream_id=stream_id, attempts=F("attempts") + 1
            )
            delivered += marked  # 0: a drain running at the same time delivered it (to the same entry)
            with _lock:
                metrics.delivered += marked
                _retry_after = 0.0
        if len(rows) < batch:
            return delivered


def _failed(row: OutboxEvent, exc: BaseException) -> None:
    global _retry_after
    error = f"{type(exc).__name__}: {exc}"[:500]
    OutboxEvent.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1, last_error=error)
    with _lock:
        metrics.failures += 1
        metrics.last_failure_at = timezone.now()
        metrics.last_error = error
        _retry_after = time.monotonic() + RETRY_AFTER_SECONDS
    pending = OutboxEvent.objects.filter(delivered_at__isnull=True).count()
    logger.warning("live events: Redis is unavailable, %d event(s) wait in the outbox (%s)", pending, error)


def drain_after_commit() -> None:
    """The ``on_commit`` hook of ``publish_on_commit``: drain unless Redis failed moments ago.

    Whatever goes wrong is logged, never raised: the write it follows has been committed.
    """
    if time.monotonic() < _retry_after:
        return  # the events wait for the next drain after the pause, or for the scheduled task
    try:
        drain()
    except Exception:
        with _lock:
            metrics.failures += 1
            metrics.last_failure_at = timezone.now()
        logger.exception("live events: draining the outbox failed; the events wait in the outbox")


def prune(now: dt.datetime | None = None) -> int:
    """Delete the rows delivered longer ago than ``KEEP_DELIVERED``; how many."""
    cutoff = (now or timezone.now()) - KEEP_DELIVERED
    deleted, _per_model = OutboxEvent.objects.filter(delivered_at__lt=cutoff).delete()
    return deleted


def health() -> dict[str, Any]:
    """What a health check reports: the pending backlog (all processes) and this process's counters."""
    pending = OutboxEvent.objects.filter(delivered_at__isnull=True)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    return {
        "pending": pending.count(),
        "oldest_pending_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0,
        "delivered": metrics.delivered,
        "failures": metrics.failures,
        "last_failure_at": metrics.last_failure_at,
        "last_error": metrics.last_error,
    }


def reset_metrics() -> None:
    """Zero this process's counters and forget a recent failure (tests, or after an operator's check)."""
    global _retry_after
    with _lock:
        metrics.delivered = metrics.failures = 0
        metrics.last_failure_at, metrics.last_error = None, ""
        _retry_after = 0.0
