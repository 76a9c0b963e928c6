"""Background tasks of negotiated texts, run by the task queue (django-q2, ``./dev worker``).

The scheduled function paths (``kenes.texts.tasks.…``) are stored in the database by
``manage setup_schedules``: keep them stable, and keep the work itself in ``actions``.
"""

from __future__ import annotations

from kenes.texts.actions import adopt_due_silences


def adopt_due_silences_task() -> list[str]:
    """Adopt every text whose silence deadline has passed; returns the codes adopted.

    Scheduled every minute. Exactly once per text is guaranteed by the conditional UPDATE in
    ``adopt_due_silences``, not by the queue: two workers (or a task delivered twice) are safe.
    """
    return adopt_due_silences()
