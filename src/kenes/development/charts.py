"""Vega-Lite specs: one spec per chart, rendered by vega-embed in the page and by vl-convert on the
server (SVG/PNG for the no-JavaScript ``<img>``, downloads and exports).

The numbers in a spec are plain JSON numbers; the reader's language only reaches the labels, through
``config.locale`` (Russian: decimal comma, thin-space thousands), so coordinates never change.
Every spec carries its source and licence in the subtitle, so a rendering is never without them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from kenes.development.entities import C5, COLOURS, PLOTTED, REGION, name
from kenes.development.models import Indicator

VEGA_LITE_VERSION = "6.4"  # vl-convert's bundled version, matching package.json's vega-lite 6.4.x
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH, HEIGHT = 560, 300

LOCALES: dict[str, dict[str, Any]] = {
    "ru": {
        "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0$"]},
    },
    "en": {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]}},
}


@dataclass(frozen=True)
class Point:
    entity: str
    year: int
    value: float
    text: str  # the source's verbatim value


def source_line(indicator: Indicator) -> str:
    return _("Source: %(source)s (%(file)s) · Licence: %(licence)s") % {
        "source": indicator.source_tag,
        "file": indicator.source.file,
        "licence": indicator.licence,
    }


def _colour_scale(entities: list[str]) -> dict[str, Any]:
    # The domain lists the entities present, in fixed order, each with its fixed colour.
    present = [e for e in PLOTTED if e in entities]
    return {"domain": [name(e) for e in present], "range": [COLOURS[e] for e in present]}


def _base(indicator: Indicator, lang: str, title: str | None = None) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "title": {
            "text": title or indicator.title,
            "subtitle": source_line(indicator),
            "anchor": "start",
            "subtitleFontSize": 10,
        },
        "width": WIDTH,
        "height": HEIGHT,
        "background": "white",
        "config": {"locale": LOCALES.get(lang, LOCALES["en"]), "font": "DejaVu Sans, sans-serif"},
        "usermeta": {"indicator": indicator.code},
    }


def _rows(points: list[Point]) -> list[dict[str, Any]]:
    return [{"entity": p.entity, "year": p.year, "value": p.value} for p in points]


def _names(entities: set[str] | list[str]) -> dict[str, Any]:
    """A transform that adds each row's entity name and group from one small table, so the rows
    carry only the entity code (a Russian name escaped in the page's JSON costs 6 bytes a letter)."""
    table = [{"entity": e, "name": name(e), "group": _group(e)} for e in PLOTTED if e in set(entities)]
    return {"lookup": "entity", "from": {"data": {"values": table}, "key": "entity", "fields": ["name", "group"]}}


def _group(entity: str) -> str:
    if entity == REGION:
        return _("computed by Kenes")
    return _("Central Asia") if entity in C5 else _("comparison")


def line_spec(
    indicator: Indicator,
    points: list[Point],
    lang: str,
    targets: list[tuple[int, float, str]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """C5 states against RUS, CHN and the World over the years; a target as a dashed rule and mark."""
    spec = _base(indicator, lang)
    entities = sorted({p.entity for p in points})
    line = {
        "mark": {"type": "line", "point": {"size": 18}, "strokeWidth": 2},
        "encoding": {
            "x": {
                "field": "year",
                "type": "quantitative",
                "title": _("Year"),
                "axis": {"format": "d", "tickMinStep": 1},
                "scale": {"zero": False},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": indicator.unit,
                "axis": {"format": "~s"} if _large(points) else {"format": ",~r"},
            },
            "color": {
                "field": "name",
                "type": "nominal",
                "title": None,
                "scale": _colour_scale(entities),
                "legend": {"orient": "bottom", "columns": 4},
            },
            "strokeDash": {
                "field": "group",
                "type": "nominal",
                "title": None,
                "scale": {
                    "domain": [_("Central Asia"), _("comparison"), _("computed by Kenes")],
                    "range": [[1, 0], [5, 3], [1, 3]],
                },
                "legend": None,
            },
            "tooltip": [
                {"field": "name", "title": _("Entity")},
                {"field": "year", "title": _("Year")},
                {"field": "value", "title": indicator.unit, "format": ",~r"},
            ],
        },
        "data": {"values": _rows(points)},
        "transform": [_names(entities)],
    }
    if not targets:
        spec.update(line)
        return spec
    marks = [{"year": year, "value": value, "label": label} for year, value, label in targets]
    spec["layer"] = [
        line,
        {
            "data": {"values": marks},
            "mark": {"type": "rule", "strokeDash": [2, 2], "color": "#444"},
            "encoding": {"y": {"field": "value", "type": "quantitative"}},
        },
        {
            "data": {"values": marks},
            "mark": {"type": "point", "shape": "diamond", "size": 90, "filled": True, "color": "#444"},
            "encoding": {
                "x": {"field": "year", "type": "quantitative"},
                "y": {"field": "value", "type": "quantitative"},
                "tooltip": [{"field": "label", "title": _("Target")}],
            },
        },
    ]
    return spec


PANEL_WIDTH, PANEL_HEIGHT, PANEL_COLUMNS = 150, 100, 4


def panels_spec(
    indicator: Indicator,
    points: list[Point],
    lang: str,
    targets: list[tuple[str, int, float, str]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    """Small multiples: a panel per entity on one shared scale, so a state's own path is not lost
    among the others; a target (entity, year, value, label) as a dashed rule in its state's panel."""
    spec = _base(indicator, lang)
    del spec["width"], spec["height"]
    entities = [e for e in PLOTTED if e in {p.entity for p in points}]
    rows = _rows(points) + [
        {"entity": e, "target": value, "target_year": year, "label": label} for e, year, value, label in targets
    ]
    y_axis = {"format": "~s"} if _large(points) else {"format": ",~r"}
    spec.update(
        {
            "data": {"values": rows},
            "transform": [_names(entities)],
            "columns": PANEL_COLUMNS,
            "facet": {
                "field": "name",
                "type": "nominal",
                "title": None,
                "sort": [name(e) for e in entities],
                "header": {"labelFontSize": 12, "labelFontWeight": "bold"},
            },
            "spec": {
                "width": PANEL_WIDTH,
                "height": PANEL_HEIGHT,
                "layer": [
                    {
                        "transform": [{"filter": "isValid(datum.value)"}],
                        "mark": {"type": "line", "strokeWidth": 2},
                        "encoding": {
                            "x": {
                                "field": "year",
                                "type": "quantitative",
                                "title": None,
                                "axis": {"format": "d", "tickCount": 3},
                                "scale": {"zero": False},
                            },
                            "y": {"field": "value", "type": "quantitative", "title": indicator.unit, "axis": y_axis},
                            "color": {
                                "field": "name",
                                "type": "nominal",
                                "scale": _colour_scale(entities),
                                "legend": None,
                            },
                            "tooltip": [
                                {"field": "name", "title": _("Entity")},
                                {"field": "year", "title": _("Year")},
                                {"field": "value", "title": indicator.unit, "format": ",~r"},
                            ],
                        },
                    },
                    {
                        "transform": [{"filter": "isValid(datum.target)"}],
                        "mark": {"type": "rule", "strokeDash": [2, 2], "color": "#444"},
                        "encoding": {
                            "y": {"field": "target", "type": "quantitative"},
                            "tooltip": [{"field": "label", "title": _("Target")}],
                        },
                    },
                ],
            },
            "resolve": {"scale": {"y": "shared", "x": "shared"}},
        }
    )
    return spec


def _large(points: list[Point]) -> bool:
    return any(abs(p.value) >= 1e6 for p in points)


def latest_year(points: list[Point]) -> int | None:
    """The most recent year with values for at least half the entities that have any."""
    by_year: dict[int, int] = {}
    for p in points:
        by_year[p.year] = by_year.get(p.year, 0) + 1
    entities = len({p.entity for p in points})
    years = [y for y, n in by_year.items() if n * 2 >= entities]
    return max(years) if years else None


def ranking_points(points: list[Point]) -> list[Point]:
    year = latest_year(points)
    return sorted((p for p in points if p.year == year), key=lambda p: -p.value)


def ranking_spec(indicator: Indicator, points: list[Point], lang: str) -> dict[str, Any]:
    """A bar per entity for the latest year most entities report (``ranking_points``)."""
    chosen = ranking_points(points)
    year = chosen[0].year if chosen else ""
    spec = _base(indicator, lang, title=f"{indicator.title}, {year}")
    spec.update(
        {
            "height": max(24 * len(chosen), 60),
            "data": {"values": _rows(chosen)},
            "transform": [_names({p.entity for p in chosen})],
            "mark": {"type": "bar"},
            "encoding": {
                "y": {"field": "name", "type": "nominal", "sort": "-x", "title": None},
                "x": {"field": "value", "type": "quantitative", "title": indicator.unit},
                "color": {
                    "field": "name",
                    "type": "nominal",
                    "scale": _colour_scale([p.entity for p in chosen]),
                    "legend": None,
                },
                "tooltip": [
                    {"field": "name", "title": _("Entity")},
                    {"field": "value", "title": indicator.unit, "format": ",~r"},
                ],
            },
        }
    )
    return spec


def scatter_spec(x: Indicator, y: Indicator, rows: list[tuple[str, int, float, float]], lang: str) -> dict[str, Any]:
    """Two indicators for one year, a point per entity; ``rows``: (entity, year, x value, y value)."""
    spec = _base(x, lang, title=f"{y.title} × {x.title}")
    spec["title"]["subtitle"] = [source_line(x), source_line(y)]
    values = [{"entity": e, "name": name(e), "year": yr, "x": xv, "y": yv} for e, yr, xv, yv in rows]
    encoding = {
        "x": {"field": "x", "type": "quantitative", "title": x.unit, "scale": {"zero": False}},
        "y": {"field": "y", "type": "quantitative", "title": y.unit, "scale": {"zero": False}},
    }
    spec.update(
        {
            "data": {"values": values},
            "layer": [
                {
                    "mark": {"type": "point", "filled": True, "size": 90},
                    "encoding": {
                        **encoding,
                        "color": {
                            "field": "name",
                            "type": "nominal",
                            "title": None,
                            "scale": _colour_scale([r[0] for r in rows]),
                            "legend": {"orient": "bottom"},
                        },
                        "tooltip": [
                            {"field": "name", "title": _("Entity")},
                            {"field": "year", "title": _("Year")},
                            {"field": "x", "title": x.unit, "format": ",~r"},
                            {"field": "y", "title": y.unit, "format": ",~r"},
                        ],
                    },
                },
                {
                    "mark": {"type": "text", "dx": 8, "align": "left"},
                    "encoding": {**encoding, "text": {"field": "name"}},
                },
            ],
        }
    )
    return spec


def _key(spec: dict[str, Any], fmt: str) -> str:
    blob = json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()
    return f"kenes:chart:{fmt}:{hashlib.sha256(blob).hexdigest()}"


def render(spec: dict[str, Any], fmt: str) -> bytes:
    """SVG or PNG of ``spec`` from vl-convert, cached by the spec's hash (a render costs ~30 ms)."""
    import vl_convert

    key = _key(spec, fmt)
    cached = cache.get(key)
    if cached is not None:
        return bytes(cached)
    if fmt == "svg":
        out = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION).encode()
    else:
        out = bytes(vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION, scale=2))
    cache.set(key, out, 24 * 3600)
    return out
