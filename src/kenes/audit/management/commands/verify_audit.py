from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kenes.audit.log import verify


class Command(BaseCommand):
    help = "Check that the audit log's hash chain is unbroken; exits non-zero naming the first bad event."

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify()
        if not verdict.ok:
            where = f" at event #{verdict.first_bad_seq}" if verdict.first_bad_seq is not None else ""
            raise CommandError(f"AUDIT LOG BROKEN{where}: {verdict.message}")
        self.stdout.write(verdict.message)
