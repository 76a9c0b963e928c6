"""Server-Sent Events per meeting and per text, served by the ASGI process (``kenes.asgi``).

``GET /live/meetings/<code>/events`` and ``GET /live/texts/<code>/events`` answer
``text/event-stream``: one SSE message per live event, its ``id`` the stream id of the bus (Redis
Streams with ``KENES_REDIS_URL``, the in-memory bus otherwise), its ``event`` name what changed
(``unit-<uid>`` for a paragraph of a text, ``room`` for the rest of a text or a meeting), its
``data`` the event itself: ids and a verb, never content. A page re-fetches what changed through
its own view, so the access policy decides what it shows.

* **Who** may follow and which events reach them: ``live.audience`` (the access policy: the
  page's 404 at connect and on every resume, ``still_readable`` again at most every
  ``RECHECK_SECONDS`` while connected).
* **Resume**: the browser's ``Last-Event-ID`` (or ``?after=``, the id a page's snapshot is
  consistent with) replays what came after it; when those events are gone (trimmed, another
  process's memory, more than ``REPLAY_LIMIT``) a ``reset`` event tells the page to reload its
  snapshot.
* **One reader per process** (``Hub``) reads the bus for every channel that has a connection and
  fans out to a bounded queue per connection (``QUEUE_LIMIT``): a client too slow to empty it is
  dropped and resumes from its last id. A comment every ``KEEPALIVE_SECONDS`` keeps proxies from
  closing an idle stream, and a connection ends after ``MAX_CONNECTION_SECONDS`` so that the
  session and the policy are checked again on the browser's automatic reconnect.
"""

from __future__ import annotations

import asyncio
import json
import time
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections
from django.http import HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from kenes.live import audience
from kenes.live.bus import Event, get_bus, order

KEEPALIVE_SECONDS = 15.0
QUEUE_LIMIT = 256
REPLAY_LIMIT = 500
READ_SECONDS = 0.5  # the hub's longest wait on the bus: a newly followed channel is read this soon
MAX_CONNECTION_SECONDS = 300.0
RECHECK_SECONDS = 2.0  # a live connection asks the policy again at most this often (and on every resume)
RETRY_MS = 2000


@dataclass(eq=False)
class Subscriber:
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False
    woken: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, event: Event) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True  # the connection ends; the browser resumes from its last id
        self.woken.set()


class Hub:
    """This process's one reader of the bus, fanning each channel's events out to its connections."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscriber]] = defaultdict(set)
        self._cursors: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None

    def count(self) -> int:
        return sum(len(subs) for subs in self._subscribers.values())

    async def join(self, channel: str) -> Subscriber:
        if channel not in self._cursors:
            self._cursors[channel] = await asyncio.to_thread(get_bus().last_id, channel)
        subscriber = Subscriber()
        self._subscribers[channel].add(subscriber)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        return subscriber

    def leave(self, channel: str, subscriber: Subscriber) -> None:
        subs = self._subscribers.get(channel)
        if subs is None:
            return
        subs.discard(subscriber)
        if not subs:
            del self._subscribers[channel]
            self._cursors.pop(channel, None)

    async def _run(self) -> None:
        bus = get_bus()
        while self._cursors:
            try:
                events = await asyncio.to_thread(bus.wait, dict(self._cursors), READ_SECONDS)
            except Exception:  # a broken Redis: read again shortly; the connections stay open
                await asyncio.sleep(1.0)
                continue
            for event in events:
                if event.channel not in self._cursors:
                    continue
                if order(event.id) > order(self._cursors[event.channel]):
                    self._cursors[event.channel] = event.id
                for subscriber in list(self._subscribers.get(event.channel, ())):
                    subscriber.offer(event)


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The hub of the running event loop (one per process under uvicorn)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]


def message(event_id: str, name: str, data: dict[str, Any]) -> str:
    return f"id: {event_id}\nevent: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def event_name(stream: audience.Stream, payload: dict[str, Any]) -> str:
    unit = payload.get("unit")
    if stream.kind == "text" and isinstance(unit, str) and unit.replace("-", "").replace("_", "").isalnum():
        return f"unit-{unit}"
    return "room"


def _admitted(account: Any, stream: audience.Stream, events: list[Event], recheck: bool = True) -> list[Event] | None:
    """The events of the batch this account receives; None when it may no longer read the stream.

    ``recheck`` asks the policy again whether the account may read the stream (on connect and
    resume always, then at most every ``RECHECK_SECONDS``). The database connection is closed after
    the checks: an open stream holds no connection while it waits (hours, for a delegate's room)."""
    try:
        if recheck and not audience.still_readable(account, stream):
            return None
        return [event for event in events if audience.admits(account, stream, event.payload)]
    finally:
        connections.close_all()


async def follow(account: Any, stream: audience.Stream, after: str | None) -> AsyncIterator[str]:
    """The SSE body for one connection: replay after ``after`` (or ``reset``), then live events."""
    bus = get_bus()
    center = hub()
    subscriber = await center.join(stream.channel)
    admitted = sync_to_async(_admitted)
    started = checked = time.monotonic()  # open_stream asked the policy just now
    try:
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        cursor = await asyncio.to_thread(bus.last_id, stream.channel)
        if after is not None:
            replay: list[Event] = []
            lost = await asyncio.to_thread(bus.lost, stream.channel, after)
            if not lost:
                replay = await asyncio.to_thread(bus.since, stream.channel, after, REPLAY_LIMIT + 1)
            if lost or len(replay) > REPLAY_LIMIT:
                yield message(cursor, "reset", {"verb": "reset"})
            else:
                cursor = after
                allowed = await admitted(account, stream, replay)
                if allowed is None:
                    return
                for event in allowed:
                    yield message(event.id, event_name(stream, event.payload), event.payload)
                if replay:
                    cursor = replay[-1].id
        while time.monotonic() - started < MAX_CONNECTION_SECONDS:
            if subscriber.queue.empty() and not subscriber.overflowed:
                subscriber.woken.clear()
                try:
                    await asyncio.wait_for(subscriber.woken.wait(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
            if subscriber.overflowed:
                return
            batch = []
            while not subscriber.queue.empty():
                event = subscriber.queue.get_nowait()
                if order(event.id) > order(cursor):
                    batch.append(event)
            if not batch:
                continue
            recheck = time.monotonic() - checked >= RECHECK_SECONDS
            if recheck or any(audience.reads_database(stream, event.payload) for event in batch):
                allowed = await admitted(account, stream, batch, recheck)
            else:  # ids the text's or meeting's readers all read: no query, no thread
                allowed = [event for event in batch if audience.admits(account, stream, event.payload)]
            if allowed is None:
                return
            checked = time.monotonic() if recheck else checked
            cursor = batch[-1].id
            for event in allowed:
                yield message(event.id, event_name(stream, event.payload), event.payload)
    finally:
        center.leave(stream.channel, subscriber)


def _open(request: HttpRequest, kind: audience.Kind, code: str) -> tuple[Any, audience.Stream]:
    account = request.user
    bool(account.is_authenticated)  # the lazy user is loaded here, in a thread, not in the event loop
    return account, audience.open_stream(account, kind, code)


async def _respond(request: HttpRequest, kind: audience.Kind, code: str) -> StreamingHttpResponse:
    account, stream = await sync_to_async(_open)(request, kind, code)  # Http404 for a hidden object
    after = request.headers.get("Last-Event-ID") or request.GET.get("after") or None
    response = StreamingHttpResponse(follow(account, stream, after), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer this response
    return response


@require_GET
async def meeting_events(request: HttpRequest, code: str) -> StreamingHttpResponse:
    return await _respond(request, "meeting", code)


@require_GET
async def text_events(request: HttpRequest, code: str) -> StreamingHttpResponse:
    return await _respond(request, "text", code)


def snapshot_id(channel: str) -> str:
    """The stream id a page's snapshot is consistent with: read before the page reads its data, so
    that page + the events after this id = a fresh page (a change in between is sent again)."""
    return get_bus().last_id(channel)
