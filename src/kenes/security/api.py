"""API of the security channel: threat reports, assessments, read log, consultations.

Restricted material opens only to a browser session with a fresh two-factor sign-in: an API token is
not a session 2FA, so with a token every report is a 404 (docs/decisions/0021). Anything the caller
may not read is a 404 whose body is the same as for an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from kenes.api.auth import account_of
from kenes.api.schemas import Id, Key, Str, StrictSchema, errors
from kenes.errors import ActionError
from kenes.security import actions, queries
from kenes.security.models import Category, Severity, SeverityView, ThreatReport
from kenes.states.models import State

router = Router(tags=["security"])

StateCode = Annotated[Key, Field(min_length=1, description="A state's ISO code, e.g. `KZ`.")]


class AssessmentOut(Schema):
    state: str
    view: str
    comments: str
    measures: str
    created_at: dt.datetime


class ThreatReportOut(Schema):
    id: int
    title: str
    category: str
    severity: int
    author_state: str
    distribution: list[str]
    affected_states: list[str]
    place: str
    occurred_at: dt.datetime
    summary: str
    details: str
    attachment: str
    created_at: dt.datetime
    classification: str
    is_demo: bool


class ThreatReportDetailOut(ThreatReportOut):
    assessments: list[AssessmentOut]


class ThreatReportIn(StrictSchema):
    title: Str = Field(min_length=1, max_length=actions.MAX_TITLE)
    category: Category
    severity: Severity = Field(description="1 low, 2 moderate, 3 high, 4 critical.")
    occurred_at: dt.datetime
    summary: Str = Field(min_length=1, max_length=actions.MAX_SUMMARY)
    distribution: list[StateCode] = Field(min_length=1, max_length=50)
    affected_states: list[StateCode] = Field([], max_length=50)
    place: Str = Field("", max_length=actions.MAX_PLACE)
    details: Str = Field("", max_length=actions.MAX_DETAILS)


class AssessmentIn(StrictSchema):
    view: SeverityView
    comments: Str = Field("", max_length=actions.MAX_ASSESSMENT)
    measures: Str = Field("", max_length=actions.MAX_ASSESSMENT)


class ReadOut(Schema):
    account: str
    state: str | None
    what: str
    at: dt.datetime


class ConsultationIn(StrictSchema):
    within_days: int = Field(14, ge=1, le=actions.MAX_WITHIN_DAYS)


class ConsultationOut(Schema):
    id: int
    within_days: int
    meeting: str | None
    suggestions: list[dt.date]


class ConveneIn(StrictSchema):
    start: dt.date


class MeasuresTextOut(Schema):
    code: str


def _states(codes: list[str], field: str) -> list[State]:
    wanted = {c.strip().upper() for c in codes if c.strip()}
    found = list(State.objects.filter(iso2__in=wanted))
    missing = wanted - {s.iso2 for s in found}
    if missing:
        raise ActionError(_("Unknown state: %(codes)s.") % {"codes": ", ".join(sorted(missing))}, field=field)
    return found


def _report(request: HttpRequest, report_id: int) -> ThreatReport:
    try:
        return queries.report_for(account_of(request), report_id)
    except queries.NeedsReauth as exc:  # the API cannot prompt for a code: as if it did not exist
        raise Http404("Not found") from exc


def _out(report: ThreatReport) -> ThreatReportOut:
    return ThreatReportOut(
        id=report.pk,
        title=report.title,
        category=report.category,
        severity=report.severity,
        author_state=report.author_state.iso2,
        distribution=sorted(s.iso2 for s in report.distribution.all()),
        affected_states=sorted(s.iso2 for s in report.affected_states.all()),
        place=report.place,
        occurred_at=report.occurred_at,
        summary=report.summary,
        details=report.details,
        attachment=report.attachment_name,
        created_at=report.created_at,
        classification=report.classification,
        is_demo=report.is_demo,
    )


def _detail(request: HttpRequest, report: ThreatReport) -> ThreatReportDetailOut:
    account = account_of(request)
    return ThreatReportDetailOut(
        **_out(report).model_dump(),
        assessments=[
            AssessmentOut(
                state=a.state.iso2, view=a.view, comments=a.comments, measures=a.measures, created_at=a.created_at
            )
            for a in queries.assessments_for(account, report)
        ],
    )


# A write with a body: refused by a rule, not allowed, no such report (or none the caller may read),
# too large, not this schema.
_WRITE = errors(400, 403, 404, 413, 422)


@router.get("/security/reports", response={200: list[ThreatReportOut], **errors()})
def list_reports(request: HttpRequest) -> list[ThreatReportOut]:
    """The threat reports the caller may read (a fresh session 2FA is needed; tokens see none)."""
    return [_out(r) for r in queries.reports_for(account_of(request))]


def _file(request: HttpRequest, payload: Any, attachment: UploadedFile | None = None) -> Status[ThreatReportDetailOut]:
    """Both ways of filing (JSON, or a form with the attachment) through the one action."""
    account = account_of(request)
    report = actions.file_report(
        account,
        title=payload.title,
        category=str(payload.category),
        severity=int(payload.severity),
        occurred_at=payload.occurred_at,
        summary=payload.summary,
        distribution=_states(payload.distribution, "distribution"),
        affected_states=_states(payload.affected_states, "affected_states"),
        place=payload.place,
        details=payload.details,
        attachment=attachment,
    )
    return Status(201, _detail(request, queries.report_for(account, report.pk)))


@router.post("/security/reports", response={201: ThreatReportDetailOut, **errors(400, 403, 413, 422)})
def file_report(request: HttpRequest, payload: ThreatReportIn) -> Status[ThreatReportDetailOut]:
    """File a restricted threat report for the named member states (a cleared security officer)."""
    return _file(request, payload)


@router.post("/security/reports/upload", response={201: ThreatReportDetailOut, **errors(400, 403, 413, 422)})
def file_report_with_attachment(
    request: HttpRequest, payload: Form[ThreatReportIn], attachment: File[UploadedFile]
) -> Status[ThreatReportDetailOut]:
    """File a report with an attachment: the fields of ``POST /security/reports`` as
    ``multipart/form-data`` (a list field repeated), the file in ``attachment``. The file is read by
    its content: a PDF (at most 200 pages), a PNG or JPEG (at most 25 million pixels) or UTF-8 text,
    up to 10 MB; anything else is a 400 on ``attachment`` and nothing is filed."""
    return _file(request, payload, attachment)


@router.get("/security/reports/{report_id}", response={200: ThreatReportDetailOut, **errors(404, 422)})
def get_report(request: HttpRequest, report_id: Id) -> ThreatReportDetailOut:
    """One report with its assessments; the read is logged."""
    report = _report(request, report_id)
    actions.record_read(account_of(request), report, "api")
    return _detail(request, report)


@router.get("/security/reports/{report_id}/reads", response={200: list[ReadOut], **errors(404, 422)})
def read_log(request: HttpRequest, report_id: Id) -> list[ReadOut]:
    """Who read the report and when: for the author's state."""
    report = _report(request, report_id)
    return [
        ReadOut(account=e.account.email, state=e.account.state.iso2 if e.account.state else None, what=e.what, at=e.at)
        for e in queries.read_log_for(account_of(request), report)
    ]


@router.post("/security/reports/{report_id}/assessments", response={201: AssessmentOut, **_WRITE})
def add_assessment(request: HttpRequest, report_id: Id, payload: AssessmentIn) -> Status[AssessmentOut]:
    """The caller's state's assessment (agreed, raised, lowered; comments; recommended measures)."""
    report = _report(request, report_id)
    a = actions.assess(
        account_of(request), report, view=str(payload.view), comments=payload.comments, measures=payload.measures
    )
    return Status(
        201,
        AssessmentOut(
            state=a.state.iso2, view=a.view, comments=a.comments, measures=a.measures, created_at=a.created_at
        ),
    )


@router.post("/security/reports/{report_id}/measures", response={201: MeasuresTextOut, **errors(400, 403, 404, 422)})
def draft_measures(request: HttpRequest, report_id: Id) -> Status[MeasuresTextOut]:
    """Draft the joint measures as a restricted negotiated text with the report's distribution."""
    report = _report(request, report_id)
    text = actions.draft_joint_measures(account_of(request), report)
    return Status(201, MeasuresTextOut(code=text.code))


@router.post("/security/reports/{report_id}/consultations", response={201: ConsultationOut, **_WRITE})
def request_consultation(request: HttpRequest, report_id: Id, payload: ConsultationIn) -> Status[ConsultationOut]:
    """Request an extraordinary consultation within ``within_days``; answers the earliest workable days."""
    account = account_of(request)
    report = _report(request, report_id)
    made = actions.request_consultation(account, report, within_days=payload.within_days)
    days = [s.start for s in queries.consultation_slots(account, made)]
    return Status(201, ConsultationOut(id=made.pk, within_days=made.within_days, meeting=None, suggestions=days))


@router.post(
    "/security/reports/{report_id}/consultations/{request_id}/convene", response={201: ConsultationOut, **_WRITE}
)
def convene(request: HttpRequest, report_id: Id, request_id: Id, payload: ConveneIn) -> Status[ConsultationOut]:
    """Create the restricted extraordinary meeting on ``start``, with the report on its agenda."""
    account = account_of(request)
    report = _report(request, report_id)
    made = queries.requests_for(account, report).filter(pk=request_id).first()
    if made is None:
        raise Http404("Not found")
    meeting = actions.convene_consultation(account, made, start=payload.start)
    return Status(201, ConsultationOut(id=made.pk, within_days=made.within_days, meeting=meeting.code, suggestions=[]))
