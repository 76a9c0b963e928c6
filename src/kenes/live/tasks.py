"""Background tasks of the live events, run by the task queue (django-q2, ``./dev worker``).

The scheduled function path is stored in the database by ``manage setup_schedules``: keep it stable.
"""

from __future__ import annotations

from kenes.live import outbox


def drain_outbox_task() -> dict[str, int]:
    """Deliver the live events that wait in the outbox (Redis was down), and prune old delivered ones.

    Scheduled every minute; safe to run beside any number of other drains: ``RedisBus.deliver``
    adds each event to its stream once.
    """
    return {"delivered": outbox.drain(), "pruned": outbox.prune()}
