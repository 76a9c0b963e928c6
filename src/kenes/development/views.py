"""Pages of the development dashboard: the region at a glance, the catalogue, an indicator, the
compare view, chart files (spec, SVG, PNG, CSV) and the cookie-less embed.

Thin: each handler parses its input (a 400 in the reader's language), reads through ``queries``,
builds the chart through ``charts`` and renders. The one write, recording a target, is
``actions.record_target``; its refusals reach Django's 403 handler or re-render the form.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from typing import Any

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from kenes.development import actions, charts, queries
from kenes.development.charts import Point
from kenes.development.entities import C5, COLOURS, ENTITIES, REGION, name
from kenes.development.models import Direction, Indicator, Target
from kenes.development.permissions import may_record_targets
from kenes.development.progress import progress
from kenes.development.themes import THEMES
from kenes.errors import ActionError

# The dashboard's headline indicators: growth, income, energy mix, emissions, water, health, education.
HEADLINE = (
    "NY.GDP.MKTP.KD.ZG",
    "NY.GDP.PCAP.PP.CD",
    "EG.FEC.RNEW.ZS",
    "Renewables share of electricity",
    "co2_pcap_terr",
    "ER_H2O_STRESS",
    "SP.DYN.LE00.IN",
    "SE.TER.ENRR",
)
KINDS = ("line", "panels", "ranking")
FORMATS = {"json": "application/json", "svg": "image/svg+xml", "png": "image/png", "csv": "text/csv"}
COMPARE_DEFAULT = ("NY.GDP.PCAP.PP.CD", "co2_pcap_terr")


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return HttpResponseBadRequest(render(request, "development/bad_request.html", {"message": message}).content)


def _lang(request: HttpRequest) -> str:
    """The chart language: ``?lang=`` (for files and embeds, so a link renders alike for everyone)
    or the reader's own."""
    wanted = request.GET.get("lang", "")
    known = {code for code, _name in settings.LANGUAGES}
    return wanted if wanted in known else (translation.get_language() or "en").split("-")[0]


Marks = list[tuple[int, float, str]]


def _targets_marks(targets: list[Target], lang: str) -> Marks:
    return [
        (t.year, t.value, f"{t.get_direction_display()} {queries.shown(f'{t.value:g}', lang)} ({t.year})")
        for t in targets
    ]


def _panel_marks(targets: list[Target], lang: str) -> list[tuple[str, int, float, str]]:
    """A target in the panel of each state it is for (the region's in each of the five)."""
    return [
        (entity, year, value, label)
        for target, (year, value, label) in zip(targets, _targets_marks(targets, lang), strict=True)
        for entity in (C5 if target.entities == [REGION] else target.entities)
    ]


def _spec(
    kind: str, indicator: Indicator, found: list[Point], lang: str, marks: Marks | None = None
) -> tuple[dict[str, Any], list[Point]]:
    """The spec and exactly the points it plots."""
    if kind == "ranking":
        chosen = charts.ranking_points(found)
        return charts.ranking_spec(indicator, found, lang), chosen
    if kind == "panels":
        return charts.panels_spec(indicator, found, lang, _panel_marks(list(queries.targets(indicator)), lang)), found
    if marks is None:
        marks = _targets_marks(list(queries.targets(indicator)), lang)
    found = queries.with_region(indicator, found)
    return charts.line_spec(indicator, found, lang, marks), found


def _chart_context(
    request: HttpRequest, kind: str, indicator: Indicator, found: list[Point], lang: str, marks: Marks | None = None
) -> dict[str, Any]:
    if kind != "ranking" and marks is None:
        marks = _targets_marks(list(queries.targets(indicator)), lang)
    spec, plotted = _spec(kind, indicator, found, lang, marks)
    dom_id = f"chart-{kind}-{_slug(indicator.code).replace('.', '-')}"
    base = reverse("development_chart", args=[kind, indicator.code, "svg"])
    files = {fmt: reverse("development_chart", args=[kind, indicator.code, fmt]) + f"?lang={lang}" for fmt in FORMATS}
    return {
        "kind": kind,
        "indicator": indicator,
        "spec": spec,
        "svg": f"{base}?lang={lang}",
        "files": files,
        "embed": request.build_absolute_uri(
            reverse("development_embed", args=[kind, indicator.code]) + f"?lang={lang}"
        ),
        "table": queries.table(plotted, lang),
        "targets": marks if kind != "ranking" else [],
        "region": any(p.entity == REGION for p in plotted),
        "dom_id": dom_id,
        "spec_id": f"{dom_id}-spec",
    }


def dashboard(request: HttpRequest) -> HttpResponse:
    """The headline charts are built and rendered only when their cached fragment is missing: the
    fragment's key changes with every import, every target and the reader's language and host."""
    lang = _lang(request)
    targets = queries.target_list()

    def charts_() -> list[dict[str, Any]]:
        by_code = {i.code: i for i in queries.indicators().filter(code__in=HEADLINE)}
        found = queries.points_for_many(list(by_code.values()))
        return [
            _chart_context(
                request,
                "line",
                by_code[code],
                found.get(by_code[code].pk, []),
                lang,
                _targets_marks([t for t in targets if t.indicator_id == by_code[code].pk], lang),
            )
            for code in HEADLINE
            if code in by_code
        ]

    stamp = "-".join(
        [lang, request.get_host(), queries.data_stamp(), ",".join(f"{t.pk}:{t.indicator_id}" for t in targets)]
    )
    return render(
        request,
        "development/dashboard.html",
        {
            "charts": charts_,
            "stamp": hashlib.sha256(stamp.encode()).hexdigest(),
            "targets": _target_rows(request, targets),
            "legend": _legend(),
            "themes": THEMES,
        },
    )


def _legend() -> list[tuple[str, str, str]]:
    return [(e, name(e), COLOURS[e]) for e in ENTITIES]


def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[: queries.MAX_QUERY]
    theme = request.GET.get("theme", "")
    goal_text = request.GET.get("goal", "")
    if theme and theme not in THEMES:
        return _bad(request, _("There is no such theme."))
    goal: int | None = None
    if goal_text:
        if not goal_text.isdigit() or not 1 <= int(goal_text) <= 17:
            return _bad(request, _("An SDG goal is a number from 1 to 17."))
        goal = int(goal_text)
    found = queries.catalogue(q, theme, goal)
    groups: dict[str, list[Indicator]] = {}
    for indicator in found:
        groups.setdefault(indicator.theme, []).append(indicator)
    return render(
        request,
        "development/catalogue.html",
        {
            "q": q,
            "theme": theme,
            "goal": goal,
            "groups": [(key, THEMES[key], groups[key]) for key in THEMES if key in groups],
            "count": len(found),
            "themes": THEMES,
            "goals": queries.sdg_goals(),
        },
    )


def _indicator_context(request: HttpRequest, indicator: Indicator, **extra: Any) -> dict[str, Any]:
    """The indicator page's context. Its three charts are built and rendered only when their cached
    fragment is missing: the key changes with every import, this indicator's targets and the
    reader's language and host (the spec, the table and the embed address depend on those alone)."""
    lang = _lang(request)
    targets = queries.target_list(indicator)
    loaded: list[list[Point]] = []

    def found() -> list[Point]:
        if not loaded:
            loaded.append(queries.points(indicator))
        return loaded[0]

    def charts_() -> list[dict[str, Any]]:
        marks = _targets_marks(targets, lang)
        return [
            _chart_context(request, kind, indicator, found(), lang, marks) for kind in ("line", "panels", "ranking")
        ]

    stamp = "-".join(
        [indicator.code, lang, request.get_host(), queries.data_stamp(), ",".join(str(t.pk) for t in targets)]
    )
    return {
        "indicator": indicator,
        "theme_label": THEMES.get(indicator.theme, indicator.theme),
        "charts": charts_,
        "stamp": hashlib.sha256(stamp.encode()).hexdigest(),
        "targets": _target_rows(request, targets, found() if targets else None),
        "may_record": may_record_targets(request.user),
        "directions": Direction.choices,
        "states": [(e, name(e)) for e in C5],
        "form": {},
        **extra,
    }


def indicator_page(request: HttpRequest, code: str) -> HttpResponse:
    indicator = queries.indicator_or_404(code)
    return render(request, "development/indicator.html", _indicator_context(request, indicator))


def _target_rows(request: HttpRequest, targets: Any, found: list[Point] | None = None) -> list[dict[str, Any]]:
    """Each target with its computed progress per state; the decision or instruction is linked only
    for a reader who may open it."""
    from kenes.decisions.queries import decisions_for, instructions_for

    targets = list(targets)
    if not targets:
        return []
    decisions = set(decisions_for(request.user).values_list("pk", flat=True))
    instructions = set(instructions_for(request.user).values_list("pk", flat=True))
    rows = []
    series_of: dict[int, dict[str, dict[int, Point]]] = {}
    for target in targets:
        if target.indicator_id not in series_of:
            points = found if found is not None else queries.points(target.indicator)
            series_of[target.indicator_id] = queries.series_by_entity(points)
        series = series_of[target.indicator_id]
        entities = list(C5) if target.entities == [REGION] else target.entities
        shown = []
        for e in entities:
            p = progress(e, series.get(e, {}), target.base_year, target.year, target.value, target.direction)
            shown.append(
                {
                    "entity": name(e),
                    "status": p.status,
                    "label": p.label,
                    "latest_year": p.latest_year,
                    "closed": round(100 * p.achieved_share) if p.achieved_share is not None else None,
                    "due": round(100 * p.needed_share) if p.needed_share is not None else None,
                }
            )
        rows.append(
            {
                "target": target,
                "entities": ", ".join(name(e) for e in entities),
                "progress": shown,
                "link": target.decision_id in decisions or target.instruction_id in instructions,
            }
        )
    return rows


def chart_file(request: HttpRequest, kind: str, code: str, fmt: str) -> HttpResponse:
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    indicator = queries.indicator_or_404(code)
    lang = _lang(request)
    with translation.override(lang):
        spec, plotted = _spec(kind, indicator, queries.points(indicator), lang)
    return _file(spec, plotted_csv(indicator, plotted), fmt, f"{_slug(indicator.code)}-{kind}")


def _slug(code: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in code)


def _file(spec: dict[str, Any], csv_text: str, fmt: str, stem: str) -> HttpResponse:
    if fmt == "json":
        body: bytes = json.dumps(spec, ensure_ascii=False).encode()
    elif fmt == "csv":
        body = csv_text.encode()
    else:
        body = charts.render(spec, fmt)
    response = HttpResponse(body, content_type=FORMATS[fmt] + ("; charset=utf-8" if fmt in ("csv", "json") else ""))
    if fmt in ("csv", "png", "svg"):
        response["Content-Disposition"] = f'inline; filename="{stem}.{fmt}"'
    response["Cache-Control"] = "public, max-age=3600"
    return response


def plotted_csv(indicator: Indicator, plotted: list[Point]) -> str:
    """Exactly the plotted points, values as the source wrote them (the regional sum as Kenes computed
    it), with the source and licence."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["indicator", "entity", "year", "value", "unit", "source", "licence"])
    for p in plotted:
        source = _("computed by Kenes: the sum of the five states") if p.entity == REGION else indicator.source_tag
        writer.writerow([indicator.code, p.entity, p.year, p.text, indicator.unit, source, indicator.licence])
    return out.getvalue()


def _compare_input(request: HttpRequest) -> tuple[Indicator, Indicator, int | None] | str:
    x_code = request.GET.get("x", COMPARE_DEFAULT[0])
    y_code = request.GET.get("y", COMPARE_DEFAULT[1])
    year_text = request.GET.get("year", "")
    if year_text and not (year_text.isdigit() and 1700 <= int(year_text) <= 2100):
        return _("A year is a number between 1700 and 2100.")
    return queries.indicator_or_404(x_code), queries.indicator_or_404(y_code), int(year_text) if year_text else None


def compare(request: HttpRequest) -> HttpResponse:
    parsed = _compare_input(request)
    if isinstance(parsed, str):
        return _bad(request, parsed)
    x, y, year = parsed
    lang = _lang(request)
    rows, year = queries.paired(x, y, year)
    spec = charts.scatter_spec(x, y, rows, lang)
    query = f"x={x.code}&y={y.code}&year={year or ''}&lang={lang}"
    files = {fmt: reverse("development_compare_file", args=[fmt]) + "?" + query for fmt in FORMATS}
    return render(
        request,
        "development/compare.html",
        {
            "x": x,
            "y": y,
            "year": year,
            "rows": [(name(e), yr, xv, yv) for e, yr, xv, yv in rows],
            "spec": spec,
            "files": files,
            "svg": files["svg"],
            "indicators": queries.indicators().order_by("title"),
        },
    )


def compare_file(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    parsed = _compare_input(request)
    if isinstance(parsed, str):
        return _bad(request, parsed)
    x, y, year = parsed
    lang = _lang(request)
    rows, year = queries.paired(x, y, year)
    with translation.override(lang):
        spec = charts.scatter_spec(x, y, rows, lang)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["entity", "year", x.code, y.code])
    for e, yr, xv, yv in queries.paired_text(x, y, year):
        writer.writerow([e, yr, xv, yv])
    return _file(spec, out.getvalue(), fmt, f"compare-{_slug(x.code)}-{_slug(y.code)}")


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # type: ignore[arg-type]  # django-csp types one-argument views
def embed(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    """An ``<iframe>``-able chart: no session read, no cookie set, any site may frame it."""
    if kind not in KINDS:
        raise Http404
    indicator = queries.indicator_or_404(code)
    lang = _lang(request)
    with translation.override(lang):
        context = _chart_context(request, kind, indicator, queries.points(indicator), lang)
        response = render(request, "development/embed.html", {"chart": context, "lang": lang})
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_required
@require_POST
def target_create(request: HttpRequest, code: str) -> HttpResponse:
    indicator = queries.indicator_or_404(code)
    try:
        actions.record_target(request.user, indicator, request.POST)
    except ActionError as exc:
        context = _indicator_context(request, indicator, may_record=True, form=request.POST, error=exc)
        return render(request, "development/indicator.html", context, status=exc.status)
    return redirect(reverse("development_indicator", args=[indicator.code]) + "#targets")
