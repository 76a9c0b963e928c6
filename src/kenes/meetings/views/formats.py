"""Pages of formats: the list, a format's page with its rules form, the planning page, the cadence dashboard."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlencode

import holidays
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.cadence import CadenceState
from kenes.meetings.labels import cadence_label, due_text
from kenes.meetings.models import (
    ChairRule,
    DecisionRule,
    Format,
    Standing,
)
from kenes.meetings.permissions import is_secretariat
from kenes.meetings.scheduling import MAX_SPAN_DAYS, MAX_WINDOW_DAYS, SchedulingError, holiday_name
from kenes.meetings.views.common import form_version, is_htmx, parse_date, shared_levels
from kenes.states.models import State
from kenes.states.queries import by_name, members_on


def format_list(request: HttpRequest) -> HttpResponse:
    formats = queries.formats().annotate(
        meeting_count=Count("meetings", filter=Q(meetings__in=queries.meetings_for(request.user)))
    )
    return render(request, "meetings/format_list.html", {"formats": formats})


def _rules_form(fmt: Format, data: QueryDict | None) -> dict[str, Any]:
    """The values the rules form shows: what the user sent (after a refusal) or the format's own."""
    if data is not None:
        return {
            "cadence_months": data.get("cadence_months", ""),
            "rules_basis": data.get("rules_basis", ""),
            "chair_rule": data.get("chair_rule", ""),
            "rotation_order": data.get("rotation_order", ""),
            "decision_rule": data.get("decision_rule", ""),
            "invitable": data.getlist("invitable"),
            "default_classification": data.get("default_classification", ""),
            "working_languages": data.getlist("working_languages"),
            "guests_may_comment": data.get("guests_may_comment") == "on",
        }
    return {
        "cadence_months": "" if fmt.cadence_months is None else str(fmt.cadence_months),
        "rules_basis": fmt.rules_basis,
        "chair_rule": fmt.chair_rule,
        "rotation_order": ";".join(fmt.rotation),
        "decision_rule": fmt.decision_rule,
        "invitable": fmt.invitable_standings,
        "default_classification": fmt.default_classification,
        "working_languages": fmt.languages,
        "guests_may_comment": fmt.guests_may_comment,
    }


def _render_format(
    request: HttpRequest,
    fmt: Format,
    *,
    error: ActionError | None = None,
    data: QueryDict | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    chair, chair_reason = queries.next_chair(fmt)
    language_names = dict(settings.LANGUAGES)
    compliance = queries.format_compliance(fmt, account=user)
    rotation = {state.iso2: state.name for state in State.objects.filter(iso2__in=fmt.rotation)}
    context = {
        "format": fmt,
        "meetings": queries.meetings_for(user, format_code=fmt.code),
        "compliance": compliance,
        "cadence_label": cadence_label(compliance.state),
        "due_text": due_text(compliance.days_left),
        "next_chair": chair,
        "chair_reason": chair_reason,
        "rotation_names": [rotation.get(code, code) for code in fmt.rotation],
        "invitable_labels": [Standing(code).label for code in fmt.invitable_standings if code in Standing.values],
        "language_labels": [language_names.get(code, code) for code in fmt.languages],
        "may_manage": is_secretariat(user, fmt),
        "imposed_by": _imposed_by(user, fmt),
        "error": error,
        "rules": _rules_form(fmt, data),
        "chair_rules": ChairRule.choices,
        "decision_rules": DecisionRule.choices,
        "standings": Standing.choices,
        "levels": shared_levels(),
        "languages": settings.LANGUAGES,
    }
    return render(request, "meetings/format_detail.html", context, status=status)


def _imposed_by(account: Any, fmt: Format) -> Any:
    from kenes.decisions.queries import imposed_by

    return imposed_by(account, [fmt]).get(fmt.pk)


def format_detail(request: HttpRequest, code: str) -> HttpResponse:
    fmt = get_object_or_404(queries.formats(), code=code)
    return _render_format(request, fmt)


def _cadence_months(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ActionError(_("The cadence is a whole number of months."), field="cadence_months") from None


@login_required
@require_POST
def format_rules(request: HttpRequest, code: str) -> HttpResponse:
    fmt = get_object_or_404(queries.formats(), code=code)
    data = request.POST
    try:
        actions.update_format_rules(
            request.user,
            fmt,
            expected_version=form_version(data),
            cadence_months=_cadence_months(data.get("cadence_months", "")),
            chair_rule=data.get("chair_rule", ""),
            rotation_order=re.split(r"[;,\s]+", data.get("rotation_order", "")),
            decision_rule=data.get("decision_rule") or DecisionRule.CONSENSUS,
            invitable=data.getlist("invitable"),
            default_classification=data.get("default_classification", ""),
            working_languages=data.getlist("working_languages"),
            rules_basis=data.get("rules_basis", ""),
            guests_may_comment=data.get("guests_may_comment") == "on",
        )
    except ActionError as exc:
        fmt.refresh_from_db()
        return _render_format(request, fmt, error=exc, data=data, status=exc.status)
    messages.success(request, _("The rules are saved."))
    return redirect("format_detail", code=fmt.code)


_HOLIDAY = re.compile(r"^(?P<name>.+) \((?P<code>[A-Z]{2,3})\)$")


def _explain(avoided: list[str], calendars: set[str]) -> dict[str, list[Any]]:
    """Sort what a suggestion avoided into weekends, public holidays and clashing meetings."""
    weekends: list[dt.date] = []
    holidays: dict[dt.date, list[tuple[str, str, str]]] = {}
    clashes: dict[str, list[dt.date]] = {}
    for entry in avoided:
        day_text, _sep, reason = entry.partition(": ")
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            continue
        match = _HOLIDAY.match(reason)
        if reason == "weekend":
            if day not in weekends:
                weekends.append(day)
        elif match and match["code"] in calendars:
            named = holiday_name(match["code"], day, get_language() or "en") or (match["name"], "en")
            holidays.setdefault(day, []).append((named[0], named[1], match["code"]))
        else:
            clashes.setdefault(reason, []).append(day)
    return {
        "weekends": weekends,
        "holidays": sorted(holidays.items()),
        "clashes": [(label, days[0], days[-1]) for label, days in clashes.items()],
    }


@login_required
def format_plan(request: HttpRequest, code: str) -> HttpResponse:
    fmt = get_object_or_404(queries.formats(), code=code)
    if not is_secretariat(request.user, fmt):
        raise PermissionDenied(_("Only the secretariat of this format may do this."))
    today = timezone.localdate()
    guest_choices = by_name(State.objects.exclude(pk__in=members_on(fmt.mechanism_id)))
    query = request.GET
    start_text = query.get("start") or (today + dt.timedelta(days=14)).isoformat()
    end_text = query.get("end") or (today + dt.timedelta(days=104)).isoformat()
    days_text = query.get("days") or "2"
    guests = [g for g in query.getlist("guests") if g in {s.iso2 for s in guest_choices}]
    form = {"start": start_text, "end": end_text, "days": days_text, "guests": guests}
    error: ActionError | None = None
    result: dict[str, Any] | None = None
    rows: list[dict[str, Any]] = []
    try:
        start = parse_date(start_text, "start")
        end = parse_date(end_text, "end")
        days = int(days_text) if days_text.isdigit() else 0
        if not 1 <= days <= MAX_SPAN_DAYS:
            raise ActionError(_("A meeting lasts 1 to %(max)d days.") % {"max": MAX_SPAN_DAYS}, field="days")
        if end < start:
            raise ActionError(_("The window ends before it starts."), field="end")
        if (end - start).days > MAX_WINDOW_DAYS:
            raise ActionError(_("The window is at most %(max)d days long.") % {"max": MAX_WINDOW_DAYS}, field="end")
        try:
            result = queries.date_suggestions(request.user, fmt, start=start, end=end, days=days, guests=guests)
        except SchedulingError as exc:  # the checks above should have caught it
            raise ActionError(str(exc)) from exc
    except ActionError as exc:
        error = exc
    if result is not None:
        calendars = set(result["holiday_calendars"])
        hosts = {s.iso2: s for s in State.objects.filter(iso2__in={s.host for s in result["suggestions"] if s.host})}
        base = reverse("meeting_create", args=[fmt.code])
        for rank_number, suggestion in enumerate(result["suggestions"], start=1):
            params = {"start": suggestion.start.isoformat(), "end": suggestion.end.isoformat()}
            if suggestion.host:
                params["host"] = suggestion.host
            rows.append(
                {
                    "rank": rank_number,
                    "start": suggestion.start,
                    "end": suggestion.end,
                    "meets": suggestion.meets_deadline,
                    "host": hosts.get(suggestion.host or ""),
                    "plan_url": f"{base}?{urlencode(params)}",
                    **_explain(suggestion.avoided, calendars),
                }
            )
        supported = holidays.list_supported_countries()
        result["checked_calendars"] = sorted(code for code in calendars if code in supported)
        result["no_calendar"] = sorted(code for code in calendars if code not in supported)
    context = {
        "format": fmt,
        "form": form,
        "guest_choices": guest_choices,
        "error": error,
        "result": result,
        "rows": rows,
    }
    template = "meetings/_suggestions.html" if is_htmx(request) else "meetings/format_plan.html"
    return render(request, template, context, status=error.status if error else 200)


def cadence_dashboard(request: HttpRequest) -> HttpResponse:
    order = {CadenceState.OVERDUE: 0, CadenceState.DUE_SOON: 1, CadenceState.NEVER_HELD: 2, CadenceState.OK: 3,
             CadenceState.NO_RULE: 4}  # fmt: skip
    states = sorted(queries.dashboard(request.user), key=lambda pair: (order[pair[1].state], pair[1].days_left or 0))
    from kenes.decisions.queries import imposed_by  # which decision's instruction set a rule

    imposed = imposed_by(request.user, [fmt for fmt, _state in states])
    rows = [
        {"format": fmt, "compliance": state, "label": cadence_label(state.state), "due": due_text(state.days_left),
         "imposed_by": imposed.get(fmt.pk)}
        for fmt, state in states
    ]  # fmt: skip
    return render(request, "meetings/cadence.html", {"rows": rows, "today": timezone.localdate()})
