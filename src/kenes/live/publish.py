"""How an action publishes a live event: after its transaction commits, through the outbox when the
bus is Redis (docs/decisions/0022-event-outbox.md), straight to the in-memory bus otherwise.

Its own module because it joins the bus and the outbox, and the outbox delivers through the bus.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kenes.live import outbox
from kenes.live.bus import RedisBus, get_bus


def publish_on_commit(channel: str, payload: dict[str, Any]) -> None:
    """Publish once the surrounding transaction commits; nothing is sent if it rolls back.

    With Redis the event is added to the outbox inside the transaction, and the outbox is drained
    after the commit (this event and any that wait from an earlier outage); that drain never
    raises. The in-memory bus cannot fail and is published to directly, as before.
    """
    bus = get_bus()
    if isinstance(bus, RedisBus):
        outbox.add(channel, payload)
        transaction.on_commit(outbox.drain_after_commit)
    else:
        transaction.on_commit(lambda: bus.publish(channel, payload))
