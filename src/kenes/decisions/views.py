"""Pages of decisions, instructions and reports: the follow-up dashboard, an instruction with its
reports and timeline, marking a decision and giving an instruction.

Every change calls ``decisions.actions``; every read goes through ``decisions.queries`` (already
narrowed by the access policy). An object the account may not read is a 404; bad input re-renders
the form with the message (400) and keeps what the user typed; a refused change is a 403 page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.access.levels import Classification, rank
from kenes.access.policy import get_visible_or_404
from kenes.decisions import actions, queries
from kenes.decisions.api import basis_note, csv_rows
from kenes.decisions.models import AssigneeKind, Decision, Instruction, Progress, Report, Review
from kenes.decisions.permissions import is_focal_point_of, may_report_for
from kenes.decisions.rules import STATUS_LABELS, Standing, Status
from kenes.errors import ActionError
from kenes.meetings.labels import cadence_label, due_text
from kenes.meetings.models import Format
from kenes.meetings.permissions import is_secretariat
from kenes.states.queries import members_on
from kenes.web.forms import Rerender, renders_action_errors

GROUPS = {
    "meeting": pgettext_lazy("group by", "meeting"),
    "assignee": pgettext_lazy("group by", "assignee"),
    "status": pgettext_lazy("group by", "status"),
}


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _row(instruction: Instruction, state: Standing) -> dict[str, Any]:
    return {
        "instruction": instruction,
        "standing": state,
        "title": queries.display_title(instruction, _language()),
        "assignee": queries.assignee_label(instruction),
        "schedule": queries.schedule_label(instruction),
        "due": due_text(state.days_left) if state.status not in (Status.DONE, Status.CANCELLED) else "",
    }


def _group_key(row: dict[str, Any], group: str) -> str:
    instruction: Instruction = row["instruction"]
    if group == "assignee":
        return str(row["assignee"])
    if group == "status":
        return str(STATUS_LABELS[row["standing"].status])
    return instruction.meeting.display_title if instruction.meeting else str(_("No meeting"))


# --- the follow-up dashboard ----------------------------------------------------------------------


def instruction_list(request: HttpRequest) -> HttpResponse:
    account = request.user
    today = timezone.localdate()
    filters = queries.Filters.from_query(request.GET)
    if filters.status and filters.status not in {str(s) for s in Status}:
        filters.status = ""
    group = request.GET.get("group") or "meeting"
    if group not in GROUPS:
        group = "meeting"
    everything = queries.standings(queries.instructions_for(account), today=today, account=account)
    rows = queries.apply(everything, filters, account)
    groups: dict[str, list[dict[str, Any]]] = {}
    for instruction, state in rows:
        row = _row(instruction, state)
        groups.setdefault(_group_key(row, group), []).append(row)
    overdue = [_row(i, s) for i, s in everything if s.status == Status.OVERDUE]
    may_mark = getattr(account, "affiliation", None) == "secretariat"  # the page lists the texts it runs
    query = filters.as_query()
    context = {
        "groups": list(groups.items()),
        "group": group,
        "group_choices": list(GROUPS.items()),
        "total": len(rows),
        "filters": filters,
        "choices": queries.filter_choices(everything),
        "counts": queries.counts(rows),
        "overdue": overdue,
        "chart": queries.completion_chart(rows, today),
        "csv_url": reverse("instruction_csv") + (f"?{urlencode(query)}" if query else ""),
        "api_url": "/api/v1/instructions" + (f"?{urlencode(query)}" if query else ""),
        "may_mark": may_mark,
        "today": today,
    }
    return render(request, "decisions/instruction_list.html", context)


def instruction_csv(request: HttpRequest) -> HttpResponse:
    """The dashboard's rows as CSV: the same access rules and filters as the page."""
    filters = queries.Filters.from_query(request.GET)
    if filters.status and filters.status not in {str(s) for s in Status}:
        filters.status = ""
    response = HttpResponse(csv_rows(queries.filtered(request.user, filters)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="instructions.csv"'
    return response


# --- one instruction ------------------------------------------------------------------------------


def _may_report(account: Any, instruction: Instruction) -> bool:
    """Whether to offer the report form: the rule ``file_report`` enforces, asked in advance."""
    if not getattr(account, "is_authenticated", False) or not getattr(account, "state_id", None):
        return False
    if instruction.is_proposal or instruction.is_cancelled:
        return False
    formats = [instruction.format] + ([instruction.assignee_format] if instruction.assignee_format else [])
    if not is_focal_point_of(account, account.state, formats):
        return False
    return may_report_for(instruction, account.state)


def _render_instruction(
    request: HttpRequest,
    pk: int,
    *,
    errors: dict[str, ActionError] | None = None,
    data: QueryDict | None = None,
    status: int = 200,
) -> HttpResponse:
    account = request.user
    instruction = queries.instruction_for(account, pk)
    today = timezone.localdate()
    compliance = None
    if instruction.tied_to_cadence and instruction.assignee_format:
        from kenes.meetings.queries import format_compliance

        compliance = format_compliance(instruction.assignee_format, today=today, account=account)
    state = queries.standing_of(instruction, today=today, account=account)
    reports = queries.reports_for(account, instruction)
    decision = queries.decision_for(account, instruction.decision_id) if instruction.decision_id else None
    unit_text = ""
    if decision is not None:
        unit_text = queries.unit_content(decision.unit, _language(), decision.text.working_language)
    may_manage = is_secretariat(account, instruction.format)
    context = {
        "instruction": instruction,
        "title": queries.display_title(instruction, _language()),
        "standing": state,
        "due_text": due_text(state.days_left) if state.status not in (Status.DONE, Status.CANCELLED) else "",
        "assignee": queries.assignee_label(instruction),
        "schedule": queries.schedule_label(instruction),
        "decision": decision,
        "unit_text": unit_text,
        "basis_note": basis_note(instruction),
        "compliance": compliance,
        "cadence_label": cadence_label(compliance.state) if compliance else "",
        "reports": reports,
        "hidden_reports": len(getattr(instruction, "all_reports", [])) - len(reports),
        "timeline": queries.timeline(instruction, reports),
        "may_manage": may_manage and not instruction.is_proposal,
        "may_report": _may_report(account, instruction),
        "progress_choices": Progress.choices,
        "submitted": Review.SUBMITTED,
        "errors": {name: exc.message for name, exc in (errors or {}).items()},
        "form": data or {},
    }
    return render(request, "decisions/instruction_detail.html", context, status=status)


def instruction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_instruction(request, pk)


def _on_instruction_page(form: str) -> Rerender:
    """The re-render for ``renders_action_errors`` of a form on the instruction page: the page again,
    the message beside ``form`` (formatted with the URL's arguments), what was typed kept."""

    def rerender(request: HttpRequest, exc: ActionError, pk: int, **kwargs: Any) -> HttpResponse:
        errors = {form.format(pk=pk, **kwargs): exc}
        return _render_instruction(request, pk, errors=errors, data=request.POST, status=exc.status)

    return rerender


def _after(request: HttpRequest, instruction: Instruction, anchor: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"{reverse('instruction_detail', args=[instruction.pk])}#{anchor}")


@login_required
@require_POST
@renders_action_errors(_on_instruction_page("report"))
def report_file(request: HttpRequest, pk: int) -> HttpResponse:
    instruction = queries.instruction_for(request.user, pk)
    data = request.POST
    actions.file_report(
        request.user,
        instruction,
        body=data.get("body", ""),
        progress=data.get("progress", ""),
        attachment=request.FILES.get("attachment"),
    )
    return _after(request, instruction, "reports", _("Your report is filed. The secretariat will review it."))


@login_required
@require_POST
@renders_action_errors(_on_instruction_page("review-{report_pk}"))
def report_review(request: HttpRequest, pk: int, report_pk: int) -> HttpResponse:
    instruction = queries.instruction_for(request.user, pk)
    report = get_visible_or_404(request.user, Report.objects.select_related("instruction__format"), pk=report_pk,
                                instruction=instruction)  # fmt: skip
    accept = request.POST.get("decision") == "accept"
    actions.review_report(request.user, report, accept=accept, comment=request.POST.get("comment", ""))
    message = _("The report is accepted.") if accept else _("The report is returned with your comment.")
    return _after(request, instruction, f"report-{report.pk}", message)


@login_required
def report_attachment(request: HttpRequest, pk: int, report_pk: int) -> FileResponse:
    """A report's attachment, for whoever may read the report (never from a public address)."""
    instruction = queries.instruction_for(request.user, pk)
    report = get_visible_or_404(request.user, Report.objects.all(), pk=report_pk, instruction=instruction)
    if not report.attachment:
        raise Http404("Not found")
    try:
        handle = report.attachment.open("rb")
    except FileNotFoundError as exc:
        raise Http404("Not found") from exc
    response = FileResponse(handle, as_attachment=True, filename=report.attachment_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
@renders_action_errors(_on_instruction_page("cancel"))
def instruction_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    instruction = queries.instruction_for(request.user, pk)
    actions.cancel_instruction(request.user, instruction, reason=request.POST.get("reason", ""))
    return _after(request, instruction, "status", _("The instruction is cancelled."))


# --- marking decisions and giving instructions ----------------------------------------------------


@login_required
def decision_texts(request: HttpRequest) -> HttpResponse:
    """The adopted texts the account may read and whose format it runs: where decisions are marked."""
    texts = [t for t in queries.adopted_texts(request.user).order_by("-adopted_at") if
             is_secretariat(request.user, t.format)]  # fmt: skip
    return render(request, "decisions/decision_texts.html", {"texts": texts})


@login_required
def decision_mark(request: HttpRequest, code: str) -> HttpResponse:
    from kenes.texts.queries import text_for, unit_named

    text = text_for(request.user, code)
    if not is_secretariat(request.user, text.format):
        raise PermissionDenied(_("Only the secretariat of this format may do this."))
    error: ActionError | None = None
    if request.method == "POST":
        try:
            unit = unit_named(text, request.POST.get("unit", ""), field="unit")
            decision = actions.mark_decision(request.user, text, unit)
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, _("The paragraph is marked as a decision. Now give its instructions."))
            return redirect("decision_detail", pk=decision.pk)
    marked = {d.unit_id: d for d in Decision.objects.filter(text=text)}
    language = _language()
    units = [
        {"unit": u, "content": queries.unit_content(u, language, text.working_language), "decision": marked.get(u.pk)}
        for u in text.units.filter(removed=False).order_by("order").prefetch_related("versions")
    ]
    context = {"text": text, "units": units, "error": error, "adopted": text.status == "adopted"}
    return render(request, "decisions/decision_mark.html", context, status=error.status if error else 200)


def _instruction_form(decision: Decision, data: QueryDict | None) -> dict[str, Any]:
    if data is None:
        return {"assignee_kind": AssigneeKind.STATES, "schedule": "due", "classification": decision.text.classification,
                "states": [], "title": "", "due_date": "", "recurrence_months": "", "assignee_format": "",
                "assignee_body": "", "meets": False}  # fmt: skip
    return {
        "title": data.get("title", ""),
        "assignee_kind": data.get("assignee_kind", ""),
        "assignee_format": data.get("assignee_format", ""),
        "assignee_body": data.get("assignee_body", ""),
        "states": data.getlist("state"),
        "schedule": data.get("schedule", ""),
        "due_date": data.get("due_date", ""),
        "recurrence_months": data.get("recurrence_months", ""),
        "meets": bool(data.get("meets")),
        "classification": data.get("classification", ""),
        "data": data,
    }


def _focal_points(text_format: Format, states: list[Any]) -> dict[int, list[Any]]:
    from kenes.people.models import Account, Role

    accounts = (
        Account.objects.filter(state__in=states, is_active=True, roles__role=Role.FOCAL_POINT)
        .filter(Q(roles__format__isnull=True) | Q(roles__format=text_format))
        .distinct()
        .order_by("full_name")
    )
    out: dict[int, list[Any]] = {}
    for account in accounts:
        assert account.state_id is not None
        out.setdefault(account.state_id, []).append(account)
    return out


def _render_decision(
    request: HttpRequest, pk: int, *, error: ActionError | None = None, data: QueryDict | None = None
) -> HttpResponse:
    decision = queries.decision_for(request.user, pk)
    text = decision.text
    may_manage = is_secretariat(request.user, text.format)
    form = _instruction_form(decision, data)
    state_rows = []
    if may_manage:
        states = list(members_on(text.format.mechanism_id).order_by("name_en"))
        focal = _focal_points(text.format, states)
        posted = form.get("data")
        for state in states:
            state_rows.append({
                "state": state,
                "focal_points": focal.get(state.pk, []),
                "checked": state.iso2 in form["states"],
                "ministry": posted.get(f"ministry_{state.iso2}", "") if posted else "",
                "focal": posted.get(f"focal_{state.iso2}", "") if posted else "",
            })  # fmt: skip
    instructions = queries.standings(queries.instructions_for(request.user).filter(decision=decision),
                                     account=request.user)  # fmt: skip
    context = {
        "decision": decision,
        "text": text,
        "unit_text": queries.unit_content(decision.unit, _language(), text.working_language),
        "instructions": [_row(i, s) for i, s in instructions],
        "may_manage": may_manage,
        "form": form,
        "error": error,
        "state_rows": state_rows,
        "formats": Format.objects.filter(mechanism_id=text.format.mechanism_id).order_by("id"),
        "assignee_kinds": AssigneeKind.choices,
        "levels": [c for c in Classification if rank(c) >= rank(text.classification)
                   and (c != Classification.RESTRICTED or text.classification == Classification.RESTRICTED)],
    }  # fmt: skip
    return render(request, "decisions/decision_detail.html", context, status=error.status if error else 200)


def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_decision(request, pk)


def _parse_date(value: str, field: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ActionError(_("Dates are written YYYY-MM-DD."), field=field) from None


def _parse_months(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ActionError(_("The recurrence is a whole number of months."), field="recurrence_months") from None


def _specs(data: QueryDict) -> list[actions.AssigneeSpec]:
    from kenes.people.models import Account
    from kenes.states.models import State

    specs = []
    for code in data.getlist("state"):
        state = State.objects.filter(iso2=code.strip().upper()).first()
        if state is None:
            raise ActionError(_("Unknown state."), field="states")
        focal_pk = (data.get(f"focal_{state.iso2}") or "").strip()
        focal = Account.objects.filter(pk=int(focal_pk)).first() if focal_pk.isdigit() else None
        if focal is None:
            raise ActionError(_("Choose the responsible focal point for %(state)s.") % {"state": state.name},
                              field="states")  # fmt: skip
        specs.append(actions.AssigneeSpec(state, focal, data.get(f"ministry_{state.iso2}") or ""))
    return specs


@login_required
@require_POST
def instruction_create(request: HttpRequest, pk: int) -> HttpResponse:
    decision = queries.decision_for(request.user, pk)
    data = request.POST
    try:
        kind = data.get("assignee_kind", "")
        schedule = data.get("schedule", "")
        due = _parse_date(data.get("due_date", ""), "due_date") if schedule == "due" else None
        months: int | None = None
        if schedule == "months":
            months = _parse_months(data.get("recurrence_months", ""))
            if months is None:
                raise ActionError(_("Give the number of months."), field="recurrence_months")
        elif schedule == "annual":
            months = 12
        elif schedule != "due":
            raise ActionError(_("Give either a due date or a recurrence (every N months or annually)."),
                              field="due_date")  # fmt: skip
        fmt = None
        if kind == AssigneeKind.FORMAT:
            fmt = Format.objects.filter(code=data.get("assignee_format", "")).first()
        instruction = actions.create_instruction(
            request.user,
            decision,
            title=data.get("title", ""),
            assignee_kind=kind,
            assignee_format=fmt,
            assignee_body=data.get("assignee_body", "") if kind == AssigneeKind.BODY else "",
            states=_specs(data) if kind == AssigneeKind.STATES else [],
            due_date=due,
            recurrence_months=months,
            meets=bool(data.get("meets")) and kind == AssigneeKind.FORMAT,
            classification=data.get("classification") or None,
        )
    except ActionError as exc:
        return _render_decision(request, pk, error=exc, data=data)
    messages.success(request, _("The instruction is given."))
    return redirect("instruction_detail", pk=instruction.pk)
