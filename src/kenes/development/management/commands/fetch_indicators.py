from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kenes.development.importer import IndicatorImportError
from kenes.development.worldbank import BASE_URL, FetchError, fetch


class Command(BaseCommand):
    help = "Fetch fresh values of the catalogue's WDI indicators from the World Bank API and import them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=["worldbank"], required=True)
        parser.add_argument("--base-url", default=BASE_URL, help="the API's address (a test points it elsewhere)")
        parser.add_argument("--indicator", action="append", default=[], help="only this code (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = fetch("fetch_indicators", options["base_url"], options["indicator"])
        except (FetchError, OSError, ValueError) as exc:
            raise CommandError(f"nothing fetched: {exc}") from exc
        except IndicatorImportError as exc:
            raise CommandError(f"the fetched data was refused, nothing changed: {exc}") from exc
        self.stdout.write(
            f"worldbank: {result.total('added')} added, {result.total('changed')} changed, "
            f"{result.total('removed')} removed"
        )
