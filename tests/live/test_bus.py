"""Events are published after the action's transaction commits, never for a rolled-back change."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import transaction

from kenes.live.bus import MemoryBus, RedisBus, get_bus
from kenes.live.publish import publish_on_commit


@pytest.fixture(params=["memory", "redis"])
def bus(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        return MemoryBus()
    # KENES_REDIS_URL (CI's second run) or a redis-server started for the session: tests/live/conftest.py
    return RedisBus(request.getfixturevalue("redis_url"))


def test_resume_from_last_event_id(bus: Any) -> None:
    channel = f"test:{uuid.uuid4().hex}"
    first = bus.publish(channel, {"n": 1})
    bus.publish(channel, {"n": 2})
    bus.publish(channel, {"n": 3})
    assert [e.payload["n"] for e in bus.since(channel)] == [1, 2, 3]
    assert [e.payload["n"] for e in bus.since(channel, first)] == [2, 3]
    assert bus.since(f"test:{uuid.uuid4().hex}") == []


def test_published_only_after_commit(live_data: None) -> None:
    channel = f"test:{uuid.uuid4().hex}"
    with transaction.atomic():
        publish_on_commit(channel, {"verb": "kept"})
        assert get_bus().since(channel) == []  # not before the commit
    assert [e.payload["verb"] for e in get_bus().since(channel)] == ["kept"]

    other = f"test:{uuid.uuid4().hex}"
    with pytest.raises(RuntimeError), transaction.atomic():
        publish_on_commit(other, {"verb": "lost"})
        raise RuntimeError("the action failed")
    assert get_bus().since(other) == []


def test_an_action_publishes_its_event(live_data: None) -> None:
    from kenes.meetings.actions import update_document
    from kenes.meetings.models import Document
    from kenes.people.models import Account
    from tests.conftest import verified

    secretariat = verified(Account.objects.get(email="secretariat@demo.kenes.invalid"))
    document = Document.objects.get(code="demo-fm-2027-agenda")
    channel = f"format:{document.format_id}"
    seen = {e.id for e in get_bus().since(channel, limit=10000)}
    update_document(secretariat, document, expected_version=document.version, body="changed")
    new = [e for e in get_bus().since(channel, limit=10000) if e.id not in seen]
    assert [(e.payload["verb"], e.payload["document"]) for e in new] == [("document.updated", document.pk)]
    assert "changed" not in str(new[0].payload)  # events carry ids, not content
