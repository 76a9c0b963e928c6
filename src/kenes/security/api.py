"""API of the security channel: threat reports, assessments, read log, consultations.

Restricted material opens only to a browser session with a fresh two-factor sign-in: an API token is
not a session 2FA, so with a token every report is a 404 (docs/decisions/0021). Anything the caller
may not read is a 404 whose body is the same as for an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile

from kenes.api.auth import account_of
from kenes.api.schemas import StrictSchema
from kenes.errors import ActionError
from kenes.security import actions, queries
from kenes.security.models import ThreatReport
from kenes.states.models import State

router = Router(tags=["security"])


class AssessmentOut(Schema):
    state: str
    view: str
    comments: str
    measures: str
    created_at: dt.datetime


class ReportOut(Schema):
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


class ReportDetailOut(ReportOut):
    assessments: list[AssessmentOut]


class ReportIn(StrictSchema):
    title: str
    category: str
    severity: int
    occurred_at: dt.datetime
    summary: str
    distribution: list[str]
    affected_states: list[str] = []
    place: str = ""
    details: str = ""


class AssessmentIn(StrictSchema):
    view: str
    comments: str = ""
    measures: str = ""


class ReadOut(Schema):
    account: str
    state: str | None
    what: str
    at: dt.datetime


class ConsultationIn(StrictSchema):
    within_days: int = 14


class ConsultationOut(Schema):
    id: int
    within_days: int
    meeting: str | None
    suggestions: list[dt.date]


class ConveneIn(StrictSchema):
    start: dt.date


class TextOut(Schema):
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


def _out(report: ThreatReport) -> ReportOut:
    return ReportOut(
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


def _detail(request: HttpRequest, report: ThreatReport) -> ReportDetailOut:
    account = account_of(request)
    return ReportDetailOut(
        **_out(report).model_dump(),
        assessments=[
            AssessmentOut(
                state=a.state.iso2, view=a.view, comments=a.comments, measures=a.measures, created_at=a.created_at
            )
            for a in queries.assessments_for(account, report)
        ],
    )


@router.get("/security/reports", response=list[ReportOut])
def list_reports(request: HttpRequest) -> list[ReportOut]:
    """The threat reports the caller may read (a fresh session 2FA is needed; tokens see none)."""
    return [_out(r) for r in queries.reports_for(account_of(request))]


def _file(request: HttpRequest, payload: Any, attachment: UploadedFile | None = None) -> Status[ReportDetailOut]:
    """Both ways of filing (JSON, or a form with the attachment) through the one action."""
    account = account_of(request)
    report = actions.file_report(
        account,
        title=payload.title,
        category=payload.category,
        severity=payload.severity,
        occurred_at=payload.occurred_at,
        summary=payload.summary,
        distribution=_states(payload.distribution, "distribution"),
        affected_states=_states(payload.affected_states, "affected_states"),
        place=payload.place,
        details=payload.details,
        attachment=attachment,
    )
    return Status(201, _detail(request, queries.report_for(account, report.pk)))


@router.post("/security/reports", response={201: ReportDetailOut})
def file_report(request: HttpRequest, payload: ReportIn) -> Status[ReportDetailOut]:
    """File a restricted threat report for the named member states (a cleared security officer)."""
    return _file(request, payload)


@router.post("/security/reports/upload", response={201: ReportDetailOut})
def file_report_with_attachment(
    request: HttpRequest, payload: Form[ReportIn], attachment: File[UploadedFile]
) -> Status[ReportDetailOut]:
    """File a report with an attachment: the fields of ``POST /security/reports`` as
    ``multipart/form-data`` (a list field repeated), the file in ``attachment``. The file is read by
    its content: a PDF (at most 200 pages), a PNG or JPEG (at most 25 million pixels) or UTF-8 text,
    up to 10 MB; anything else is a 400 on ``attachment`` and nothing is filed."""
    return _file(request, payload, attachment)


@router.get("/security/reports/{report_id}", response=ReportDetailOut)
def get_report(request: HttpRequest, report_id: int) -> ReportDetailOut:
    """One report with its assessments; the read is logged."""
    report = _report(request, report_id)
    actions.record_read(account_of(request), report, "api")
    return _detail(request, report)


@router.get("/security/reports/{report_id}/reads", response=list[ReadOut])
def read_log(request: HttpRequest, report_id: int) -> list[ReadOut]:
    """Who read the report and when: for the author's state."""
    report = _report(request, report_id)
    return [
        ReadOut(account=e.account.email, state=e.account.state.iso2 if e.account.state else None, what=e.what, at=e.at)
        for e in queries.read_log_for(account_of(request), report)
    ]


@router.post("/security/reports/{report_id}/assessments", response={201: AssessmentOut})
def add_assessment(request: HttpRequest, report_id: int, payload: AssessmentIn) -> Status[AssessmentOut]:
    """The caller's state's assessment (agreed, raised, lowered; comments; recommended measures)."""
    report = _report(request, report_id)
    a = actions.assess(
        account_of(request), report, view=payload.view, comments=payload.comments, measures=payload.measures
    )
    return Status(
        201,
        AssessmentOut(
            state=a.state.iso2, view=a.view, comments=a.comments, measures=a.measures, created_at=a.created_at
        ),
    )


@router.post("/security/reports/{report_id}/measures", response={201: TextOut})
def draft_measures(request: HttpRequest, report_id: int) -> Status[TextOut]:
    """Draft the joint measures as a restricted negotiated text with the report's distribution."""
    report = _report(request, report_id)
    text = actions.draft_joint_measures(account_of(request), report)
    return Status(201, TextOut(code=text.code))


@router.post("/security/reports/{report_id}/consultations", response={201: ConsultationOut})
def request_consultation(request: HttpRequest, report_id: int, payload: ConsultationIn) -> Status[ConsultationOut]:
    """Request an extraordinary consultation within ``within_days``; answers the earliest workable days."""
    account = account_of(request)
    report = _report(request, report_id)
    made = actions.request_consultation(account, report, within_days=payload.within_days)
    days = [s.start for s in queries.consultation_slots(account, made)]
    return Status(201, ConsultationOut(id=made.pk, within_days=made.within_days, meeting=None, suggestions=days))


@router.post("/security/reports/{report_id}/consultations/{request_id}/convene", response={201: ConsultationOut})
def convene(request: HttpRequest, report_id: int, request_id: int, payload: ConveneIn) -> Status[ConsultationOut]:
    """Create the restricted extraordinary meeting on ``start``, with the report on its agenda."""
    account = account_of(request)
    report = _report(request, report_id)
    made = queries.requests_for(account, report).filter(pk=request_id).first()
    if made is None:
        raise Http404("Not found")
    meeting = actions.convene_consultation(account, made, start=payload.start)
    return Status(201, ConsultationOut(id=made.pk, within_days=made.within_days, meeting=meeting.code, suggestions=[]))
