"""Pages of the security channel: the reports list, filing a report, a report with its assessments,
consultations and read log, and the watermarked downloads.

Everyone not entitled to a report gets a 404, anonymous included (no redirect to sign in, which
would tell that the address exists). A cleared account whose session's two-factor sign-in is too old
is sent to enter a new code, but only for a report it would then read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.access.levels import Classification
from kenes.access.policy import effective_clearance, is_strongly_authenticated
from kenes.errors import ActionError
from kenes.security import actions, pdf, queries
from kenes.security.models import Category, Severity, SeverityView, ThreatReport
from kenes.states.models import State
from kenes.states.queries import by_name, members_on

TEXT_TYPES = (".txt", ".csv", ".md", ".log")


def _reauth(request: HttpRequest) -> HttpResponse:
    # After the code, come back to the page (a form's POST cannot be replayed: back to the list).
    target = request.get_full_path() if request.method == "GET" else reverse("security_list")
    query = urlencode({"reauth": "1", "next": target})
    return redirect(f"{reverse('two_factor_verify')}?{query}")


def _channel(request: HttpRequest) -> HttpResponse | None:
    """None when the account may use the channel now; a redirect to re-enter the code when its
    session is stale; otherwise 404."""
    user = request.user
    if not queries.has_channel(user):
        raise Http404("Not found")
    if effective_clearance(user) != Classification.RESTRICTED:
        if is_strongly_authenticated(user):
            return _reauth(request)
        raise Http404("Not found")
    return None


def _report(request: HttpRequest, pk: int) -> ThreatReport | HttpResponse:
    try:
        return queries.report_for(request.user, pk)
    except queries.NeedsReauth:
        return _reauth(request)


def _member_states() -> list[State]:
    return by_name(members_on(actions.security_format().mechanism_id))


def report_list(request: HttpRequest) -> HttpResponse:
    stop = _channel(request)
    if stop is not None:
        return stop
    reports = list(queries.reports_for(request.user))
    return render(request, "security/report_list.html", {"reports": reports, "restricted": True})


def report_create(request: HttpRequest) -> HttpResponse:
    stop = _channel(request)
    if stop is not None:
        return stop
    errors: dict[str, str] = {}
    data: Any = request.POST if request.method == "POST" else {}
    status = 200
    if request.method == "POST":
        try:
            occurred = dt.datetime.fromisoformat(request.POST.get("occurred_at", ""))
        except ValueError:
            occurred = None
        try:
            if occurred is None:
                raise ActionError(_("Give the date and time (YYYY-MM-DD HH:MM)."), field="occurred_at")
            if timezone.is_naive(occurred):
                occurred = timezone.make_aware(occurred, dt.UTC)
            codes = request.POST.getlist("distribution")
            distribution = list(State.objects.filter(iso2__in=codes))
            if len(distribution) != len(set(codes)):
                raise ActionError(_("Unknown state."), field="distribution")
            report = actions.file_report(
                request.user,
                title=request.POST.get("title", ""),
                category=request.POST.get("category", ""),
                severity=request.POST.get("severity", 0),  # type: ignore[arg-type]
                occurred_at=occurred,
                summary=request.POST.get("summary", ""),
                details=request.POST.get("details", ""),
                place=request.POST.get("place", ""),
                distribution=distribution,
                affected_states=list(State.objects.filter(iso2__in=request.POST.getlist("affected_states"))),
                attachment=request.FILES.get("attachment"),
            )
        except ActionError as exc:
            errors[exc.field or "form"] = exc.message
            status = exc.status
        else:
            messages.success(request, _("The report is filed and distributed."))
            return redirect("security_report", pk=report.pk)
    context = {
        "errors": errors,
        "data": data,
        "chosen": data.getlist("distribution") if data else [],
        "affected": data.getlist("affected_states") if data else [],
        "categories": Category.choices,
        "severities": Severity.choices,
        "members": _member_states(),
        "states": by_name(State.objects.all()),
        "restricted": True,
    }
    return render(request, "security/report_form.html", context, status=status)


def _render_report(
    request: HttpRequest, report: ThreatReport, *, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    requests = list(queries.requests_for(user, report))
    slots = {r.pk: queries.consultation_slots(user, r) for r in requests if r.meeting_id is None}
    context = {
        "report": report,
        "assessments": list(queries.assessments_for(user, report)),
        "requests": [(r, slots.get(r.pk, [])) for r in requests],
        "views": SeverityView.choices,
        "may_read_log": queries.may_see_read_log(user, report),
        "errors": errors or {},
        "data": request.POST if request.method == "POST" else {},
        "restricted": True,
    }
    return render(request, "security/report_detail.html", context, status=status)


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if isinstance(report, HttpResponse):
        return report
    actions.record_read(request.user, report, "view")
    return _render_report(request, report)


def report_reads(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if isinstance(report, HttpResponse):
        return report
    reads = list(queries.read_log_for(request.user, report))
    return render(request, "security/report_reads.html", {"report": report, "reads": reads, "restricted": True})


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if isinstance(report, HttpResponse):
        return report
    actions.record_read(request.user, report, "download")
    return _pdf_response(pdf.render(report, email=request.user.email), f"threat-report-{report.pk}.pdf")  # type: ignore[union-attr]


def report_attachment(request: HttpRequest, pk: int) -> HttpResponse | FileResponse:
    """The attachment: a text file comes inside a watermarked PDF of the report; other files are
    served as they are, with the account named in the file name."""
    report = _report(request, pk)
    if isinstance(report, HttpResponse):
        return report
    if not report.attachment:
        raise Http404("Not found")
    try:
        handle = report.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Not found") from exc
    with handle:
        raw = handle.read()
    # Every download is a PDF that names the account on every page (pdf.attachment_pdf). A stored
    # file that cannot be made into one is a 400 saying so; it was not read, so no read is logged.
    try:
        data = pdf.attachment_pdf(report, raw, email=request.user.email)  # type: ignore[union-attr]
    except ActionError as exc:
        return render(request, "web/error.html", {"message": exc.message}, status=exc.status)
    actions.record_read(request.user, report, "download")
    return _pdf_response(data, f"{report.attachment_name}.restricted.pdf")


def _post_action(request: HttpRequest, pk: int, run: Any, done: str) -> HttpResponse:
    report = _report(request, pk)
    if isinstance(report, HttpResponse):
        return report
    try:
        result = run(report)
    except ActionError as exc:
        return _render_report(request, report, errors={exc.field or "form": exc.message}, status=exc.status)
    messages.success(request, done)
    if isinstance(result, HttpResponse):
        return result
    return redirect("security_report", pk=report.pk)


@require_POST
def report_assess(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda r: actions.assess(
            request.user,
            r,
            view=request.POST.get("view", ""),
            comments=request.POST.get("comments", ""),
            measures=request.POST.get("measures", ""),
        ),
        _("Your assessment is recorded."),
    )


@require_POST
def report_measures(request: HttpRequest, pk: int) -> HttpResponse:
    def run(report: ThreatReport) -> HttpResponse:
        text = actions.draft_joint_measures(request.user, report)
        return redirect("text_room", code=text.code)

    return _post_action(request, pk, run, _("The joint measures are drafted as a restricted text."))


@require_POST
def report_consultation(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_action(
        request,
        pk,
        lambda r: actions.request_consultation(
            request.user,
            r,
            within_days=request.POST.get("within_days", 0),  # type: ignore[arg-type]
        ),
        _("The request is made; the secretariat is alerted. Choose a day below."),
    )


@require_POST
def report_convene(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    def run(report: ThreatReport) -> HttpResponse:
        made = queries.requests_for(request.user, report).filter(pk=request_pk).first()
        if made is None:
            raise Http404("Not found")
        try:
            start = dt.date.fromisoformat(request.POST.get("start", ""))
        except ValueError as exc:
            raise ActionError(_("Dates are written YYYY-MM-DD."), field="start") from exc
        meeting = actions.convene_consultation(request.user, made, start=start)
        return redirect("meeting_detail", code=meeting.code)

    return _post_action(request, pk, run, _("The extraordinary consultation is planned."))
