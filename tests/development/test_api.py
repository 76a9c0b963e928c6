"""The indicator API: the catalogue, observations verbatim (JSON pages and CSV), targets with
computed progress; refusals as JSON errors."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from tests.development.conftest import INDICATORS_DIR

pytestmark = pytest.mark.django_db


def _token_client(account: Any) -> Client:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_every_value_round_trips_verbatim_through_the_api(client: Client) -> None:
    served: dict[tuple[str, str, int], tuple[float, str, str]] = {}
    url: str | None = "/api/v1/observations?page_size=5000"
    while url:
        body = client.get(url).json()
        served.update(
            {
                (r["indicator"], r["entity"], r["year"]): (r["value"], r["value_text"], r["licence"])
                for r in body["results"]
            }
        )
        url = body["next"]
    files = 0
    for path in sorted(INDICATORS_DIR.glob("*.csv")):
        if path.name == "catalogue.csv":
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                value, text, licence = served.pop((row["indicator"], row["iso3"], int(row["year"])))
                assert text == row["value"] and value == float(row["value"]) and licence
                files += 1
    assert files == 51432 and not served


def test_observations_filter_and_csv(client: Client) -> None:
    body = client.get(
        "/api/v1/observations", {"indicator": "SP.POP.TOTL", "entity": "KAZ", "from": 2000, "to": 2009}
    ).json()
    assert body["count"] == 10 and [r["year"] for r in body["results"]] == list(range(2000, 2010))
    assert body["results"][0]["source"] == "WB-WDI" and body["results"][0]["licence"] == "CC BY 4.0 (World Bank)"
    response = client.get(
        "/api/v1/observations", {"indicator": "SP.POP.TOTL", "entity": "KAZ", "from": 2000, "to": 2009, "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["value"] for r in rows] == [r["value_text"] for r in body["results"]]


def test_pagination_links_the_next_page(client: Client) -> None:
    first = client.get("/api/v1/observations", {"indicator": "SP.POP.TOTL", "page_size": 100}).json()
    assert first["count"] == 528 and len(first["results"]) == 100 and "page=2" in first["next"]
    last = client.get("/api/v1/observations", {"indicator": "SP.POP.TOTL", "page_size": 100, "page": 6}).json()
    assert len(last["results"]) == 28 and last["next"] is None


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"entity": "XYZ"}, 400, "entity"),
        ({"format": "xml"}, 400, "format"),
        ({"indicator": "NO.SUCH"}, 404, None),
        ({"from": "1200"}, 422, None),
        ({"page_size": "100000"}, 422, None),
    ],
)
def test_bad_observation_queries_are_json_errors(
    client: Client, params: dict[str, str], status: int, field: str | None
) -> None:
    response = client.get("/api/v1/observations", params, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == status
    body = response.json()
    assert "detail" in body and body.get("field") == field
    if status == 400:
        assert "нет" in body["detail"] or "json" in body["detail"]


def test_indicator_list_and_detail(client: Client) -> None:
    water = client.get("/api/v1/indicators", {"goal": 6}).json()
    assert {i["code"] for i in water} == {"SH_H2O_SAFE", "EN_WBE_PMPR", "EN_WBE_PMNR", "ER_H2O_STRESS", "ER_H2O_WUEYST"}
    detail = client.get("/api/v1/indicators/Electricity from coal").json()
    assert detail["source"] == "OWID-ELEC" and "BP" in detail["licence"] and detail["caveat"]
    assert client.get("/api/v1/indicators/NO.SUCH").status_code == 404
    assert client.get("/api/v1/indicators", {"theme": "magic"}).status_code == 400
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/indicators", "/api/v1/observations", "/api/v1/targets"} <= set(schema["paths"])
