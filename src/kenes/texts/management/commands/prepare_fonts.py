from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kenes.texts.pdf import font_files


class Command(BaseCommand):
    help = "Cut the static Noto Sans files the PDF exports use (once per install), so no request waits for it."

    def handle(self, *args: Any, **options: Any) -> None:
        files = font_files()
        self.stdout.write("fonts ready: " + ", ".join(str(path) for path in files.values()))
