"""The Redis the live-bus tests talk to: ``KENES_REDIS_URL`` when set (CI's second run), else a
``redis-server`` started for the session on a free port and stopped at its end."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.services import redis_server


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    url = os.environ.get("KENES_REDIS_URL", "")
    if url:
        yield url
        return
    with redis_server() as started:
        yield started
