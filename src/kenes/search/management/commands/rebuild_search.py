from typing import Any

from django.core.management.base import BaseCommand

from kenes.search.index import rebuild


class Command(BaseCommand):
    help = "Write the search index again from every object (after a bulk load or a restore)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{rebuild()} objects indexed")
