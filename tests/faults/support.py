"""What the fault tests (issue 10, item 6) start for themselves: the app under gunicorn on a database
of its own, a private PostgreSQL cluster they may stop and start, and plain HTTP calls to the app.

Every wait here is bounded; every process started here is stopped by its own id at the end.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.services import free_port, unavailable

ROOT = Path(__file__).resolve().parents[2]

# Gunicorn hooks: a worker marks itself ready once the app is loaded, and busy while it handles a
# request, so that a test can wait for the workers and kill one in the middle of a request.
HOOKS = """
from pathlib import Path

from kenes.gunicorn_conf import *  # the production configuration (no server banner), then the hooks

MARKS = Path({marks!r})


def post_worker_init(worker):
    (MARKS / f"ready-{{worker.pid}}").touch()


def pre_request(worker, req):
    (MARKS / f"busy-{{worker.pid}}").touch()


def post_request(worker, req, environ, resp):
    (MARKS / f"busy-{{worker.pid}}").unlink(missing_ok=True)
"""


# --- HTTP -------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def is_json(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/json")

    def json(self) -> Any:
        return json.loads(self.body)


def call(
    port: int,
    method: str,
    path: str,
    *,
    token: str = "",
    body: Any = None,
    key: str = "",
    timeout: float = 15.0,
) -> Answer:
    """One request on a new connection. A broken connection or a timeout raises (``OSError`` or
    ``http.client.HTTPException``)."""
    headers = {"Host": "127.0.0.1", "Accept": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if key:
        headers["Idempotency-Key"] = key
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        content = response.read()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            content,
            time.monotonic() - started,
        )
    finally:
        conn.close()


# --- the app's environment ---------------------------------------------------------------------


def app_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of an app process on ``database_url``: its own var/ folder, the real data,
    e-mail kept in memory. With ``KENES_REDIS_URL`` set it uses that Redis under a key prefix of
    its own (removed by ``redis_prefix_removed``)."""
    from django.conf import settings

    var_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"KENES_ENV", "KENES_DEBUG", "KENES_DB_CONN_MAX_AGE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="kenes.settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        KENES_DATABASE_URL=database_url,
        KENES_VAR_DIR=str(var_dir),
        KENES_DATA_DIR=str(Path(settings.KENES_DATA_DIR).resolve()),
        KENES_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        KENES_LOG_LEVEL="ERROR",
    )
    if env.get("KENES_REDIS_URL"):
        env["KENES_CACHE_PREFIX"] = f"kenes-fault-{os.getpid()}-{secrets.token_hex(4)}"
    env.update(extra)
    return env


@contextlib.contextmanager
def redis_prefix_removed(env: dict[str, str]) -> Iterator[None]:
    """At the end, the keys the app wrote to the shared Redis under its own prefix are deleted."""
    try:
        yield
    finally:
        url, prefix = env.get("KENES_REDIS_URL", ""), env.get("KENES_CACHE_PREFIX", "")
        if url and prefix.startswith("kenes-fault-"):
            import redis

            client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
            try:
                keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
                if keys:
                    client.delete(*keys)
            finally:
                client.close()


def postgres_url(conf: dict[str, Any], name: str) -> str:
    auth = quote(conf.get("USER") or "postgres", safe="")
    if conf.get("PASSWORD"):
        auth += ":" + quote(conf["PASSWORD"], safe="")
    return f"postgres://{auth}@{conf.get('HOST') or '127.0.0.1'}:{conf.get('PORT') or 5432}/{quote(name, safe='')}"


@contextlib.contextmanager
def copy_of_test_database(folder: Path) -> Iterator[str]:
    """A database of the app's own holding what this test's database holds (committed: use it from
    a ``transaction=True`` test); yields its URL.

    SQLite: a file in ``folder``, written by SQLite's online backup. PostgreSQL: a scratch database
    on the same server, created from the test database as template and dropped at the end.
    """
    import psycopg
    from django.db import connection, connections

    if connection.vendor == "sqlite":
        connection.ensure_connection()
        path = (folder / "app.sqlite3").resolve()
        with contextlib.closing(sqlite3.connect(path)) as target:
            connection.connection.backup(target)
        yield f"sqlite:///{path}"
        return
    if connection.vendor != "postgresql":
        unavailable(f"the fault tests cannot copy a {connection.vendor} database")
    conf = dict(connection.settings_dict)
    source, scratch = conf["NAME"], f"kenes_fault_{os.getpid()}_{secrets.token_hex(4)}"
    connections.close_all()  # a template must have no connection while it is copied
    admin = psycopg.connect(postgres_url(conf, "postgres"), autocommit=True, connect_timeout=10)
    try:
        deadline = time.monotonic() + 20
        ended_leftovers = False
        while True:
            try:
                admin.execute(f'CREATE DATABASE "{scratch}" TEMPLATE "{source}"')
                break
            except psycopg.errors.ObjectInUse:  # a connection of this process not yet gone
                if time.monotonic() > deadline:
                    raise
                if not ended_leftovers and time.monotonic() > deadline - 15:
                    # Still held after 5 s: a connection left by an earlier test's server thread
                    # (a page's live stream, say). This worker's tests run one at a time, so no
                    # one else uses this test database now; end those sessions.
                    admin.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()",
                        [source],
                    )
                    ended_leftovers = True
                time.sleep(0.2)
        try:
            yield postgres_url(conf, scratch)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    finally:
        admin.close()


PREPARE = """
import sys

import django

django.setup()
from django.conf import settings
from django.core.management import call_command

from kenes.people.actions import create_token
from kenes.people.models import Account

call_command("migrate", interactive=False, verbosity=0)
call_command("load_reference", str(settings.KENES_DATA_DIR / "mechanism"), verbosity=0)
call_command("load_demo", verbosity=0)
_token, raw = create_token("test", Account.objects.get(email=sys.argv[1]), "fault tests")
print(f"TOKEN {raw}")
"""


def prepare_database(env: dict[str, str], email: str, *, timeout: float = 240) -> str:
    """Migrate the database of ``env``, load the real data and the demo, and return a token of
    ``email`` (in a subprocess, as an operator would)."""
    done = subprocess.run(
        [sys.executable, "-c", PREPARE, email],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    tokens = [line.split(" ", 1)[1] for line in done.stdout.splitlines() if line.startswith("TOKEN ")]
    if done.returncode != 0 or not tokens:
        pytest.fail(f"preparing the database failed ({done.returncode}):\n{done.stderr[-3000:]}", pytrace=False)
    return tokens[-1]


# --- gunicorn ----------------------------------------------------------------------------------


def children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    port: int
    marks: Path
    log: Path
    workers_wanted: int
    killed: list[int] = field(default_factory=list)

    def workers(self) -> set[int]:
        return children(self.process.pid)

    def ready_workers(self) -> set[int]:
        return {pid for pid in self.workers() if (self.marks / f"ready-{pid}").exists()}

    def busy_workers(self) -> set[int]:
        return {pid for pid in self.workers() if (self.marks / f"busy-{pid}").exists()}

    def log_tail(self, size: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-size:]

    def wait_ready(self, timeout: float = 90) -> None:
        """Until every worker has loaded the app (a killed worker's replacement, too)."""
        deadline = time.monotonic() + timeout
        while len(self.ready_workers()) < self.workers_wanted:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn's workers were not ready in {timeout:.0f} s:\n{self.log_tail()}", pytrace=False)
            time.sleep(0.05)

    def kill_worker(self, *, busy_within: float = 5.0) -> int:
        """``kill -9`` of one worker, one in the middle of a request if there is one within ``busy_within``."""
        deadline = time.monotonic() + busy_within
        while not (candidates := self.busy_workers()) and time.monotonic() < deadline:
            time.sleep(0.001)
        candidates = candidates or self.workers()
        assert candidates, "gunicorn has no worker to kill"
        victim = min(candidates)
        os.kill(victim, signal.SIGKILL)
        self.killed.append(victim)
        return victim


@contextlib.contextmanager
def gunicorn(env: dict[str, str], folder: Path, *, workers: int = 2, timeout: int = 30) -> Iterator[Gunicorn]:
    """The app under gunicorn (``-w workers``) on a free port of 127.0.0.1, all workers ready."""
    folder.mkdir(parents=True, exist_ok=True)
    marks = folder / "marks"
    marks.mkdir(exist_ok=True)
    conf = folder / "gunicorn_hooks.py"
    conf.write_text(HOOKS.format(marks=str(marks)))
    for attempt in range(5):  # another process may take the port between the probe and the bind
        port = free_port()
        log = folder / f"gunicorn-{attempt}.log"
        args = [sys.executable, "-m", "gunicorn", "--pythonpath", str(ROOT / "src"), "-c", str(conf)]
        args += ["-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", str(timeout), "--graceful-timeout", "5"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*args, "kenes.wsgi"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Gunicorn(process, port, marks, log, workers)
        try:
            deadline = time.monotonic() + 10
            while process.poll() is None and time.monotonic() < deadline and "Listening at" not in server.log_tail():
                time.sleep(0.05)
            if process.poll() is not None and "Address already in use" in server.log_tail():
                continue
            server.wait_ready()
            yield server
            return
        finally:
            _stop(process)
    pytest.fail("gunicorn found no free port in 5 attempts", pytrace=False)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # a worker the master left behind (its own group)


# --- a private PostgreSQL cluster ----------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian's layout), or those on PATH."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and (Path(found).parent / "initdb").is_file() else None


@dataclass
class Cluster:
    bin: Path
    folder: Path
    port: int
    user: list[str]  # the command prefix that runs a program as the cluster's owner

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def log(self) -> Path:
        return self.folder / "postgres.log"

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def pg_ctl(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.user, str(self.bin / "pg_ctl"), "-D", str(self.data), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        # A scratch cluster: nothing in it needs to survive a crash of the machine, so no fsync.
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        done = self.pg_ctl("-o", options, "-l", str(self.log), "-w", "-t", "60", "start", timeout=90)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            pytest.fail(f"PostgreSQL did not start: {done.stdout}{done.stderr}\n{log}", pytrace=False)

    def stop_immediately(self) -> None:
        done = self.pg_ctl("-m", "immediate", "-w", "-t", "30", "stop", timeout=60)
        assert done.returncode == 0, f"pg_ctl stop failed: {done.stdout}{done.stderr}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')


@contextlib.contextmanager
def private_postgres() -> Iterator[Cluster]:
    """A PostgreSQL cluster of this test alone (initdb in a new folder of the temporary directory),
    on a free port; a test may stop and start it at will, unlike the machine's shared server. As
    root it runs as the ``postgres`` user, since initdb refuses to run as root."""
    binaries = postgres_bin()
    if binaries is None:
        unavailable("the PostgreSQL server programs (initdb, pg_ctl) are not installed")
    user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root, and there is no postgres user to run a private PostgreSQL as")
        user = [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="kenes-test-pg-"))
    cluster = Cluster(binaries, folder, free_port(), user)
    try:
        if user:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        done = subprocess.run(
            [*user, str(binaries / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres", "-N"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"initdb failed:\n{done.stdout}{done.stderr}", pytrace=False)
        for attempt in range(5):  # another process may take the port between the probe and the start
            try:
                cluster.start()
                break
            except pytest.fail.Exception:
                if attempt == 4 or "already in use" not in cluster.log.read_text(errors="replace"):
                    raise
                cluster.port = free_port()
        yield cluster
    finally:
        if cluster.data.is_dir():
            cluster.pg_ctl("-m", "immediate", "-w", "-t", "30", "stop", timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
