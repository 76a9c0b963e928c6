import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kenes.decisions.actions import send_instruction_reminders


class Command(BaseCommand):
    help = (
        "Remind focal points of instructions due in 30 and 7 days and overdue (once each), and send each "
        "focal point one weekly summary. Run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, help="pretend today is this day (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_instruction_reminders("send_instruction_reminders", options["today"])
        for pk, kind in sent:
            self.stdout.write(f"instruction {pk}: {kind}" if pk else kind)
        self.stdout.write(f"{len(sent)} reminder(s) and summaries sent")
