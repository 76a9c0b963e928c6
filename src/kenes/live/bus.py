"""Live events: published after the action's transaction commits, to a channel per object.

One process uses the in-memory bus; with ``KENES_REDIS_URL`` set, events go to a Redis stream per
channel so every app process can serve them and a client can resume from its last event id.
Events carry ids and verbs only: a subscriber re-reads the object through the access policy.

With Redis, an event is first written to the outbox (``live.models.OutboxEvent``) in the action's
own transaction and delivered after the commit by ``live.outbox.drain``: a broken Redis is logged
and counted, never fails the committed write, and the event is delivered, once, when Redis is back.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction


@dataclass(frozen=True)
class Event:
    id: str
    channel: str
    payload: dict[str, Any]
    key: str = ""  # the outbox event's id (a UUID), the same on every delivery attempt; "" otherwise


class Bus(Protocol):
    def publish(self, channel: str, payload: dict[str, Any]) -> str: ...

    def since(self, channel: str, last_id: str | None = None, limit: int = 100) -> list[Event]: ...


class MemoryBus:
    def __init__(self, keep: int = 1000) -> None:
        self._events: dict[str, deque[Event]] = defaultdict(lambda: deque(maxlen=keep))
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def publish(self, channel: str, payload: dict[str, Any]) -> str:
        with self._lock:
            event = Event(str(next(self._counter)), channel, payload)
            self._events[channel].append(event)
        return event.id

    def since(self, channel: str, last_id: str | None = None, limit: int = 100) -> list[Event]:
        after = int(last_id or 0)
        with self._lock:
            return [event for event in self._events[channel] if int(event.id) > after][:limit]


# Adds an outbox event to its stream unless it was added before (the marker remembers the entry),
# in one atomic step: a drain that is repeated, or two drains at once, add it once.
_DELIVER_ONCE = """
local done = redis.call('GET', KEYS[2])
if done then return done end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'data', ARGV[2], 'key', ARGV[3])
redis.call('SET', KEYS[2], id, 'EX', ARGV[4])
return id
"""
DELIVERED_MARKER_SECONDS = 7 * 24 * 3600  # far longer than an event can wait between Redis and the outbox row
REDIS_TIMEOUT_SECONDS = 2.0  # a write's after-commit delivery waits no longer for a Redis that does not answer


class RedisBus:
    def __init__(self, url: str, keep: int = 10000, prefix: str = "kenes") -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # One immediate retry (a pooled connection that a Redis restart broke), no backoff: the
        # client's default retries ten times with back-off, seconds on end for a Redis that is down.
        self._redis = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 1),
        )
        self._deliver_once = self._redis.register_script(_DELIVER_ONCE)
        self._keep = keep
        self._prefix = prefix

    def _key(self, channel: str) -> str:
        return f"{self._prefix}:live:{channel}"

    def publish(self, channel: str, payload: dict[str, Any]) -> str:
        data = json.dumps(payload, default=str)
        event_id = self._redis.xadd(self._key(channel), {"data": data}, maxlen=self._keep, approximate=True)
        return event_id.decode() if isinstance(event_id, bytes) else str(event_id)

    def deliver(self, channel: str, payload: dict[str, Any], key: str) -> str:
        """Add the outbox event ``key`` to the channel's stream once; its stream id, now or before."""
        data = json.dumps(payload, default=str)
        marker = f"{self._prefix}:live-delivered:{key}"
        event_id = self._deliver_once(
            keys=[self._key(channel), marker], args=[self._keep, data, key, DELIVERED_MARKER_SECONDS]
        )
        return event_id.decode() if isinstance(event_id, bytes) else str(event_id)

    def since(self, channel: str, last_id: str | None = None, limit: int = 100) -> list[Event]:
        start = f"({last_id}" if last_id else "-"
        rows: Any = self._redis.xrange(self._key(channel), min=start, max="+", count=limit)
        events = []
        for raw_id, fields in rows or []:
            event_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
            key = fields.get(b"key", b"").decode()
            events.append(Event(event_id, channel, json.loads(fields[b"data"]), key))
        return events


_bus: Bus | None = None


def get_bus() -> Bus:
    global _bus
    if _bus is None:
        _bus = RedisBus(settings.REDIS_URL, prefix=settings.CACHE_PREFIX) if settings.REDIS_URL else MemoryBus()
    return _bus


def publish_on_commit(channel: str, payload: dict[str, Any]) -> None:
    """Publish once the surrounding transaction commits; nothing is sent if it rolls back.

    With Redis the event is added to the outbox inside the transaction, and the outbox is drained
    after the commit (this event and any that wait from an earlier outage); that drain never
    raises. The in-memory bus cannot fail and is published to directly, as before.
    """
    bus = get_bus()
    if isinstance(bus, RedisBus):
        from kenes.live import outbox

        outbox.add(channel, payload)
        transaction.on_commit(outbox.drain_after_commit)
    else:
        transaction.on_commit(lambda: bus.publish(channel, payload))
