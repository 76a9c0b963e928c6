"""``manage press_reports FILE…``: read delivery reports (DSN) and complaints (ARF) saved as
.eml files (or one message on stdin, ``-``) and update the suppression list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from kenes.press.subscriptions import parse_report, record_bounce


class Command(BaseCommand):
    help = "Record bounces and complaints from DSN/ARF messages and update the suppression list."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", help="message files, or - for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        suppressed = found = 0
        for name in options["files"]:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
            for address, kind in parse_report(raw):
                found += 1
                suppressed += record_bounce(address, kind)
        self.stdout.write(f"{found} reports, {suppressed} addresses suppressed")
