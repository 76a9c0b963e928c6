"""The silence race (issue 4, item 6): two workers reach the deadline of the same text at once and
the text is adopted exactly once, with one ``text.adopted`` audit event and an intact audit chain.

Both workers are held, through a database wrapper, until each has listed the text as due, so
both really try the conditional UPDATE that decides the race:

* two threads, each with its own database connection (any database);
* two OS processes (``python -c``), which need a database another process can open: PostgreSQL
  (CI's second run), or a SQLite file. pytest-django's SQLite test database lives in memory, so
  the process race runs on a file copy of it (``_database_for_processes``).

Also: ``setup_schedules`` writes the django-q2 schedules idempotently, and the scheduled task
function adopts (called directly and through django-q2's own executor).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import OperationalError, connection, connections
from django.utils import timezone

from kenes.audit.log import verify
from kenes.audit.models import AuditEvent
from kenes.meetings.models import Format, Meeting
from kenes.states.models import State
from kenes.texts import actions, queries
from kenes.texts.models import Position, Text, TextStatus, TextVersion
from tests.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
ACTOR = "test"  # an operator's command: the policy does not stand in its way


def _silent_text(code: str) -> Text:
    """A clean text under silence whose deadline has just passed."""
    text = actions.create_text(
        ACTOR,
        fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=Meeting.objects.get(code="demo-fm-2027"),
        code=code,
        title=f"DEMO race {code} (fictional)",
        kind="joint_statement",
        classification="participants",
        languages=["ru", "en"],
        units=[
            {"kind": "preamble", "content": "Recalling the IV Consultative Meeting (demo),"},
            {"kind": "operative", "content": "Ministers meet annually (demo)."},
        ],
    )
    members = State.objects.filter(iso2__in=queries.member_codes(text))
    for unit in text.units.all():
        actions.edit_unit(ACTOR, unit, language="en", content=f"English {unit.uid} (demo).")
        unit.refresh_from_db()
        Position.objects.bulk_create(
            Position(unit=unit, state=state, stance="support", revision=unit.revision) for state in members
        )
    actions.circulate_for_silence(
        ACTOR, text, deadline=timezone.now() + dt.timedelta(days=1), timezone_name="Asia/Almaty"
    )
    Text.objects.filter(pk=text.pk).update(silence_deadline=timezone.now() - dt.timedelta(seconds=1))
    return Text.objects.get(pk=text.pk)


def _assert_adopted_once(text: Text, outcomes: list[list[str]]) -> None:
    assert sorted(outcomes, key=len) == [[], [text.code]], outcomes  # one worker won, one found nothing
    adopted = Text.objects.get(pk=text.pk)
    assert adopted.status == TextStatus.ADOPTED and adopted.adopted_by == "silence"
    assert set(adopted.adopted_hashes) == {"ru", "en"}
    events = AuditEvent.objects.filter(verb="text.adopted", target_type="texts.text", target_id=str(text.pk))
    assert events.count() == 1
    assert TextVersion.objects.filter(text=text, reason="adopted by silence").count() == 1
    verdict = verify()
    assert verdict.ok, verdict.message


def _is_listing(sql: str) -> bool:
    """The first query of ``adopt_due_silences``: the texts whose silence deadline has passed."""
    return sql.lstrip().upper().startswith("SELECT") and "silence_deadline" in sql and "FOR UPDATE" not in sql


@pytest.mark.clock
@pytest.mark.django_db(transaction=True)
def test_two_threads_adopt_exactly_once(live_data: None) -> None:
    text = _silent_text("demo-race-threads")
    listed = threading.Barrier(2, timeout=20)
    outcomes: list[list[str]] = []
    errors: list[BaseException] = []

    # pytest-django's SQLite test database is in memory, shared between connections through
    # SQLite's shared cache, where a connection that meets another's write lock gets "database
    # table is locked" at once instead of waiting out the busy timeout (20 s) as it does on the
    # SQLite file Kenes really uses. The wait is done here: the loser's statement is tried again
    # until the winner commits, which is what SQLite's busy handler does with a file.
    shared_cache = connection.vendor == "sqlite" and connection.is_in_memory_db()

    def hold_after_listing(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        give_up = time.monotonic() + 20
        while True:
            try:
                result = execute(sql, params, many, context)
                break
            except OperationalError as exc:
                if not (shared_cache and "is locked" in str(exc)) or time.monotonic() > give_up:
                    raise
                time.sleep(0.005)
        if _is_listing(sql) and not getattr(held, "done", False):
            held.done = True
            listed.wait()  # both workers have seen the text as due before either adopts it
        return result

    held = threading.local()

    def worker() -> None:
        try:
            with connection.execute_wrapper(hold_after_listing):
                outcomes.append(actions.adopt_due_silences())
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"silence-worker-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker is stuck"
    assert not errors, errors
    _assert_adopted_once(text, outcomes)


WORKER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path

    import django

    django.setup()
    from django.db import connection

    from kenes.texts.actions import adopt_due_silences

    rendezvous, me = Path(sys.argv[1]), sys.argv[2]
    held = False

    def hold_after_listing(execute, sql, params, many, context):
        global held
        result = execute(sql, params, many, context)
        head = sql.lstrip().upper()
        if not held and head.startswith("SELECT") and "silence_deadline" in sql and "FOR UPDATE" not in sql:
            held = True
            (rendezvous / f"listed-{me}").touch()
            deadline = time.monotonic() + 20
            while len(list(rendezvous.glob("listed-*"))) < 2:
                if time.monotonic() > deadline:
                    raise SystemExit("the other worker never listed the text")
                time.sleep(0.01)
        return result

    (rendezvous / f"ready-{me}").touch()
    while not (rendezvous / "go").exists():
        time.sleep(0.01)
    with connection.execute_wrapper(hold_after_listing):
        adopted = adopt_due_silences()
    print(json.dumps(adopted))
    """
)


def _database_url() -> str | None:
    """A URL another process can use to reach the test database, or None for in-memory SQLite."""
    conf = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(conf["USER"] or "", safe="")
        if conf.get("PASSWORD"):
            auth += ":" + quote(conf["PASSWORD"], safe="")
        host = f"{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}"
        return f"postgres://{auth}@{host}/{quote(conf['NAME'], safe='')}"
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{conf['NAME']}"
    return None


@contextmanager
def _database_for_processes(folder: Path) -> Iterator[str]:
    """A URL other processes can open, holding this test database's rows; their writes are in
    this test's database once the block ends.

    PostgreSQL and a SQLite file are shared as they are. pytest-django's SQLite test database
    lives in memory, out of another process's reach: it is copied into a SQLite file in
    ``folder`` with SQLite's online backup, the workers race on that file (with the busy timeout
    and ``BEGIN IMMEDIATE`` of Kenes's own settings), and the file is copied back at the end.
    """
    url = _database_url()
    if url is not None:
        yield url
        return
    if connection.vendor != "sqlite":
        unavailable(f"the process race cannot share a {connection.vendor} test database with other processes")
    connection.ensure_connection()
    memory = connection.connection
    path = folder / "race.sqlite3"
    with closing(sqlite3.connect(path)) as file:
        memory.backup(file)
    yield f"sqlite:///{path}"
    with closing(sqlite3.connect(path)) as file:
        file.backup(memory)


@pytest.mark.django_db(transaction=True)
def test_two_processes_adopt_exactly_once(live_data: None) -> None:
    text = _silent_text("demo-race-processes")
    with tempfile.TemporaryDirectory(prefix="kenes-race-") as tmp, _database_for_processes(Path(tmp)) as url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kenes.settings",
            "KENES_DATABASE_URL": url,
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        }
        rendezvous = Path(tmp)
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, str(rendezvous), str(n)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(2)
        ]
        try:
            for _ in range(3000):  # both have set Django up: start them together
                if len(list(rendezvous.glob("ready-*"))) == 2 or any(w.poll() is not None for w in workers):
                    break
                threading.Event().wait(0.01)
            (rendezvous / "go").touch()
            finished = [w.communicate(timeout=90) for w in workers]
        finally:
            for w in workers:
                if w.poll() is None:
                    w.kill()
    for w, (_out, err) in zip(workers, finished, strict=True):
        assert w.returncode == 0, f"worker failed ({w.returncode}):\n{err[-3000:]}"
    outcomes = [json.loads(out.strip().splitlines()[-1]) for out, _err in finished]
    _assert_adopted_once(text, outcomes)


# --- the scheduled task ---------------------------------------------------------------------


@pytest.mark.clock
@pytest.mark.django_db
def test_setup_schedules_is_idempotent() -> None:
    from django.core.management import call_command
    from django_q.models import Schedule

    from kenes.schedules import setup_schedules

    call_command("setup_schedules", verbosity=0)
    adopt = Schedule.objects.get(func="kenes.texts.tasks.adopt_due_silences_task")
    assert (adopt.schedule_type, adopt.minutes, adopt.repeats) == (Schedule.MINUTES, 1, -1)
    reminders = Schedule.objects.get(func="kenes.meetings.tasks.send_cadence_reminders_task")
    assert reminders.schedule_type == Schedule.DAILY and reminders.repeats == -1
    local = timezone.localtime(reminders.next_run)
    assert (local.hour, local.minute) == (6, 15) and reminders.next_run > timezone.now()
    count, next_runs = Schedule.objects.count(), dict(Schedule.objects.values_list("pk", "next_run"))

    assert {outcome for _name, outcome in setup_schedules()} == {"unchanged"}
    assert Schedule.objects.count() == count
    assert dict(Schedule.objects.values_list("pk", "next_run")) == next_runs  # no run skipped or repeated

    Schedule.objects.filter(pk=adopt.pk).update(minutes=5, repeats=0)  # edited by hand, or stopped
    Schedule.objects.create(name=adopt.name, func="os.getcwd", schedule_type=Schedule.HOURLY)  # a stray copy
    report = dict(setup_schedules())
    assert report[adopt.name] == "updated"
    assert Schedule.objects.filter(name=adopt.name).count() == 1
    adopt.refresh_from_db()
    assert (adopt.func, adopt.minutes, adopt.repeats) == ("kenes.texts.tasks.adopt_due_silences_task", 1, -1)


@pytest.mark.clock
@pytest.mark.django_db
def test_the_scheduled_task_adopts() -> None:
    from kenes.texts.tasks import adopt_due_silences_task

    text = _silent_text("demo-task-direct")
    assert adopt_due_silences_task() == [text.code]
    assert adopt_due_silences_task() == []
    assert Text.objects.get(pk=text.pk).status == TextStatus.ADOPTED


@pytest.mark.clock
@pytest.mark.django_db
def test_the_scheduled_function_runs_through_django_q() -> None:
    """The stored function path resolves and runs in django-q2's worker code (inline, ``sync``)."""
    from django_q.models import Schedule
    from django_q.tasks import async_task, result

    from kenes.schedules import setup_schedules

    setup_schedules()
    text = _silent_text("demo-task-queue")
    func = Schedule.objects.get(func__endswith="adopt_due_silences_task").func
    task_id = async_task(func, sync=True)
    assert result(task_id) == [text.code]
    assert Text.objects.get(pk=text.pk).status == TextStatus.ADOPTED
