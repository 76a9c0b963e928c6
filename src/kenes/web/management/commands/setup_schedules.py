from typing import Any

from django.core.management.base import BaseCommand

from kenes.schedules import setup_schedules


class Command(BaseCommand):
    help = (
        "Create or update the recurring background tasks (silence adoption every minute, cadence "
        "reminders daily) for the task worker (./dev worker). Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for name, outcome in setup_schedules():
            self.stdout.write(f"{outcome:<9} {name}")
