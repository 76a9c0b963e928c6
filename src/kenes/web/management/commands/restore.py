from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes import backups
from kenes.audit import log


class Command(BaseCommand):
    help = "Replace the whole database with a backup made by `backup`, then verify the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the backup file")
        parser.add_argument("--yes", action="store_true", help="do not ask: the current data is replaced")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"] and input("This replaces every row of the database. Type 'restore': ") != "restore":
            raise CommandError("not restored")
        try:
            backups.restore(Path(options["path"]))
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        verdict = log.verify()
        if not verdict.ok:
            raise CommandError(f"restored, but the audit log does not verify: {verdict.message}")
        self.stdout.write(f"restored from {options['path']}; {verdict.message}")
