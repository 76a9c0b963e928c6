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
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings


@dataclass(frozen=True)
class Event:
    id: str
    channel: str
    payload: dict[str, Any]
    key: str = ""  # the outbox event's id (a UUID), the same on every delivery attempt; "" otherwise


class Bus(Protocol):
    def publish(self, channel: str, payload: dict[str, Any]) -> str: ...

    def since(self, channel: str, last_id: str | None = None, limit: int = 100) -> list[Event]: ...

    def last_id(self, channel: str) -> str: ...

    def lost(self, channel: str, last_id: str) -> bool: ...

    def wait(self, cursors: dict[str, str], timeout: float) -> list[Event]: ...


def order(event_id: str) -> tuple[int, int]:
    """A stream id as a sortable pair: Redis's ``<ms>-<seq>``, the in-memory bus's ``<boot>-<n>``.
    Anything else (a forged or garbled ``Last-Event-ID``) is ``(-1, -1)``."""
    head, _dash, tail = event_id.partition("-")
    try:
        return int(head), int(tail or 0)
    except ValueError:
        return -1, -1


class MemoryBus:
    """One process's events, the last ``keep`` per channel. Ids are ``<boot>-<n>`` (the boot time
    in ms, then a counter), like Redis's: an id from before a restart is recognised as lost history."""

    def __init__(self, keep: int = 1000) -> None:
        self._keep = keep
        self._events: dict[str, deque[Event]] = defaultdict(lambda: deque(maxlen=keep))
        self._trimmed: dict[str, str] = {}  # per channel, the newest id that fell out of the window
        self._boot = int(time.time() * 1000)
        self._counter = itertools.count(1)
        self._lock = threading.Condition()

    def publish(self, channel: str, payload: dict[str, Any]) -> str:
        with self._lock:
            event = Event(f"{self._boot}-{next(self._counter)}", channel, payload)
            kept = self._events[channel]
            if len(kept) == self._keep:
                self._trimmed[channel] = kept[0].id
            kept.append(event)
            self._lock.notify_all()
        return event.id

    def since(self, channel: str, last_id: str | None = None, limit: int = 100) -> list[Event]:
        after = order(last_id) if last_id else (0, 0)
        with self._lock:
            return [event for event in self._events[channel] if order(event.id) > after][:limit]

    def last_id(self, channel: str) -> str:
        """The newest id on ``channel``, or ``<boot>-0`` when nothing was published to it yet."""
        with self._lock:
            kept = self._events.get(channel)
            return kept[-1].id if kept else f"{self._boot}-0"

    def lost(self, channel: str, last_id: str) -> bool:
        """Has a reader that saw ``last_id`` missed events that are no longer kept?"""
        seen = order(last_id)
        if seen[0] != self._boot:
            return True  # another process's (or a garbled) id: what happened since is not known here
        with self._lock:
            trimmed = self._trimmed.get(channel)
            newest = self._events[channel][-1].id if self._events.get(channel) else f"{self._boot}-0"
        return seen > order(newest) or (trimmed is not None and order(trimmed) > seen)

    def wait(self, cursors: dict[str, str], timeout: float) -> list[Event]:
        """The events after each channel's cursor, waiting up to ``timeout`` s for the first one."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [
                    event
                    for channel, cursor in cursors.items()
                    for event in self._events.get(channel, ())
                    if order(event.id) > order(cursor)
                ]
                remaining = deadline - time.monotonic()
                if found or remaining <= 0:
                    return sorted(found, key=lambda e: order(e.id))
                self._lock.wait(remaining)


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
        self._url = url
        self._blocking: Any = None  # the streams' reader connection, made on first use

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

    def last_id(self, channel: str) -> str:
        """The newest id on ``channel``, or ``0-0`` when the stream is empty or absent."""
        rows: Any = self._redis.xrevrange(self._key(channel), count=1)
        if not rows:
            return "0-0"
        raw = rows[0][0]
        return raw.decode() if isinstance(raw, bytes) else str(raw)

    def lost(self, channel: str, last_id: str) -> bool:
        """Has a reader that saw ``last_id`` missed entries that the stream no longer holds?

        Trimming (``MAXLEN``) is not recorded entry by entry, so this is cautious: True when the
        stream's first entry is after ``last_id`` (at worst one reload too many), when a reader that
        saw nothing (``0-0``) finds entries trimmed, when ``last_id`` is ahead of the stream (a
        flushed Redis) or garbled."""
        seen = order(last_id)
        if seen < (0, 0):
            return True
        from redis.exceptions import ResponseError

        try:
            info: Any = self._redis.xinfo_stream(self._key(channel))
        except ResponseError:  # no such stream: nothing kept, nothing was ever added
            return seen > (0, 0)
        newest = _text(info.get("last-generated-id") or b"0-0")
        first = _text(info.get("recorded-first-entry-id") or newest)
        if seen > order(newest):
            return True
        if seen == (0, 0):
            return int(info.get("entries-added") or 0) > int(info.get("length") or 0)
        return int(info.get("length") or 0) > 0 and order(first) > seen

    def wait(self, cursors: dict[str, str], timeout: float) -> list[Event]:
        """The events after each channel's cursor (one ``XREAD``), blocking up to ``timeout`` s."""
        if not cursors:
            time.sleep(timeout)
            return []
        streams = {self._key(channel): cursor for channel, cursor in cursors.items()}
        # A blocking read needs a socket timeout longer than its block.
        reply: Any = self._reader().xread(streams, count=500, block=max(1, int(timeout * 1000)))
        events = []
        for raw_key, rows in reply or []:
            key = raw_key.decode() if isinstance(raw_key, bytes) else str(raw_key)
            channel = key[len(self._key("")) :]
            for raw_id, fields in rows:
                event_id = raw_id.decode() if isinstance(raw_id, bytes) else str(raw_id)
                events.append(Event(event_id, channel, json.loads(fields[b"data"]), fields.get(b"key", b"").decode()))
        return sorted(events, key=lambda e: order(e.id))

    def _reader(self) -> Any:
        if self._blocking is None:
            import redis

            self._blocking = redis.Redis.from_url(
                self._url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=30.0
            )
        return self._blocking


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


_bus: Bus | None = None


def get_bus() -> Bus:
    global _bus
    if _bus is None:
        _bus = RedisBus(settings.REDIS_URL, prefix=settings.CACHE_PREFIX) if settings.REDIS_URL else MemoryBus()
    return _bus
