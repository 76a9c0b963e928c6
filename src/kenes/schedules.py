"""The recurring background tasks, written to django-q2's ``Schedule`` table by
``manage setup_schedules`` (idempotent: run it on every deploy, ``./dev worker`` and ``./dev demo``
do)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone


@dataclass(frozen=True)
class Recurring:
    name: str
    func: str
    schedule_type: str  # a django_q.models.Schedule type: "I" (every N minutes), "D" (daily)
    minutes: int | None = None
    daily_at: dt.time | None = None  # local time (settings.TIME_ZONE) of the first daily run


SCHEDULES = (
    Recurring("kenes: adopt texts whose silence has ended", "kenes.texts.tasks.adopt_due_silences_task", "I",
              minutes=1),
    Recurring("kenes: cadence reminders", "kenes.meetings.tasks.send_cadence_reminders_task", "D",
              daily_at=dt.time(6, 15)),
    Recurring("kenes: instruction reminders and weekly summaries",
              "kenes.decisions.tasks.send_instruction_reminders_task", "D", daily_at=dt.time(6, 30)),
    Recurring("kenes: deliver live events that wait in the outbox", "kenes.live.tasks.drain_outbox_task", "I",
              minutes=1),
    Recurring("kenes: publish scheduled releases", "kenes.press.tasks.publish_due_task", "I", minutes=1),
    Recurring("kenes: weekly review (Mondays)", "kenes.press.tasks.weekly_digest_task", "D",
              daily_at=dt.time(7, 0)),
    Recurring("kenes: the daily e-mail of notices", "kenes.people.tasks.send_daily_mails_task", "D",
              daily_at=dt.time(7, 30)),
)  # fmt: skip


def _first_run(item: Recurring, now: dt.datetime) -> dt.datetime:
    if item.daily_at is None:
        return now
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone)
    run = dt.datetime.combine(local.date(), item.daily_at, tzinfo=zone)
    if run <= local:
        run += dt.timedelta(days=1)
    return run


def setup_schedules(now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """Create or update each schedule by name; ``[(name, "created" | "updated" | "unchanged")]``.

    An existing schedule keeps its ``next_run``, so re-running this never skips or repeats a run.
    """
    from django_q.models import Schedule

    now = now or timezone.now()
    report = []
    with transaction.atomic():
        for item in SCHEDULES:
            wanted: dict[str, Any] = {
                "func": item.func,
                "schedule_type": item.schedule_type,
                "minutes": item.minutes,
                "repeats": -1,
                "args": None,
                "kwargs": None,
                "hook": None,
            }
            rows = list(Schedule.objects.select_for_update().filter(name=item.name).order_by("pk"))
            for extra in rows[1:]:  # a copy made by hand in an earlier release
                extra.delete()
            if not rows:
                Schedule.objects.create(name=item.name, next_run=_first_run(item, now), **wanted)
                report.append((item.name, "created"))
                continue
            row = rows[0]
            changed = [field for field, value in wanted.items() if getattr(row, field) != value]
            for field in changed:
                setattr(row, field, wanted[field])
            if row.next_run is None:
                row.next_run = _first_run(item, now)
                changed.append("next_run")
            if changed:
                row.save(update_fields=changed)
            report.append((item.name, "updated" if changed or len(rows) > 1 else "unchanged"))
    return report
