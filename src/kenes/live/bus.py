"""Live events: published after the action's transaction commits, to a channel per object.

One process uses the in-memory bus; with ``KENES_REDIS_URL`` set, events go to a Redis stream per
channel so every app process can serve them and a client can resume from its last event id.
Events carry ids and verbs only: a subscriber re-reads the object through the access policy.
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


class RedisBus:
    def __init__(self, url: str, keep: int = 10000, prefix: str = "kenes") -> None:
        import redis

        self._redis = redis.Redis.from_url(url)
        self._keep = keep
        self._prefix = prefix

    def _key(self, channel: str) -> str:
        return f"{self._prefix}:live:{channel}"

    def publish(self, channel: str, payload: dict[str, Any]) -> str:
        data = json.dumps(payload, default=str)
        event_id = self._redis.xadd(self._key(channel), {"data": data}, maxlen=self._keep, approximate=True)
        return event_id.decode() if isinstance(event_id, bytes) else str(event_id)

    def since(self, channel: str, last_id: str | None = None, limit: int = 100) -> list[Event]:
        start = f"({last_id}" if last_id else "-"
        rows: Any = self._redis.xrange(self._key(channel), min=start, max="+", count=limit)
        events = []
        for raw_id, fields in rows or []:
            event_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
            events.append(Event(event_id, channel, json.loads(fields[b"data"])))
        return events


_bus: Bus | None = None


def get_bus() -> Bus:
    global _bus
    if _bus is None:
        _bus = RedisBus(settings.REDIS_URL, prefix=settings.CACHE_PREFIX) if settings.REDIS_URL else MemoryBus()
    return _bus


def publish_on_commit(channel: str, payload: dict[str, Any]) -> None:
    """Publish once the surrounding transaction commits; nothing is sent if it rolls back."""
    transaction.on_commit(lambda: get_bus().publish(channel, payload))
