from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from kenes import backups


class Command(BaseCommand):
    help = "Back the whole database up to one file (pg_dump on PostgreSQL, the online backup API on SQLite)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="the file to write (default: var/backups/kenes-<time>.backup)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        path = Path(options["path"] or Path(settings.VAR_DIR) / "backups" / f"kenes-{stamp}.backup")
        try:
            written = backups.backup(path)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written to {written} ({written.stat().st_size} bytes)")
