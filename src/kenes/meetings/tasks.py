"""Background tasks of meetings and formats, run by the task queue (django-q2, ``./dev worker``).

The scheduled function paths are stored in the database by ``manage setup_schedules``: keep them
stable, and keep the work itself in ``actions``.
"""

from __future__ import annotations

from kenes.meetings.actions import send_cadence_reminders


def send_cadence_reminders_task() -> list[tuple[str, str]]:
    """The cadence reminders due today, each sent once (scheduled daily); returns (format, kind)."""
    return send_cadence_reminders("scheduled task")
