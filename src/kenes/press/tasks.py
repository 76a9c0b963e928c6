"""Background work of the press service (django-q2; schedules in ``kenes.schedules``)."""

from __future__ import annotations

from django.utils import timezone


def publish_due_task() -> int:
    """Publish the scheduled releases whose time has come (every minute)."""
    from kenes.press.actions import publish_due

    return publish_due()


def weekly_digest_task() -> int | None:
    """On Mondays, send the week's review in batches (daily schedule; a repeated run sends nothing twice)."""
    from kenes.press.digest import send_digest

    if timezone.localdate().weekday() != 0:
        return None
    return send_digest().pk
