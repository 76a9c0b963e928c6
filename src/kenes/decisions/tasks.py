"""Background tasks of decisions and instructions, run by the task queue (django-q2, ``./dev worker``).

The scheduled function path is stored in the database by ``manage setup_schedules``: keep it
stable, and keep the work itself in ``actions``.
"""

from __future__ import annotations

from kenes.decisions.actions import send_instruction_reminders


def send_instruction_reminders_task() -> list[tuple[int, str]]:
    """Reminders to focal points (30 and 7 days before, overdue) and weekly summaries, each sent once
    (scheduled daily); returns (instruction, kind)."""
    return send_instruction_reminders("scheduled task")
