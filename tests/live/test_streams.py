"""The live streams (``kenes.live.sse``): resume and reset on the bus, the audience through the
access policy, and the canary on the wire: a guest's and an anonymous connection never carry a
member-only id or title (on SQLite with the in-memory bus, and in CI's second run on PostgreSQL
with Redis Streams)."""

from __future__ import annotations

import re
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from kenes.live import audience
from kenes.live.bus import MemoryBus, RedisBus, order
from tests.conftest import login, verified
from tests.services import uvicorn_server


@pytest.fixture(params=["memory", "redis"])
def bus(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        return MemoryBus(keep=3)
    return RedisBus(request.getfixturevalue("redis_url"), keep=3)


def test_lost_history_and_waiting(bus: Any) -> None:
    channel = f"test:{uuid.uuid4().hex}"
    start = bus.last_id(channel)
    assert not bus.lost(channel, start)  # nothing published yet: nothing missed
    ids = [bus.publish(channel, {"n": n}) for n in range(3)]
    assert not bus.lost(channel, start) and not bus.lost(channel, ids[0])
    assert [e.payload["n"] for e in bus.wait({channel: ids[0]}, 0.1)] == [1, 2]
    assert bus.wait({channel: ids[2]}, 0.05) == []  # waited, nothing new
    for n in range(3, 300):  # far past what the stream keeps (Redis trims by whole nodes of 100)
        bus.publish(channel, {"n": n})
    assert bus.lost(channel, ids[0])  # trimmed: the page reloads its snapshot
    assert bus.lost(channel, "garbled") and bus.lost(channel, "99999999999999-0")  # forged, or from the future
    assert order(bus.last_id(channel)) > order(ids[2])


def test_an_id_from_before_a_restart_is_lost_history() -> None:
    before, after = MemoryBus(), MemoryBus()
    seen = before.publish("text:1", {"verb": "x"})
    after._boot += 1  # the same process started again a moment later
    after.publish("text:1", {"verb": "y"})
    assert after.lost("text:1", seen)


@pytest.mark.django_db
def test_the_audience_is_the_access_policy(accounts: dict[str, Any]) -> None:
    from django.http import Http404

    from kenes.meetings.actions import add_agenda_item
    from kenes.people.demo import DEMO_MEETING, DEMO_TEXT

    member, guest, secretariat = verified(accounts["kz"]), verified(accounts["ru"]), verified(accounts["secretariat"])
    stream = audience.open_stream(guest, "meeting", DEMO_MEETING)
    meeting = stream.obj
    hidden = add_agenda_item(secretariat, meeting, title="Canary item", classification="members")
    shared = add_agenda_item(secretariat, meeting, title="Shared item", classification="participants")
    for who, sees_hidden in ((member, True), (guest, False), (secretariat, True)):
        assert audience.admits(who, stream, {"verb": "agenda.item_added", "item": hidden.pk}) is sees_hidden
        assert audience.admits(who, stream, {"verb": "agenda.item_added", "item": shared.pk})
    assert not audience.admits(member, stream, {"verb": "agenda.item_added", "item": hidden.pk, "title": "x"})
    assert not audience.admits(member, stream, {"verb": "meeting.rescheduled", "meeting": meeting.pk + 1})
    with pytest.raises(Http404):
        audience.open_stream(guest, "text", DEMO_TEXT)  # a members-only text: the page's 404
    with pytest.raises(Http404):
        audience.open_stream(None, "meeting", DEMO_MEETING)
    assert audience.open_stream(member, "text", DEMO_TEXT).channel.startswith("text:")


# --- on the wire ------------------------------------------------------------------------------


@pytest.fixture
def asgi_server(live_data: None) -> Iterator[str]:
    with uvicorn_server() as address:
        yield address


class Reader:
    """One raw SSE connection: everything the server sent, as bytes."""

    def __init__(self, address: str, path: str, cookie: str = "", last_id: str = "") -> None:
        host, port = address.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        headers = [f"GET {path} HTTP/1.1", f"Host: {address}", "Accept: text/event-stream"]
        if cookie:
            headers.append(f"Cookie: sessionid={cookie}")
        if last_id:
            headers.append(f"Last-Event-ID: {last_id}")
        self.sock.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())
        self.data = b""
        self.sock.settimeout(0.1)

    def read_for(self, seconds: float, until: bytes | re.Pattern[bytes] = b"") -> bytes:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self._has(until):
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            self.data += chunk
        return self.data

    def _has(self, until: bytes | re.Pattern[bytes]) -> bool:
        if isinstance(until, bytes):
            return bool(until) and until in self.data
        return until.search(self.data) is not None

    def close(self) -> None:
        self.sock.close()


def _session(account: Any) -> str:
    client = login(Client(), account)
    return str(client.cookies["sessionid"].value)


def test_canary_guest_and_anonymous_streams_carry_nothing_member_only(asgi_server: str) -> None:
    from kenes.live.sse import snapshot_id
    from kenes.meetings.actions import add_agenda_item
    from kenes.meetings.models import Meeting
    from kenes.people.demo import DEMO_MEETING, DEMO_TEXT
    from kenes.people.models import Account

    by_email = {a.email: a for a in Account.objects.filter(is_demo=True)}
    secretariat = verified(by_email["secretariat@demo.kenes.invalid"])
    member_cookie = _session(by_email["delegate.kz@demo.kenes.invalid"])
    guest_cookie = _session(by_email["guest.ru@demo.kenes.invalid"])
    path = f"/live/meetings/{DEMO_MEETING}/events"
    member, guest = Reader(asgi_server, path, member_cookie), Reader(asgi_server, path, guest_cookie)
    anonymous = Reader(asgi_server, path)
    hidden_text = Reader(asgi_server, f"/live/texts/{DEMO_TEXT}/events", guest_cookie)
    for reader in (member, guest):
        assert b"200 OK" in reader.read_for(5, until=b"retry:")
    assert b"404 Not Found" in anonymous.read_for(5, until=b"\r\n")  # a participants meeting
    assert b"404 Not Found" in hidden_text.read_for(5, until=b"\r\n")  # a members-only text

    meeting = Meeting.objects.get(code=DEMO_MEETING)
    canary = f"Canary {uuid.uuid4().hex}"
    before = snapshot_id(f"meeting:{meeting.pk}")  # what a page rendered now would carry
    hidden = add_agenda_item(secretariat, meeting, title=canary, classification="members")
    shared = add_agenda_item(secretariat, meeting, title="Shared item", classification="participants")
    # An event's data is its JSON (keys in any order: PostgreSQL's jsonb keeps the outbox's payload).
    hidden_id, shared_id = (re.compile(rf'"item": ?{pk}[,}}]'.encode()) for pk in (hidden.pk, shared.pk))
    member.read_for(5, until=shared_id)
    guest.read_for(5, until=shared_id)
    assert hidden_id.search(member.data) and shared_id.search(member.data)  # the positive control
    assert shared_id.search(guest.data)
    assert not hidden_id.search(guest.data) and canary.encode() not in guest.data + member.data
    assert b"Content-Type: text/event-stream" in guest.data or b"content-type: text/event-stream" in guest.data

    # A guest resuming from before both events is replayed only what it may read.
    resumed = Reader(asgi_server, path, guest_cookie, last_id=before)
    resumed.read_for(5, until=shared_id)
    assert shared_id.search(resumed.data) and not hidden_id.search(resumed.data)
    reset = Reader(asgi_server, path, guest_cookie, last_id="garbled")
    assert b"event: reset" in reset.read_for(5, until=b"event: reset")
    for reader in (member, guest, anonymous, hidden_text, resumed, reset):
        reader.close()


@pytest.mark.django_db
def test_a_stream_is_not_the_readers_activity(accounts: dict[str, Any]) -> None:
    """The browser reconnects a stream on its own: that must not keep an idle session signed in."""
    from kenes.people.demo import DEMO_TEXT
    from kenes.people.middleware import IDLE_SESSION_KEY

    client = login(Client(), accounts["ru"])
    session = client.session
    session[IDLE_SESSION_KEY] = int(time.time()) - 120
    session.save()
    assert client.get(f"/live/texts/{DEMO_TEXT}/events").status_code == 404  # members-only: the page's 404
    assert client.session[IDLE_SESSION_KEY] == session[IDLE_SESSION_KEY]
    client.get("/")
    assert client.session[IDLE_SESSION_KEY] > session[IDLE_SESSION_KEY]
