from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.states.reference import ReferenceError, load_reference


class Command(BaseCommand):
    help = "Load the real mechanism facts (states, participation, formats, meetings, documents) from DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the folder that holds states.csv, meetings.csv, …")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_reference("load_reference", options["directory"])
        except ReferenceError as exc:
            raise CommandError("reference data not loaded, nothing changed:\n  " + "\n  ".join(exc.errors)) from exc
        self.stdout.write("loaded " + ", ".join(f"{n} {what}" for what, n in counts.items()))
