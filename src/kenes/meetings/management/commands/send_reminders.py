import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kenes.meetings.actions import send_cadence_reminders


class Command(BaseCommand):
    help = "Send the cadence reminders due today (60, 30, 7 days before a meeting is due, and overdue). Run daily."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, help="pretend today is this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_cadence_reminders("send_reminders", options["today"])
        for code, kind in sent:
            self.stdout.write(f"{code}: {kind}")
        self.stdout.write(f"{len(sent)} reminder(s) sent")
