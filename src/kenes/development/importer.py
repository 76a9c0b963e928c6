"""Import the indicator folder: catalogue.csv, SOURCES.md's caveats and every data CSV.

Each file is read and validated whole before anything is written, then applied in its own
transaction (all or nothing per file) as a difference against what is stored: rows added, rows whose
verbatim value changed, rows gone. A second import of the same folder writes nothing. PostgreSQL
loads through ``COPY``; other databases through batched inserts in the same transaction.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from kenes.audit import log as audit
from kenes.development.entities import ENTITIES, SOURCE_NAMES
from kenes.development.models import Indicator, Observation, Source, Target
from kenes.development.themes import theme_for

DATA_COLUMNS = ["iso3", "country", "year", "indicator", "value", "unit", "source"]
CATALOGUE_COLUMNS = ["file", "source", "indicator", "title", "unit", "sdg_indicator", "definition", "licence"]
YEARS = range(1700, 2101)
BATCH = 2000
BULK_ROWS = 200_000  # from this many new rows on, PostgreSQL loads without the per-row foreign key check
EXAMPLES = 100
MAX_VALUE_TEXT = 40

Key = tuple[int, str, int]  # indicator id, entity, year
Progress = Callable[[str, int], None]  # (file, rows just validated) → None


class IndicatorImportError(Exception):
    """A file failed validation: the message names the file, the line and the column.

    ``message`` is an untranslated msgid with ``params``, so an upload's run can show it later in
    its reader's language (``shown``); ``str()`` is the English the command prints."""

    def __init__(self, file: str, line: int, column: str, message: str, **params: object) -> None:
        self.file, self.line, self.column, self.message, self.params = file, line, column, message, params
        where = f"{file}, line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message % params if params else message}")

    def shown(self) -> str:
        return shown_error(self.file, self.line, self.column, self.message, self.params)


def shown_error(file: str, line: int, column: str, message: str, params: dict[str, object]) -> str:
    """A stored validation error in the active language."""
    text = gettext(message) % params if params else gettext(message)
    if column:
        where = gettext("%(file)s, line %(line)d, column %(column)s") % {"file": file, "line": line, "column": column}
    else:
        where = gettext("%(file)s, line %(line)d") % {"file": file, "line": line}
    return f"{where}: {text}"


@dataclass
class FileResult:
    file: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    # Up to EXAMPLES values that changed or went, then that came (what a vintage's reader checks first):
    # {"indicator", "entity", "year", "before", "after"}, verbatim texts, None for "none".
    examples: list[dict[str, object]] = field(default_factory=list)


@dataclass
class ImportResult:
    files: list[FileResult] = field(default_factory=list)

    def total(self, what: str) -> int:
        return sum(getattr(f, what) for f in self.files)


@dataclass(frozen=True)
class CatalogueRow:
    file: str
    source: str
    code: str
    title: str
    unit: str
    sdg_indicator: str
    definition: str
    licence: str


def _reader(path: Path, expected: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    for line, row in _lines(path, expected):
        yield line, dict(zip(expected, row, strict=True))


def _lines(path: Path, expected: list[str]) -> Iterator[tuple[int, list[str]]]:
    """Each row after the header as a list, with its line number; the header and widths checked."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows, None)
        if header != expected:
            raise IndicatorImportError(
                path.name, 1, "", gettext_noop("expected the columns %(expected)s, got %(header)s"),
                expected=",".join(expected), header=str(header),
            )  # fmt: skip
        for row in rows:
            if len(row) != len(expected):
                raise IndicatorImportError(
                    path.name, rows.line_num, "", gettext_noop("expected %(expected)d fields, got %(got)d"),
                    expected=len(expected), got=len(row),
                )  # fmt: skip
            yield rows.line_num, row


def read_catalogue(directory: Path) -> dict[str, CatalogueRow]:
    path = directory / "catalogue.csv"
    if not path.is_file():
        raise IndicatorImportError("catalogue.csv", 0, "", gettext_noop("there is no catalogue.csv in the folder"))
    rows: dict[str, CatalogueRow] = {}
    for line, r in _reader(path, CATALOGUE_COLUMNS):
        for column in ("file", "source", "indicator", "title", "unit", "licence"):
            if not r[column].strip():
                raise IndicatorImportError(path.name, line, column, gettext_noop("must not be empty"))
        if r["indicator"] in rows:
            raise IndicatorImportError(
                path.name, line, "indicator", gettext_noop("%(code)s is listed twice"), code=repr(r["indicator"])
            )
        if not (directory / r["file"]).is_file():
            raise IndicatorImportError(
                path.name, line, "file", gettext_noop("no file %(missing)s in the folder"), missing=repr(r["file"])
            )
        rows[r["indicator"]] = CatalogueRow(
            r["file"],
            r["source"],
            r["indicator"],
            r["title"],
            r["unit"],
            r["sdg_indicator"],
            r["definition"],
            r["licence"],
        )
    return rows


_CAVEAT = re.compile(r"^- \*\*(?P<name>[^*]+)\*\* \((?P<files>[^)]*)\): (?P<text>.+)$")


def read_caveats(directory: Path) -> dict[str, str]:
    """SOURCES.md's "Licences and caveats" bullets by the file pattern they name (``owid_*.csv``)."""
    path = directory / "SOURCES.md"
    if not path.is_file():
        return {}
    caveats: dict[str, str] = {}
    in_section = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            in_section = line.lower().startswith("## licences and caveats")
            continue
        match = _CAVEAT.match(line) if in_section else None
        if match:
            for pattern in re.findall(r"`([^`]+\.csv)`", match["files"]):
                caveats[pattern] = f"{match['name']}: {match['text']}"
    return caveats


def caveat_for(file: str, caveats: dict[str, str]) -> str:
    return next((text for pattern, text in caveats.items() if fnmatch(file, pattern)), "")


def parse_value(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


@dataclass
class ParsedFile:
    file: str
    sha256: str
    rows: dict[tuple[str, str, int], tuple[float, str]]  # (code, entity, year) → (value, text)
    tags: dict[str, str]  # indicator code → the rows' source tag


def _check_meta(
    name: str, line: int, catalogue: dict[str, CatalogueRow], tags: dict[str, str], code: str, unit: str, tag: str
) -> None:
    """The row's indicator is the file's, in the catalogue's unit, with one tag of its source."""
    entry = catalogue.get(code)
    if entry is None or entry.file != name:
        raise IndicatorImportError(
            name, line, "indicator", gettext_noop("%(code)s is not in catalogue.csv for %(data_file)s"),
            code=repr(code), data_file=name,
        )  # fmt: skip
    if unit != entry.unit:
        raise IndicatorImportError(
            name, line, "unit", gettext_noop("%(given)s differs from the catalogue's %(expected)s"),
            given=repr(unit), expected=repr(entry.unit),
        )  # fmt: skip
    if tag.split("/")[0] != entry.source.split("/")[0]:
        raise IndicatorImportError(
            name, line, "source", gettext_noop("%(tag)s is not a tag of %(source)s"),
            tag=repr(tag), source=repr(entry.source),
        )  # fmt: skip
    if tags.setdefault(code, tag) != tag:
        raise IndicatorImportError(
            name, line, "source", gettext_noop("%(code)s has two source tags (%(first)s, %(second)s)"),
            code=repr(code), first=repr(tags[code]), second=repr(tag),
        )  # fmt: skip


def parse_file(path: Path, catalogue: dict[str, CatalogueRow], progress: Progress | None = None) -> ParsedFile:
    """Validate every row of one data file; raise on the first bad cell, naming it."""
    name = path.name
    rows: dict[tuple[str, str, int], tuple[float, str]] = {}
    tags: dict[str, str] = {}
    pending = 0
    # A million rows is the size this must stay quick for (bench/): rows are unpacked lists, and a
    # pair of names or a (code, unit, tag) already found good is not checked again.
    good_names: set[tuple[str, str]] = set()
    good_meta: set[tuple[str, str, str]] = set()
    for line, (entity, country, year_text, code, text, unit, tag) in _lines(path, DATA_COLUMNS):
        if (entity, country) not in good_names:
            if entity not in ENTITIES:
                raise IndicatorImportError(
                    name, line, "iso3", gettext_noop("unknown entity %(entity)s"), entity=repr(entity)
                )
            if country != SOURCE_NAMES[entity]:
                raise IndicatorImportError(
                    name, line, "country", gettext_noop("%(given)s is not %(expected)s"),
                    given=repr(country), expected=repr(SOURCE_NAMES[entity]),
                )  # fmt: skip
            good_names.add((entity, country))
        if not year_text.isdigit() or int(year_text) not in YEARS:
            raise IndicatorImportError(
                name, line, "year", gettext_noop("%(year)s is not a year between 1700 and 2100"), year=repr(year_text)
            )
        year = int(year_text)
        if (code, unit, tag) not in good_meta:
            _check_meta(name, line, catalogue, tags, code, unit, tag)
            good_meta.add((code, unit, tag))
        value = parse_value(text)
        if value is None or len(text) > MAX_VALUE_TEXT:
            raise IndicatorImportError(name, line, "value", gettext_noop("%(value)s is not a number"), value=repr(text))
        key = (code, entity, year)
        if key in rows:
            raise IndicatorImportError(
                name, line, "year", gettext_noop("a second value for %(code)s %(entity)s %(year)d"),
                code=code, entity=entity, year=year,
            )  # fmt: skip
        rows[key] = (value, text)
        pending += 1
        if progress and pending == 1000:
            progress(name, pending)
            pending = 0
    if progress and pending:
        progress(name, pending)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return ParsedFile(name, digest, rows, tags)


def data_files(directory: Path, catalogue: dict[str, CatalogueRow]) -> list[Path]:
    """Every CSV of the folder but the catalogue; each must be in the catalogue."""
    listed = {row.file for row in catalogue.values()}
    files = sorted(p for p in directory.glob("*.csv") if p.name != "catalogue.csv")
    for path in files:
        if path.name not in listed:
            raise IndicatorImportError(path.name, 0, "", gettext_noop("the file has no indicator in catalogue.csv"))
    return files


def count_rows(path: Path) -> int:
    with path.open("rb") as handle:
        return max(sum(1 for _ in handle) - 1, 0)


def _write(rows: list[tuple[int, str, int, float, str]]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = Observation._meta.db_table
        with connection.cursor() as cursor:
            foreign_key = _drop_foreign_key(cursor, table) if len(rows) >= BULK_ROWS else None
            sql = f"COPY {table} (indicator_id, entity, year, value, value_text) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                # COPY's text format written in blocks: three times quicker than a write_row a row.
                for start in range(0, len(rows), 20_000):
                    copy.write("".join(_copy_line(row) for row in rows[start : start + 20_000]))
            if foreign_key:
                cursor.execute(foreign_key)
        return
    objects = (Observation(indicator_id=i, entity=e, year=y, value=v, value_text=t) for i, e, y, v, t in rows)
    batch: list[Observation] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) == BATCH:
            Observation.objects.bulk_create(batch)
            batch = []
    Observation.objects.bulk_create(batch)


def _drop_foreign_key(cursor: Any, table: str) -> str | None:
    """Drop the observations' foreign key for a bulk load and return the statement that puts it
    back, run after the COPY in the same transaction (PostgreSQL's advice for populating a table):
    one check of the whole table instead of a deferred check a row, about 5 s of a million-row
    import. The drop locks the table until the commit, so readers wait for a large import only."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    found = cursor.fetchall()
    if len(found) != 1:
        return None
    name, definition = found[0]
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks this transaction deferred run now
    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_line(row: tuple[int, str, int, float, str]) -> str:
    indicator, entity, year, value, text = row
    if _COPY_SPECIAL.search(text):  # float() reads "\t1", so the verbatim text may hold one
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return f"{indicator}\t{entity}\t{year}\t{value!r}\t{text}\n"


def apply_file(actor: str, parsed: ParsedFile, catalogue: dict[str, CatalogueRow], caveat: str) -> FileResult:
    """Store one validated file as a difference against the database, in one transaction."""
    entries = [e for e in catalogue.values() if e.file == parsed.file]
    with transaction.atomic():
        source, _created = Source.objects.select_for_update().get_or_create(
            file=parsed.file, defaults={"tag": entries[0].source, "licence": entries[0].licence}
        )
        ids: dict[str, int] = {}
        for entry in entries:
            indicator, _new = Indicator.objects.update_or_create(
                code=entry.code,
                defaults={
                    "source": source,
                    "source_tag": parsed.tags.get(entry.code, entry.source),
                    "title": entry.title,
                    "unit": entry.unit,
                    "sdg_indicator": entry.sdg_indicator,
                    "definition": entry.definition,
                    "licence": entry.licence,
                    "theme": theme_for(entry.code, entry.source),
                },
            )
            ids[entry.code] = indicator.pk
        stored: dict[Key, tuple[int, str]] = {
            (i, e, y): (pk, t)
            for pk, i, e, y, t in Observation.objects.filter(indicator_id__in=list(ids.values())).values_list(
                "pk", "indicator_id", "entity", "year", "value_text"
            )
        }
        wanted = {(ids[c], e, y): vt for (c, e, y), vt in parsed.rows.items()}
        stale = [pk for key, (pk, text) in stored.items() if key not in wanted or wanted[key][1] != text]
        fresh = [(i, e, y, v, t) for (i, e, y), (v, t) in wanted.items() if stored.get((i, e, y), (0, None))[1] != t]
        result = FileResult(parsed.file, rows=len(wanted))
        result.removed = sum(1 for key in stored if key not in wanted)
        result.changed = len(stale) - result.removed
        result.added = len(fresh) - result.changed
        result.examples = _examples(stored, wanted, {pk: code for code, pk in ids.items()})
        for start in range(0, len(stale), 900):  # SQLite's limit on query parameters
            Observation.objects.filter(pk__in=stale[start : start + 900]).delete()
        _write(fresh)
        if stale or fresh or source.sha256 != parsed.sha256:
            _refresh_coverage(list(ids.values()))
            source.tag, source.licence, source.caveat = entries[0].source, entries[0].licence, caveat
            source.sha256, source.imported_at = parsed.sha256, timezone.now()
            source.rows = Observation.objects.filter(indicator__source=source).count()
            source.added, source.changed, source.removed = result.added, result.changed, result.removed
            source.save()
            audit.record(
                actor,
                "development.import",
                source,
                file=parsed.file,
                sha256=parsed.sha256,
                added=result.added,
                changed=result.changed,
                removed=result.removed,
            )
    return result


def _examples(
    stored: dict[Key, tuple[int, str]], wanted: dict[Key, tuple[float, str]], code_of: dict[int, str]
) -> list[dict[str, object]]:
    changed = [(k, stored[k][1], wanted[k][1]) for k in stored if k in wanted and wanted[k][1] != stored[k][1]]
    removed = [(k, stored[k][1], None) for k in stored if k not in wanted]
    # A first import adds every row: its first hundred say nothing a count does not.
    room = max(EXAMPLES - len(changed) - len(removed), 0) if stored else 0
    added = [(k, None, wanted[k][1]) for k in heapq.nsmallest(room, (k for k in wanted if k not in stored))]
    return [
        {"indicator": code_of[k[0]], "entity": k[1], "year": k[2], "before": before, "after": after}
        for k, before, after in (sorted(changed) + sorted(removed))[:EXAMPLES] + added
    ]


def _refresh_coverage(indicator_ids: list[int]) -> None:
    stats = {
        row["indicator_id"]: row
        for row in Observation.objects.filter(indicator_id__in=indicator_ids)
        .values("indicator_id")
        .annotate(lo=Min("year"), hi=Max("year"), n=Count("id"), entities=Count("entity", distinct=True))
    }
    for indicator in Indicator.objects.filter(pk__in=indicator_ids):
        row = stats.get(indicator.pk)
        indicator.year_min = row["lo"] if row else None
        indicator.year_max = row["hi"] if row else None
        indicator.observation_count = row["n"] if row else 0
        indicator.entity_count = row["entities"] if row else 0
        indicator.save(update_fields=["year_min", "year_max", "observation_count", "entity_count"])


def remove_unlisted(actor: str, catalogue: dict[str, CatalogueRow]) -> int:
    """Indicators no longer in the catalogue go, with their observations (a target keeps one: error)."""
    gone = Indicator.objects.exclude(code__in=list(catalogue))
    if not gone.exists():
        return 0
    kept = sorted(Target.objects.filter(indicator__in=gone).values_list("indicator__code", flat=True).distinct())
    if kept:
        raise IndicatorImportError(
            "catalogue.csv", 0, "", gettext_noop("%(codes)s, which targets measure, is no longer in the catalogue"),
            codes=", ".join(kept),
        )  # fmt: skip
    with transaction.atomic():
        count = Observation.objects.filter(indicator__in=gone).count()
        codes = list(gone.values_list("code", flat=True))
        gone.delete()
        audit.record(actor, "development.import_removed", None, indicators=codes, observations=count)
    return count


def import_folder(
    actor: str,
    directory: Path,
    progress: Progress | None = None,
    start: Callable[[list[tuple[str, int]]], None] | None = None,
    prune: bool = True,
    applied: Callable[[FileResult], None] | None = None,
) -> ImportResult:
    """Validate and apply every file of ``directory``; a bad file raises before it changes anything
    (files already applied stay applied: all or nothing per file). Each file replaces the values of
    the indicators its catalogue rows list; with ``prune``, indicators no longer in the catalogue go
    (a partial folder, such as a connector's fetch, passes ``prune=False``)."""
    catalogue = read_catalogue(directory)
    caveats = read_caveats(directory)
    files = data_files(directory, catalogue)
    if start:
        start([(p.name, count_rows(p)) for p in files])
    result = ImportResult()
    for path in files:
        parsed = parse_file(path, catalogue, progress)
        result.files.append(apply_file(actor, parsed, catalogue, caveat_for(path.name, caveats)))
        if applied:
            applied(result.files[-1])
    removed = remove_unlisted(actor, catalogue) if prune else 0
    if removed:
        result.files.append(FileResult("(indicators no longer in the catalogue)", removed=removed))
        if applied:
            applied(result.files[-1])
    return result
