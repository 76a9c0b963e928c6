"""Reads of the indicator data for pages and the API (public facts: no access policy applies);
targets are read with their decision or instruction through the policy (``targets_for``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from kenes.development.charts import Point
from kenes.development.entities import C5, ENTITIES, PLOTTED, REGION
from kenes.development.models import Indicator, Observation, Target
from kenes.development.themes import THEMES

MAX_QUERY = 100


def indicators() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("source")


def catalogue(q: str = "", theme: str = "", goal: int | None = None) -> list[Indicator]:
    """The catalogue filtered by a search in code, title and definition, a theme and an SDG goal."""
    rows = indicators()
    if q:
        words = q.split()[:8]
        for word in words:
            rows = rows.filter(Q(title__icontains=word) | Q(code__icontains=word) | Q(definition__icontains=word))
    if theme in THEMES:
        rows = rows.filter(theme=theme)
    found = list(rows)
    if goal is not None:
        found = [i for i in found if goal in i.sdg_goals]
    return found


def sdg_goals() -> list[int]:
    goals: set[int] = set()
    for code in Indicator.objects.exclude(sdg_indicator="").values_list("sdg_indicator", flat=True):
        goals.update(int(part.strip().split(".")[0]) for part in code.split(",") if part.strip())
    return sorted(goals)


def indicator_or_404(code: str) -> Indicator:
    return get_object_or_404(indicators(), code=code)


def points(indicator: Indicator, entities: tuple[str, ...] = ENTITIES) -> list[Point]:
    rows = (
        Observation.objects.filter(indicator=indicator, entity__in=list(entities))
        .order_by("entity", "year")
        .values_list("entity", "year", "value", "value_text")
    )
    return [Point(e, y, v, t) for e, y, v, t in rows]


def observations(
    indicator: str = "", entity: str = "", year_from: int | None = None, year_to: int | None = None
) -> QuerySet[Observation]:
    rows = Observation.objects.select_related("indicator__source").order_by("indicator__code", "entity", "year")
    if indicator:
        rows = rows.filter(indicator__code=indicator)
    if entity:
        rows = rows.filter(entity=entity)
    if year_from is not None:
        rows = rows.filter(year__gte=year_from)
    if year_to is not None:
        rows = rows.filter(year__lte=year_to)
    return rows


def targets(indicator: Indicator | None = None) -> QuerySet[Target]:
    rows = Target.objects.select_related(
        "indicator__source", "decision__unit", "decision__text", "instruction"
    ).order_by("indicator__code", "year", "pk")
    return rows.filter(indicator=indicator) if indicator is not None else rows


def target_list(indicator: Indicator | None = None) -> list[Target]:
    """``targets`` as a list, asking first whether there are any: the joined query costs a few
    milliseconds to compile, a page read far more often than a target is recorded."""
    present = Target.objects.filter(indicator=indicator) if indicator is not None else Target.objects.all()
    return list(targets(indicator)) if present.exists() else []


def series_by_entity(found: list[Point]) -> dict[str, dict[int, Point]]:
    out: dict[str, dict[int, Point]] = {}
    for p in found:
        out.setdefault(p.entity, {})[p.year] = p
    return out


def shown(text: str, lang: str) -> str:
    """A source value for reading: verbatim digits, the decimal comma in Russian."""
    return text.replace(".", ",") if lang == "ru" else text


def table(found: list[Point], lang: str) -> dict[str, Any]:
    """The plotted points as a year × entity table (the chart's alternative), newest year first."""
    by_entity = series_by_entity(found)
    entities = [e for e in PLOTTED if e in by_entity]
    years = sorted({p.year for p in found}, reverse=True)

    def cell(entity: str, year: int) -> str:
        point = by_entity[entity].get(year)
        return shown(point.text, lang) if point else ""

    return {"entities": entities, "rows": [(y, [cell(e, y) for e in entities]) for y in years]}


def points_for_many(chosen: list[Indicator]) -> dict[int, list[Point]]:
    """The points of several indicators in one query (the dashboard)."""
    out: dict[int, list[Point]] = {i.pk: [] for i in chosen}
    rows = (
        Observation.objects.filter(indicator__in=chosen)
        .order_by("indicator_id", "entity", "year")
        .values_list("indicator_id", "entity", "year", "value", "value_text")
    )
    for pk, e, y, v, t in rows:
        out[pk].append(Point(e, y, v, t))
    return out


def _pairs(x: Indicator, y: Indicator) -> dict[tuple[str, int], tuple[Point, Point]]:
    xs = {(p.entity, p.year): p for p in points(x)}
    return {(p.entity, p.year): (xs[(p.entity, p.year)], p) for p in points(y) if (p.entity, p.year) in xs}


def paired(x: Indicator, y: Indicator, year: int | None) -> tuple[list[tuple[str, int, float, float]], int | None]:
    """Entities with both values in ``year`` (by default the latest year where most entities have both)."""
    pairs = _pairs(x, y)
    if year is None:
        counts: dict[int, int] = {}
        for _e, yr in pairs:
            counts[yr] = counts.get(yr, 0) + 1
        best = max(counts.values(), default=0)
        year = max((yr for yr, n in counts.items() if n * 2 >= best and n >= 2), default=None)
    rows = [(e, yr, px.value, py.value) for (e, yr), (px, py) in sorted(pairs.items()) if yr == year]
    order = {e: i for i, e in enumerate(ENTITIES)}
    return sorted(rows, key=lambda r: order[r[0]]), year


def paired_text(x: Indicator, y: Indicator, year: int | None) -> list[tuple[str, int, str, str]]:
    """The same pairs with the sources' verbatim values (the compare chart's CSV)."""
    pairs = _pairs(x, y)
    order = {e: i for i, e in enumerate(ENTITIES)}
    rows = [(e, yr, px.text, py.text) for (e, yr), (px, py) in pairs.items() if yr == year]
    return sorted(rows, key=lambda r: order[r[0]])


# Regional figures only where the arithmetic is sound: sums of absolute amounts (people, current US$,
# area, tonnes), and only for years in which all five states have a value. Shares, rates, indices
# and per-capita figures get no regional value (a mean would need weights the data may not hold).
REGION_SUMS = frozenset({
    "SP.POP.TOTL", "NY.GDP.MKTP.CD", "TX.VAL.MRCH.CD.WT", "TM.VAL.MRCH.CD.WT", "BX.TRF.PWKR.CD.DT",
    "BX.KLT.DINV.CD.WD", "AG.LND.TOTL.K2", "EN.ATM.CO2E.KT", "EN.ATM.GHGT.KT.CE", "co2_terr", "co2_cons",
    "ER.H2O.FWTL.K3", "ER.H2O.INTR.K3", "Electricity generation", "Electricity from renewables",
    "Electricity from fossil fuels", "Total including LUCF", "total_gdp_us_inflation_adjusted",
})  # fmt: skip


def with_region(indicator: Indicator, found: list[Point]) -> list[Point]:
    """``found`` plus the five states' sum for each year all five report ("computed by Kenes")."""
    if indicator.code not in REGION_SUMS:
        return found
    by_year: dict[int, list[float]] = {}
    for p in found:
        if p.entity in C5:
            by_year.setdefault(p.year, []).append(p.value)
    region = [Point(REGION, y, sum(v), f"{sum(v):.15g}") for y, v in sorted(by_year.items()) if len(v) == len(C5)]
    return found + region


def data_stamp() -> str:
    """Changes whenever an import writes (each file's import time and row count)."""
    from kenes.development.models import Source

    return ";".join(f"{f}:{t}:{n}" for f, t, n in Source.objects.values_list("file", "imported_at", "rows"))
