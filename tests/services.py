"""Services the tests start for themselves, so a plain ``./dev test`` skips nothing.

A service that cannot be had (its program is not installed) skips the tests that need it, or
fails them when ``KENES_REQUIRE_SERVICES`` is set, as in CI's second run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the run requires every service."""
    if os.environ.get("KENES_REQUIRE_SERVICES"):
        pytest.fail(f"KENES_REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away ``redis-server`` on a free port of 127.0.0.1, nothing saved; yields its URL."""
    program = shutil.which("redis-server", path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/bin"]))
    if program is None:
        unavailable("redis-server is not installed and KENES_REDIS_URL is not set")
    import redis

    with tempfile.TemporaryDirectory(prefix="kenes-test-redis-") as folder:
        for _attempt in range(5):  # another process may take the port between the probe and the start
            port = free_port()
            args = [program, "--save", "", "--appendonly", "no", "--port", str(port), "--bind", "127.0.0.1"]
            args += ["--dir", folder, "--logfile", str(Path(folder) / "redis.log")]
            server = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            url = f"redis://127.0.0.1:{port}/0"
            client = redis.Redis.from_url(url, socket_connect_timeout=0.2)
            deadline = time.monotonic() + 10
            while server.poll() is None and time.monotonic() < deadline:
                try:
                    client.ping()
                    break
                except redis.exceptions.ConnectionError:
                    time.sleep(0.05)
            else:
                log = (Path(folder) / "redis.log").read_text(errors="replace")[-2000:]
                server.kill()
                server.wait()
                client.close()
                if "Address already in use" in log:
                    continue
                pytest.fail(f"redis-server did not start on port {port}:\n{log}", pytrace=False)
            client.close()
            try:
                yield url
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            return
        pytest.fail("redis-server found no free port in 5 attempts", pytrace=False)


@contextmanager
def uvicorn_server() -> Iterator[str]:
    """The real ASGI process (uvicorn serving ``kenes.asgi``: pages and live streams) on a free
    port, in a thread; yields ``host:port``. Needs committed data (``live_data``).

    On SQLite the test database is one in-memory database in shared-cache mode, where a reader in
    the server's threads and the test's write would lock each other's tables: the server's
    connections read without those locks (the events they react to come after the commit)."""
    import threading

    import uvicorn
    from django.db.backends.signals import connection_created

    from kenes.asgi import application

    def unlocked(sender: object, connection: Any, **kwargs: Any) -> None:
        if connection.vendor == "sqlite":
            connection.cursor().execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(unlocked)
    port = free_port()
    config = uvicorn.Config(
        application, host="127.0.0.1", port=port, lifespan="off", log_level="error", timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        if not server.started:
            pytest.fail("uvicorn did not start", pytrace=False)
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        connection_created.disconnect(unlocked)
