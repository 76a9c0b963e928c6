"""``manage load_press``: releases of the reference data's held meetings, and the demo releases."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kenes.press.importer import load_demo_releases, load_reference_releases


class Command(BaseCommand):
    help = "Publish a release for every held meeting of the reference data, and load the fictional demo releases."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-demo", action="store_true", help="Only the reference releases.")

    def handle(self, *args: Any, **options: Any) -> None:
        made = load_reference_releases()
        demo = 0 if options["no_demo"] else load_demo_releases()
        if options["verbosity"]:
            self.stdout.write(f"press: {made} reference releases, {demo} demo releases created")
