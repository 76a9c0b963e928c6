"""API of the indicator data: the catalogue, observations (paginated JSON, or CSV), targets with
their computed progress. The numbers are public; recording a target is the secretariat's."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Id, Key, Str, StrictSchema, csv_cell, errors
from kenes.development import actions, queries, vintages
from kenes.development.entities import C5, ENTITIES, REGION
from kenes.development.models import Direction, ImportRun, Indicator, Observation, Target
from kenes.development.permissions import require_import_data
from kenes.development.progress import progress
from kenes.development.themes import THEMES
from kenes.errors import ActionError

router = Router(tags=["development"])

MAX_PAGE_SIZE = 5000
Year = Annotated[int, Field(ge=1700, le=2100)]


class IndicatorOut(Schema):
    code: str
    title: str = Field(description="as the source gives it (English)")
    unit: str
    theme: str
    sdg_indicator: str
    sdg_goals: list[int]
    definition: str
    source: str = Field(description="the rows' source tag, e.g. WB-WDI or GM-SG/EI")
    source_file: str
    licence: str
    caveat: str
    year_min: int | None
    year_max: int | None
    entity_count: int
    observation_count: int


def _indicator_out(i: Indicator) -> IndicatorOut:
    return IndicatorOut(
        code=i.code, title=i.title, unit=i.unit, theme=i.theme, sdg_indicator=i.sdg_indicator,
        sdg_goals=i.sdg_goals, definition=i.definition, source=i.source_tag, source_file=i.source.file,
        licence=i.licence, caveat=i.source.caveat, year_min=i.year_min, year_max=i.year_max,
        entity_count=i.entity_count, observation_count=i.observation_count,
    )  # fmt: skip


@router.get("/indicators", response={200: list[IndicatorOut], **errors(400, 422)})
def list_indicators(
    request: HttpRequest, q: Key = "", theme: Key = "", goal: Annotated[int, Field(ge=1, le=17)] | None = None
) -> list[IndicatorOut]:
    """The catalogue: search in code, title and definition; filter by theme or SDG goal."""
    if theme and theme not in THEMES:
        raise ActionError(_("There is no such theme."), field="theme")
    return [_indicator_out(i) for i in queries.catalogue(q[: queries.MAX_QUERY], theme, goal)]


@router.get("/indicators/{code}", response={200: IndicatorOut, **errors(404, 422)})
def get_indicator(request: HttpRequest, code: Key) -> IndicatorOut:
    return _indicator_out(queries.indicator_or_404(code))


class ObservationOut(Schema):
    indicator: str
    entity: str
    year: int
    value: float = Field(description="the source's value parsed as a number")
    value_text: str = Field(description="the source's value exactly as published")
    unit: str
    source: str
    licence: str


class ObservationPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    results: list[ObservationOut]


class ObservationFilters(Schema):
    indicator: Key = ""
    entity: Key = ""
    year_from: Year | None = Field(None, alias="from")
    year_to: Year | None = Field(None, alias="to")
    page: Annotated[int, Field(ge=1, le=10**6)] = 1
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 1000
    format: Key = "json"


def _rows(f: ObservationFilters) -> tuple[Indicator | None, object]:
    if f.entity and f.entity not in ENTITIES:
        raise ActionError(_("There is no such entity: use one of %(codes)s.") % {"codes": ", ".join(ENTITIES)},
                          field="entity")  # fmt: skip
    if f.format not in ("json", "csv"):
        raise ActionError(_("The format is json or csv."), field="format")
    indicator = queries.indicator_or_404(f.indicator) if f.indicator else None
    return indicator, queries.observations(f.indicator, f.entity, f.year_from, f.year_to)


def _observation_out(o: Observation) -> ObservationOut:
    i = o.indicator
    return ObservationOut(
        indicator=i.code, entity=o.entity, year=o.year, value=o.value, value_text=o.value_text, unit=i.unit,
        source=i.source_tag, licence=i.licence,
    )  # fmt: skip


@router.get(
    "/observations",
    response={200: ObservationPage, **errors(400, 404, 422)},
    openapi_extra={"responses": {200: {"description": "A page of observations (JSON), or with format=csv all "
                                       "the matching rows as CSV",
                                       "content": {"text/csv": {"schema": {"type": "string"}}}}}},
)  # fmt: skip
def list_observations(request: HttpRequest, filters: Query[ObservationFilters]) -> ObservationPage | HttpResponse:
    """Observations by ``indicator``, ``entity`` (ISO3 or WLD) and years ``from``–``to``, ordered by
    indicator, entity and year; ``value_text`` is the source's cell verbatim, with its licence."""
    _indicator, rows = _rows(filters)
    if filters.format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["indicator", "entity", "year", "value", "unit", "source", "licence"])
        for o in rows:  # type: ignore[attr-defined]
            i = o.indicator
            writer.writerow([csv_cell(v) for v in (i.code, o.entity, o.year, o.value_text, i.unit, i.source_tag,
                                                   i.licence)])  # fmt: skip
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="observations.csv"'
        return response
    count = rows.count()  # type: ignore[attr-defined]
    start = (filters.page - 1) * filters.page_size
    page = list(rows[start : start + filters.page_size])  # type: ignore[index]
    more = start + filters.page_size < count
    nxt = None
    if more:
        query = request.GET.copy()
        query["page"] = str(filters.page + 1)
        nxt = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return ObservationPage(
        count=count, page=filters.page, page_size=filters.page_size, next=nxt,
        results=[_observation_out(o) for o in page],
    )  # fmt: skip


class ProgressOut(Schema):
    entity: str
    status: str = Field(description="achieved, on_track, off_track or insufficient")
    base_value: float | None
    latest_value: float | None
    latest_year: int | None
    share_of_time_gone: float | None
    share_of_gap_closed: float | None
    annual_change_achieved: float | None
    annual_change_needed: float | None


class TargetOut(Schema):
    id: int
    indicator: str
    entities: list[str]
    base_year: int
    year: int
    value: float
    direction: str
    decision: int | None
    instruction: int | None
    note: str
    is_demo: bool
    progress: list[ProgressOut]


def _target_out(t: Target) -> TargetOut:
    series = queries.series_by_entity(queries.points(t.indicator))
    entities = list(C5) if t.entities == [REGION] else t.entities
    shown = []
    for e in entities:
        p = progress(e, series.get(e, {}), t.base_year, t.year, t.value, t.direction)
        shown.append(ProgressOut(
            entity=e, status=p.status, base_value=p.base, latest_value=p.latest, latest_year=p.latest_year,
            share_of_time_gone=p.needed_share, share_of_gap_closed=p.achieved_share,
            annual_change_achieved=p.annual_achieved, annual_change_needed=p.annual_needed,
        ))  # fmt: skip
    return TargetOut(
        id=t.pk, indicator=t.indicator.code, entities=t.entities, base_year=t.base_year, year=t.year, value=t.value,
        direction=t.direction, decision=t.decision_id, instruction=t.instruction_id, note=t.note,
        is_demo=t.is_demo, progress=shown,
    )  # fmt: skip


@router.get("/targets", response={200: list[TargetOut], **errors(404, 422)})
def list_targets(request: HttpRequest, indicator: Key = "") -> list[TargetOut]:
    """The mechanism's targets with their progress, computed from the data on every request."""
    chosen = queries.indicator_or_404(indicator) if indicator else None
    return [_target_out(t) for t in queries.targets(chosen)]


class TargetIn(StrictSchema):
    indicator: Key
    entities: list[Annotated[Str, Field(max_length=3)]] = Field(max_length=5, description="ISO3 codes or ['C5']")
    base_year: Year
    year: Year
    value: float
    direction: Direction
    decision: Id | None = None
    instruction: Id | None = None
    note: Str = Field("", max_length=actions.MAX_NOTE)


@router.post("/targets", response={201: TargetOut, **errors(400, 403, 404, 413, 422)}, auth=RequiredAuth())
def record_target(request: HttpRequest, payload: TargetIn) -> Status[TargetOut]:
    """Record a target (the secretariat), set by one decision or one instruction."""
    account = account_of(request)
    indicator = queries.indicator_or_404(payload.indicator)
    data = {
        "entities": payload.entities, "base_year": payload.base_year, "year": payload.year,
        "value": payload.value, "direction": payload.direction, "decision": payload.decision or "",
        "instruction": payload.instruction or "", "note": payload.note,
    }  # fmt: skip
    target = actions.record_target(account, indicator, data)
    return Status(201, _target_out(queries.targets().get(pk=target.pk)))


class ImportValueOut(Schema):
    indicator: str
    entity: str
    year: int
    before: str | None = Field(description="the stored text before the import; null: the value is new")
    after: str | None = Field(description="the text after it; null: the value went")


class ImportFileOut(Schema):
    file: str
    rows: int
    added: int
    changed: int
    removed: int
    examples: list[ImportValueOut] = Field(description="the first values that changed, went or came")


class ImportRunOut(Schema):
    id: int
    status: str = Field(description="queued, running, done or failed")
    archive: str
    prune: bool
    created_at: datetime.datetime
    created_by: str | None
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    total_rows: int
    done_rows: int
    percent: int
    current_file: str
    files: list[ImportFileOut]
    error: str | None = Field(description="why it failed, naming the file, line and column, in the reader's language")


def _run_out(run: ImportRun) -> ImportRunOut:
    return ImportRunOut(
        id=run.pk, status=run.status, archive=run.archive_name, prune=run.prune, created_at=run.created_at,
        created_by=run.created_by.email if run.created_by else None, started_at=run.started_at,
        finished_at=run.finished_at, total_rows=run.total_rows, done_rows=run.done_rows, percent=run.percent,
        current_file=run.current_file, files=[ImportFileOut(**f) for f in run.files],
        error=run.shown_error() or None,
    )  # fmt: skip


class ImportIn(StrictSchema):
    prune: bool = Field(False, description="the whole folder: remove the indicators no longer in its catalogue")


@router.post("/indicator-imports", response={202: ImportRunOut, **errors(400, 403, 413, 422)}, auth=RequiredAuth())
def upload_vintage(request: HttpRequest, payload: Form[ImportIn], archive: File[UploadedFile]) -> Status[ImportRunOut]:
    """Upload a new vintage of the indicator folder as a ZIP (the secretariat): catalogue.csv, its
    data files and SOURCES.md, at the top or in one folder. Checked at once (a 400 names what is
    wrong, nothing is queued), then imported by the task queue: follow ``GET /indicator-imports/{id}``."""
    run = vintages.queue_import(account_of(request), archive, prune=payload.prune)
    return Status(202, _run_out(run))


@router.get("/indicator-imports", response={200: list[ImportRunOut], **errors(403)}, auth=RequiredAuth())
def list_vintages(request: HttpRequest) -> list[ImportRunOut]:
    """The latest uploads, newest first (the secretariat)."""
    require_import_data(account_of(request))
    return [_run_out(r) for r in ImportRun.objects.select_related("created_by")[:50]]


@router.get("/indicator-imports/{run_id}", response={200: ImportRunOut, **errors(403, 404, 422)}, auth=RequiredAuth())
def get_vintage(request: HttpRequest, run_id: Id) -> ImportRunOut:
    """One upload: its progress while the task imports it; what changed, or why it failed, after."""
    require_import_data(account_of(request))
    run = ImportRun.objects.select_related("created_by").filter(pk=run_id).first()
    if run is None:
        raise Http404
    return _run_out(run)
