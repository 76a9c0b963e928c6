"""The dashboard's pages and chart files: one spec for browser and server, the CSV of exactly the
plotted points, the source on every rendering, the cookie-less embed, 400s in the reader's language."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kenes.development.models import Observation

pytestmark = pytest.mark.django_db

GDP = "NY.GDP.PCAP.PP.CD"


def _get(client: Client, url: str, lang: str = "en", **params: Any) -> Any:
    return client.get(url, params, HTTP_ACCEPT_LANGUAGE=lang)


def test_dashboard_shows_the_headline_charts_with_their_sources(client: Client) -> None:
    from django.core.cache import cache

    cache.clear()
    response = _get(client, "/development/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en">GDP per capita, PPP (current international $)</a>' in html
    assert "CC BY 4.0 (World Bank)" in html
    assert '<noscript><img src="/development/charts/line/NY.GDP.PCAP.PP.CD.svg?lang=en"' in html
    assert 'id="chart-line-NY-GDP-PCAP-PP-CD-spec" type="application/json"' in html


def test_dashboard_query_count_does_not_grow_with_the_data(client: Client) -> None:
    from django.core.cache import cache

    _get(client, "/development/")
    with CaptureQueriesContext(connection) as cached:
        _get(client, "/development/")
    cache.clear()  # measure the build, not the cached fragment
    with CaptureQueriesContext(connection) as first:
        _get(client, "/development/")
    Observation.objects.filter(indicator__code=GDP, entity="KAZ").delete()
    cache.clear()
    with CaptureQueriesContext(connection) as second:
        _get(client, "/development/")
    assert len(first) == len(second) <= 12
    assert len(cached) < len(first)


def test_the_catalogue_filters_by_theme_goal_and_name(client: Client) -> None:
    html = _get(client, "/development/indicators/", goal="6").content.decode()
    assert "ER_H2O_STRESS" in html and "NY.GDP.MKTP.CD" not in html
    html = _get(client, "/development/indicators/", q="freshwater withdrawals").content.decode()
    assert "ER.H2O.FWTL.K3" in html and "SP.POP.TOTL" not in html
    html = _get(client, "/development/indicators/", theme="education").content.decode()
    assert "SE.TER.ENRR" in html and "EG.FEC.RNEW.ZS" not in html


@pytest.mark.parametrize(
    ("params", "message"), [({"goal": "18"}, "от 1 до 17"), ({"theme": "magic"}, "Такой темы нет")]
)
def test_bad_catalogue_input_is_a_400_in_the_readers_language(
    client: Client, params: dict[str, str], message: str
) -> None:
    response = _get(client, "/development/indicators/", lang="ru", **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_unknown_indicator_and_format_are_404(client: Client) -> None:
    assert _get(client, "/development/indicators/NO.SUCH/").status_code == 404
    assert _get(client, f"/development/charts/line/{GDP}.gif").status_code == 404
    assert _get(client, f"/development/charts/pie/{GDP}.svg").status_code == 404
    assert _get(client, "/development/embed/line/NO.SUCH/").status_code == 404


def test_indicator_page_shows_definition_licence_caveat_and_coverage(client: Client) -> None:
    html = _get(client, "/development/indicators/Electricity from coal/").content.decode()
    assert '<h1 lang="en">Electricity from coal</h1>' in html
    assert "BP terms: caveat" in html and "Our World in Data" in html
    assert "1985–2021" in html


def _spec_points(client: Client, kind: str, code: str) -> list[dict[str, Any]]:
    spec = json.loads(_get(client, f"/development/charts/{kind}/{code}.json").content)
    data = spec["layer"][0]["data"] if "layer" in spec else spec["data"]
    return [p for p in data["values"] if "value" in p]  # small multiples carry their target rules too


@pytest.mark.parametrize("kind", ["line", "panels", "ranking"])
def test_the_csv_is_exactly_the_plotted_points(client: Client, kind: str) -> None:
    plotted = {(p["entity"], p["year"], p["value"]) for p in _spec_points(client, kind, GDP)}
    response = _get(client, f"/development/charts/{kind}/{GDP}.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {(r["entity"], int(r["year"]), float(r["value"])) for r in rows} == plotted
    assert len(rows) == len(plotted) > 0
    assert all(r["licence"] == "CC BY 4.0 (World Bank)" for r in rows)


def test_the_server_svg_carries_title_and_source(client: Client) -> None:
    response = _get(client, f"/development/charts/line/{GDP}.svg")
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "GDP per capita, PPP (current international $)" in svg
    assert "Source: WB-WDI (wb_wdi.csv)" in svg and "CC BY 4.0 (World Bank)" in svg


def test_russian_labels_use_the_decimal_comma_but_coordinates_do_not(client: Client) -> None:
    spec = json.loads(client.get("/development/charts/line/hdi_human_development_index.json?lang=ru").content)
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    values = spec["data"]["values"]
    assert all(isinstance(v["value"], float) for v in values)
    svg = client.get("/development/charts/line/hdi_human_development_index.svg?lang=ru").content.decode()
    assert "Источник" in svg and "Год" in svg
    assert re.search(r">0,\d+</text>", svg) and not re.search(r">0\.\d+</text>", svg)  # HDI ticks: 0,5 …
    assert 'd="M' in svg


def test_small_multiples_a_panel_per_entity_on_one_scale(client: Client) -> None:
    spec = json.loads(_get(client, f"/development/charts/panels/{GDP}.json").content)
    assert spec["facet"]["field"] == "name" and spec["resolve"]["scale"]["y"] == "shared"
    # The panels in the fixed order of every chart: the five states, then Russia, China, the World.
    assert spec["facet"]["sort"] == [
        "Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan", "Russia", "China", "World"
    ]  # fmt: skip
    svg = _get(client, f"/development/charts/panels/{GDP}.svg").content.decode()
    assert svg.count('d="M') >= 8 and ">Uzbekistan</text>" in svg and "Source: WB-WDI" in svg
    html = _get(client, f"/development/indicators/{GDP}/").content.decode()
    assert 'id="chart-panels-NY-GDP-PCAP-PP-CD"' in html and "/development/charts/panels/" in html
    assert _get(client, f"/development/embed/panels/{GDP}/").status_code == 200


def test_png_download(client: Client) -> None:
    response = _get(client, f"/development/charts/ranking/{GDP}.png")
    assert response.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_embed_sets_no_cookie_and_may_be_framed(client: Client) -> None:
    response = _get(client, f"/development/embed/line/{GDP}/", lang="en")
    assert response.status_code == 200
    assert not response.cookies
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "csrfmiddlewaretoken" not in response.content.decode()


def test_compare_view_pairs_two_indicators_for_one_year(client: Client) -> None:
    response = _get(client, "/development/compare/", x=GDP, y="co2_pcap_terr", year="2020")
    assert response.status_code == 200
    csv_text = _get(client, "/development/compare/chart.csv", x=GDP, y="co2_pcap_terr", year="2020").content.decode()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    spec = json.loads(_get(client, "/development/compare/chart.json", x=GDP, y="co2_pcap_terr", year="2020").content)
    plotted = {(v["entity"], v["x"], v["y"]) for v in spec["data"]["values"]}
    assert {(r["entity"], float(r[GDP]), float(r["co2_pcap_terr"])) for r in rows} == plotted
    assert len(plotted) >= 5
    assert _get(client, "/development/compare/", x=GDP, y="co2_pcap_terr", year="20x0").status_code == 400
    assert _get(client, "/development/compare/", x="NO.SUCH").status_code == 404


def test_a_regional_sum_only_where_sound_and_labelled(client: Client) -> None:
    rows = list(csv.DictReader(io.StringIO(_get(client, "/development/charts/line/SP.POP.TOTL.csv").content.decode())))
    region = {int(r["year"]): r for r in rows if r["entity"] == "C5"}
    by_state = {
        (r["entity"], int(r["year"])): int(r["value"])
        for r in rows
        if r["entity"] in ("KAZ", "KGZ", "TJK", "TKM", "UZB")
    }
    assert int(float(region[2020]["value"])) == sum(by_state[(e, 2020)] for e in ("KAZ", "KGZ", "TJK", "TKM", "UZB"))
    assert region[2020]["source"].startswith("computed by Kenes")
    html = _get(client, "/development/indicators/SP.POP.TOTL/").content.decode()
    assert "computed by Kenes, not by the source" in html
    # a share has no regional figure
    shares = _get(client, "/development/charts/line/SP.URB.TOTL.IN.ZS.csv").content.decode()
    assert ",C5," not in shares
    # years where a state lacks a value have none: Gini has gaps
    assert ",C5," not in _get(client, "/development/charts/line/SI.POV.GINI.csv").content.decode()
