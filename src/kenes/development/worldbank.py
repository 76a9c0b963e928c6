"""A connector for fresh WDI data: the World Bank API v2 (plain HTTP, JSON), written as a folder in
the import's own format and loaded through ``importer.import_folder`` — the same validation, the
same difference, the same audit. Values keep the API's number literals verbatim."""

from __future__ import annotations

import csv
import json
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kenes.development.entities import ENTITIES, SOURCE_NAMES
from kenes.development.importer import CATALOGUE_COLUMNS, DATA_COLUMNS, ImportResult, import_folder
from kenes.development.models import Indicator

BASE_URL = "https://api.worldbank.org/v2"
FILE = "wb_wdi.csv"
PER_PAGE = 1000
TIMEOUT = 30


class FetchError(Exception):
    pass


def _get(url: str) -> Any:
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"not an http(s) address: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "Kenes indicator connector"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (scheme checked above)
        # parse_float/parse_int keep each number as the API wrote it (the import keeps text verbatim)
        return json.loads(response.read().decode("utf-8"), parse_float=str, parse_int=str)


def series(base_url: str, code: str) -> Iterator[dict[str, Any]]:
    """Every row of one indicator for the eight entities, page by page."""
    countries = ";".join(ENTITIES)
    page, pages = 1, 1
    while page <= pages:
        query = urllib.parse.urlencode({"format": "json", "per_page": PER_PAGE, "page": page})
        url = f"{base_url.rstrip('/')}/country/{countries}/indicator/{urllib.parse.quote(code)}?{query}"
        body = _get(url)
        if not isinstance(body, list) or not body or not isinstance(body[0], dict):
            raise FetchError(f"{code}: unexpected answer from {url}")
        if "message" in body[0]:
            raise FetchError(f"{code}: the API says {body[0]['message']}")
        pages = int(body[0].get("pages") or 1)
        if len(body) > 1 and body[1]:
            yield from body[1]
        page += 1


def write_folder(directory: Path, indicators: list[Indicator], base_url: str) -> int:
    """catalogue.csv (the stored catalogue rows) and wb_wdi.csv (the fetched values)."""
    rows = 0
    with (directory / "catalogue.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CATALOGUE_COLUMNS)
        for i in indicators:
            writer.writerow([FILE, i.source.tag, i.code, i.title, i.unit, i.sdg_indicator, i.definition, i.licence])
    with (directory / FILE).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(DATA_COLUMNS)
        for i in indicators:
            for r in series(base_url, i.code):
                iso3, value = r.get("countryiso3code"), r.get("value")
                if iso3 not in ENTITIES or value is None:
                    continue  # aggregates the query did not ask for; empty cells (no value in the source)
                writer.writerow([iso3, SOURCE_NAMES[iso3], r["date"], i.code, value, i.unit, i.source_tag])
                rows += 1
    return rows


def fetch(actor: str, base_url: str = BASE_URL, codes: list[str] | None = None) -> ImportResult:
    indicators = list(Indicator.objects.select_related("source").filter(source__file=FILE).order_by("code"))
    if codes:
        unknown = set(codes) - {i.code for i in indicators}
        if unknown:
            raise FetchError(f"not WDI indicators of the catalogue: {', '.join(sorted(unknown))}")
        indicators = [i for i in indicators if i.code in codes]
    if not indicators:
        raise FetchError("no WDI indicator is loaded: run import_indicators on the folder first")
    with tempfile.TemporaryDirectory(prefix="kenes-wdi-") as tmp:
        write_folder(Path(tmp), indicators, base_url)
        return import_folder(actor, Path(tmp), prune=False)
