"""A broken Redis never fails a committed write (issue 10, item 1): the event waits in the outbox.

Each test starts its own ``redis-server`` on a free port, stops it in the middle, and starts it
again on the same port: the page write, the API write and the silence adoption answer as usual
with the change stored and the event in the outbox; a drain once Redis is back adds the event to
its stream exactly once, and the notifications of an adoption exist exactly once however often
the task runs, even when the worker dies right after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from kenes.live import bus as bus_module
from kenes.live import outbox
from kenes.live.bus import MemoryBus, RedisBus
from kenes.live.models import OutboxEvent
from kenes.live.publish import publish_on_commit
from kenes.live.tasks import drain_outbox_task
from kenes.meetings.models import AgendaItem, Document, Format, Meeting
from kenes.people.models import Account, Notification
from kenes.states.models import State
from kenes.texts import actions as text_actions
from kenes.texts import queries as text_queries
from kenes.texts.models import Position, Text, TextStatus
from kenes.texts.tasks import adopt_due_silences_task
from tests.conftest import login
from tests.services import free_port, unavailable

SECRETARIAT = "secretariat@demo.kenes.invalid"
ADOPTED = "A text was adopted. Open Kenes to read and sign it."


class RedisProcess:
    """A ``redis-server`` that a test stops and starts again on the same port (nothing is saved)."""

    def __init__(self, program: str, folder: Path) -> None:
        self.program, self.folder = program, folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._server: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import redis

        args = [self.program, "--save", "", "--appendonly", "no", "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--dir", str(self.folder), "--logfile", str(self.folder / "redis.log")]
        self._server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        try:
            while self._server.poll() is None and time.monotonic() < deadline:
                try:
                    client.ping()
                    return
                except redis.exceptions.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        log = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
        self.stop()
        pytest.fail(f"redis-server did not start on port {self.port}:\n{log}", pytrace=False)

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.terminate()
        try:
            self._server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._server.kill()
            self._server.wait()
        self._server = None

    def entries(self, channel: str) -> list[Any]:
        """The stream entries of ``channel``, read with a client of the test's own."""
        return RedisBus(self.url).since(channel, limit=10000)


@pytest.fixture
def redis_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisProcess]:
    """A running ``redis-server`` of this test alone, made the live bus of this process."""
    program = shutil.which("redis-server", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"]))
    if program is None:
        unavailable("redis-server is not installed")
    with tempfile.TemporaryDirectory(prefix="kenes-test-outbox-") as folder:
        process = RedisProcess(program, Path(folder))
        process.start()
        monkeypatch.setattr(bus_module, "_bus", RedisBus(process.url))
        outbox.reset_metrics()
        try:
            yield process
        finally:
            process.stop()
            outbox.reset_metrics()


def _pending(channel: str, verb: str) -> OutboxEvent:
    rows = [row for row in OutboxEvent.objects.filter(channel=channel) if row.payload.get("verb") == verb]
    assert len(rows) == 1, rows
    row = rows[0]
    assert row.delivered_at is None and row.stream_id == ""
    return row


def _delivered_once(redis_process: RedisProcess, row: OutboxEvent) -> None:
    """After Redis is back, a drain adds the waiting event to its stream, and a second drain adds nothing."""
    redis_process.start()  # the same port, an empty Redis
    assert outbox.drain() >= 1
    assert outbox.drain() == 0
    entries = redis_process.entries(row.channel)
    assert [(e.payload, e.key) for e in entries] == [(row.payload, str(row.key))]
    row.refresh_from_db()
    assert row.delivered_at is not None and row.stream_id == entries[0].id


# --- writes answer as usual while Redis is down ---------------------------------------------------


def test_a_page_write_with_redis_down(live_data: None, redis_process: RedisProcess) -> None:
    client = login(Client(), Account.objects.get(email=SECRETARIAT))
    meeting = Meeting.objects.get(code="demo-fm-2027")
    redis_process.stop()

    response = client.post(f"/meetings/{meeting.code}/agenda/", {"title": "DEMO outage item (fictional)",
                                                                  "classification": "participants"})  # fmt: skip
    assert response.status_code in (200, 302), response.content[:500]
    item = AgendaItem.objects.get(meeting=meeting, title="DEMO outage item (fictional)")
    row = _pending(f"meeting:{meeting.pk}", "agenda.item_added")
    assert row.payload == {"verb": "agenda.item_added", "item": item.pk}
    assert row.attempts == 1 and "ConnectionError" in row.last_error

    _delivered_once(redis_process, row)


def test_an_api_write_with_redis_down(live_data: None, redis_process: RedisProcess) -> None:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", Account.objects.get(email=SECRETARIAT), "test")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    document = Document.objects.get(code="demo-fm-2027-agenda")
    redis_process.stop()

    response = api.patch(f"/api/v1/documents/{document.code}", {"version": document.version, "body": "in an outage"},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content[:500]
    assert Document.objects.get(pk=document.pk).body == "in an outage"
    row = _pending(f"format:{document.format_id}", "document.updated")
    assert row.payload["document"] == document.pk

    _delivered_once(redis_process, row)


# --- the silence adoption: the task succeeds, its notifications exist once ----------------------


def _silent_text(code: str) -> Text:
    """A clean text under silence whose deadline has just passed."""
    actor = "test"
    text = text_actions.create_text(
        actor,
        fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=Meeting.objects.get(code="demo-fm-2027"),
        code=code,
        title=f"DEMO outage {code} (fictional)",
        kind="joint_statement",
        classification="participants",
        languages=["ru", "en"],
        units=[{"kind": "operative", "content": "Ministers meet annually (demo)."}],
    )
    members = State.objects.filter(iso2__in=text_queries.member_codes(text))
    for unit in text.units.all():
        text_actions.edit_unit(actor, unit, language="en", content=f"English {unit.uid} (demo).")
        unit.refresh_from_db()
        Position.objects.bulk_create(
            Position(unit=unit, state=state, stance="support", revision=unit.revision) for state in members
        )
    text_actions.circulate_for_silence(
        actor, text, deadline=timezone.now() + dt.timedelta(days=1), timezone_name="Asia/Almaty"
    )
    Text.objects.filter(pk=text.pk).update(silence_deadline=timezone.now() - dt.timedelta(seconds=1))
    return Text.objects.get(pk=text.pk)


def _adoption_notices(text: Text) -> dict[int, int]:
    notices = Notification.objects.filter(verb="text.notice", url=f"/texts/{text.code}/", text=ADOPTED)
    counts: dict[int, int] = {}
    for account_id in notices.values_list("account_id", flat=True):
        counts[account_id] = counts.get(account_id, 0) + 1
    return counts


def test_a_silence_adoption_with_redis_down(
    live_data: None, redis_process: RedisProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django_q.tasks import async_task, fetch

    text = _silent_text("demo-outage-adopt")
    circulated = set(
        Notification.objects.filter(url=f"/texts/{text.code}/", text__startswith="A text is circulated")
        .values_list("account_id", flat=True)
    )  # fmt: skip
    assert circulated
    redis_process.stop()

    task_id = async_task("kenes.texts.tasks.adopt_due_silences_task", sync=True)  # the worker's own code path
    task = fetch(task_id)
    assert task is not None and task.success, task and task.result
    assert task.result == [text.code]
    assert Text.objects.get(pk=text.pk).status == TextStatus.ADOPTED
    assert _adoption_notices(text) == dict.fromkeys(circulated, 1)
    row = _pending(f"text:{text.pk}", "text.adopted")

    # the queue delivers the task again after a worker restart: nothing is adopted or notified twice
    monkeypatch.setattr(bus_module, "_bus", RedisBus(redis_process.url))  # the new worker's own connection
    assert adopt_due_silences_task() == []
    assert _adoption_notices(text) == dict.fromkeys(circulated, 1)

    _delivered_once(redis_process, row)
    assert drain_outbox_task() == {"delivered": 0, "pruned": 0}


def test_a_worker_that_dies_after_the_commit_loses_no_notification(
    live_data: None, redis_process: RedisProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process ends between the commit and its ``on_commit`` hooks: none of them runs."""
    text = _silent_text("demo-outage-killed")
    circulated = set(
        Notification.objects.filter(url=f"/texts/{text.code}/", text__startswith="A text is circulated")
        .values_list("account_id", flat=True)
    )  # fmt: skip
    redis_process.stop()
    with monkeypatch.context() as killed:
        killed.setattr(transaction, "on_commit", lambda *args, **kwargs: None)
        assert adopt_due_silences_task() == [text.code]
    assert _adoption_notices(text) == dict.fromkeys(circulated, 1)
    row = _pending(f"text:{text.pk}", "text.adopted")
    assert row.attempts == 0  # never tried: the hook did not run

    assert adopt_due_silences_task() == []  # the restarted worker
    assert _adoption_notices(text) == dict.fromkeys(circulated, 1)
    redis_process.start()
    assert drain_outbox_task()["delivered"] == 1  # the scheduled drain delivers what no hook did
    assert [e.key for e in redis_process.entries(row.channel)] == [str(row.key)]


# --- logged, counted, delivered once, in order ----------------------------------------------------


def test_the_failure_is_logged_and_counted(
    live_data: None, redis_process: RedisProcess, caplog: pytest.LogCaptureFixture
) -> None:
    channel = "test:outage"
    redis_process.stop()
    with caplog.at_level(logging.WARNING, logger="kenes.live"), transaction.atomic():
        publish_on_commit(channel, {"verb": "first"})
    warnings = [r for r in caplog.records if r.name == "kenes.live" and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "Redis is unavailable, 1 event(s) wait in the outbox" in warnings[0].getMessage()
    assert outbox.metrics.failures == 1 and "ConnectionError" in outbox.metrics.last_error

    with transaction.atomic():  # moments later: not tried again, so this write does not wait for Redis
        publish_on_commit(channel, {"verb": "second"})
    health = outbox.health()
    assert health["pending"] == 2 and health["failures"] == 1 and health["delivered"] == 0
    assert health["oldest_pending_seconds"] >= 0

    redis_process.start()
    assert outbox.drain() == 2
    assert [e.payload["verb"] for e in redis_process.entries(channel)] == ["first", "second"]
    assert outbox.health()["pending"] == 0 and outbox.metrics.delivered == 2


def test_a_drain_that_loses_the_reply_does_not_add_the_event_twice(
    live_data: None, redis_process: RedisProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis takes the event but the answer never arrives (or the drain dies before marking the row)."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    bus = bus_module.get_bus()
    assert isinstance(bus, RedisBus)
    real_deliver = bus.deliver

    def deliver_then_fail(channel: str, payload: dict[str, Any], key: str) -> str:
        real_deliver(channel, payload, key)
        raise RedisConnectionError("reply lost")

    with monkeypatch.context() as lossy:
        lossy.setattr(bus, "deliver", deliver_then_fail)
        with transaction.atomic():
            publish_on_commit("test:reply-lost", {"verb": "once"})
    row = OutboxEvent.objects.get(channel="test:reply-lost")
    assert row.delivered_at is None and row.attempts == 1

    assert outbox.drain() == 1  # tried again, concurrently too: Redis remembers the event by its key
    assert [e.key for e in redis_process.entries("test:reply-lost")] == [str(row.key)]


def test_rolled_back_writes_leave_nothing_in_the_outbox(live_data: None, redis_process: RedisProcess) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_on_commit("test:rolled-back", {"verb": "lost"})
        raise RuntimeError("the action failed")
    assert not OutboxEvent.objects.filter(channel="test:rolled-back").exists()
    assert redis_process.entries("test:rolled-back") == []


def test_without_redis_the_memory_bus_serves_as_before(live_data: None, monkeypatch: pytest.MonkeyPatch) -> None:
    memory = MemoryBus()
    monkeypatch.setattr(bus_module, "_bus", memory)
    with transaction.atomic():
        publish_on_commit("test:embedded", {"verb": "kept"})
    assert [e.payload for e in memory.since("test:embedded")] == [{"verb": "kept"}]
    assert not OutboxEvent.objects.filter(channel="test:embedded").exists()
    assert outbox.drain() == 0
