from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kenes.development.importer import IndicatorImportError, import_folder


class Command(BaseCommand):
    help = "Validate and load the indicator folder (catalogue.csv and every data CSV); all or nothing per file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the folder that holds catalogue.csv and the data files")

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"no folder {directory}")
        quiet = options["verbosity"] == 0
        # rich draws the bar only on a terminal; on a pipe or in a log it prints the summary alone.
        console = Console(file=cast(IO[str], self.stdout), stderr=False)
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=quiet,
            transient=False,
        )
        tasks: dict[str, Any] = {}

        def start(files: list[tuple[str, int]]) -> None:
            for name, rows in files:
                tasks[name] = bar.add_task(name, total=rows)

        def advance(name: str, rows: int) -> None:
            bar.advance(tasks[name], rows)

        try:
            with bar:
                result = import_folder("import_indicators", directory, progress=advance, start=start)
        except IndicatorImportError as exc:
            raise CommandError(f"indicators not loaded from that file, nothing of it changed: {exc}") from exc
        if quiet:
            return
        for f in result.files:
            self.stdout.write(f"  {f.file}: {f.rows} rows, {f.added} added, {f.changed} changed, {f.removed} removed")
        self.stdout.write(
            f"indicators: {result.total('rows')} observations, {result.total('added')} added, "
            f"{result.total('changed')} changed, {result.total('removed')} removed"
        )
