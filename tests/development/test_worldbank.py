"""fetch_indicators --source worldbank against a local HTTP server that replays answers in the World
Bank API v2's own format (no network): paging, aggregates and empty cells skipped, values verbatim,
the same import path (difference counts, audit)."""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import CommandError, call_command

from kenes.development.models import Observation
from tests.development.conftest import INDICATORS_DIR

pytestmark = pytest.mark.django_db

CODE = "SP.POP.TOTL"


def _recorded_pages() -> dict[int, str]:
    """The population series as the API answers it: two pages, numbers as literals, one aggregate
    (EAS) and one null cell that must be skipped, one value revised and one year added."""
    with (INDICATORS_DIR / "wb_wdi.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["indicator"] == CODE]
    items = []
    for r in rows:
        value = "20000001" if (r["iso3"], r["year"]) == ("KAZ", "2024") else r["value"]
        items.append(
            f'{{"indicator":{{"id":"{CODE}","value":"Population, total"}},"country":{{"id":"XX",'
            f'"value":"{r["country"]}"}},"countryiso3code":"{r["iso3"]}","date":"{r["year"]}","value":{value},"unit":"","obs_status":"","decimal":0}}'
        )
    items.append(f'{{"indicator":{{"id":"{CODE}"}},"countryiso3code":"EAS","date":"2020","value":2361000000}}')
    items.append(f'{{"indicator":{{"id":"{CODE}"}},"countryiso3code":"KAZ","date":"1959","value":null}}')
    items.append(f'{{"indicator":{{"id":"{CODE}"}},"countryiso3code":"UZB","date":"2026","value":37500000}}')
    half = len(items) // 2
    pages = {1: items[:half], 2: items[half:]}
    return {
        n: f'[{{"page":{n},"pages":2,"per_page":1000,"total":{len(items)},"sourceid":"2"}},[{",".join(chunk)}]]'
        for n, chunk in pages.items()
    }


@pytest.fixture
def world_bank() -> Iterator[tuple[str, list[str]]]:
    pages = _recorded_pages()
    asked: list[str] = []

    class Replay(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlparse(self.path)
            asked.append(self.path)
            if not url.path.endswith(f"/indicator/{CODE}") or "KAZ;KGZ;TJK;TKM;UZB;RUS;CHN;WLD" not in url.path:
                body = '[{"message":[{"id":"120","key":"Invalid value","value":"The parameter is not valid"}]}]'
            else:
                body = pages[int(parse_qs(url.query)["page"][0])]
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v2", asked
    finally:
        server.shutdown()
        server.server_close()


def test_a_fetch_goes_through_the_import(world_bank: tuple[str, list[str]]) -> None:
    url, asked = world_bank
    others = Observation.objects.exclude(indicator__code=CODE).count()
    out = StringIO()
    call_command("fetch_indicators", "--source", "worldbank", "--base-url", url, "--indicator", CODE, stdout=out)
    assert "worldbank: 1 added, 1 changed, 0 removed" in out.getvalue()
    kaz = dict(Observation.objects.filter(indicator__code=CODE, entity="KAZ").values_list("year", "value_text"))
    assert kaz[2024] == "20000001" and 1959 not in kaz
    assert Observation.objects.get(indicator__code=CODE, entity="UZB", year=2026).value_text == "37500000"
    assert any("page=2" in path for path in asked)
    assert Observation.objects.exclude(indicator__code=CODE).count() == others  # a partial fetch prunes nothing
    assert not Observation.objects.filter(entity="EAS").exists()


def test_an_api_error_is_reported_and_nothing_changes(world_bank: tuple[str, list[str]]) -> None:
    url, _asked = world_bank
    before = Observation.objects.count()
    with pytest.raises(CommandError, match="the API says"):
        call_command(
            "fetch_indicators",
            "--source",
            "worldbank",
            "--base-url",
            url,
            "--indicator",
            "SP.POP.GROW",
            stdout=StringIO(),
        )
    assert Observation.objects.count() == before


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(CommandError, match="not WDI indicators"):
        call_command("fetch_indicators", "--source", "worldbank", "--indicator", "co2_terr", stdout=StringIO())
