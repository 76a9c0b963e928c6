"""Pages of formats and meetings: rules, cadence, planning, invitations, agenda, delegations.

Every change calls ``meetings.actions`` (which checks permission, validates, audits); every read
goes through ``meetings.queries`` or the access policy. An object the account may not read is a
404; bad input re-renders the form with the message (400), a stale form keeps the user's input
(409), and a refused change is a 403 page with the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zoneinfo
from typing import Any
from urllib.parse import urlencode

import holidays
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.access.levels import Classification, rank
from kenes.access.policy import get_visible_or_404
from kenes.errors import ActionError
from kenes.inputs import refuse_forbidden
from kenes.meetings import actions, queries
from kenes.meetings.cadence import CadenceState
from kenes.meetings.labels import cadence_label, due_text
from kenes.meetings.models import (
    AgendaItem,
    AgendaStatus,
    ChairRule,
    DecisionRule,
    DelegationRole,
    Document,
    Format,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Standing,
)
from kenes.meetings.permissions import is_focal_point, is_secretariat
from kenes.meetings.scheduling import MAX_SPAN_DAYS, MAX_WINDOW_DAYS, SchedulingError, holiday_name
from kenes.states.models import State
from kenes.states.queries import members_on

# --- helpers ------------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _version(data: QueryDict) -> int:
    try:
        return int(data.get("version", ""))
    except ValueError:
        return -1


def _state_or_none(code: str, field: str) -> State | None:
    code = refuse_forbidden(code or "", field).strip().upper()
    if not code:
        return None
    state = State.objects.filter(iso2=code).first()
    if state is None:
        raise ActionError(_("Unknown state."), field=field)
    return state


def _parse_date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ActionError(_("Dates are written YYYY-MM-DD."), field=field) from None


def _utc_offset(zone: str, day: dt.date | None) -> str:
    """``UTC+05:00`` for a venue's IANA zone on the meeting's first day (or today)."""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    moment = dt.datetime.combine(day or timezone.localdate(), dt.time(12), tzinfo=tz)
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _shared_levels(floor: str = Classification.PUBLIC) -> list[Classification]:
    """Levels a page may set: restricted material is made in the security channel, with a distribution."""
    return [c for c in Classification if c != Classification.RESTRICTED and rank(c) >= rank(floor)]


# --- formats --------------------------------------------------------------------------------------


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
        "levels": _shared_levels(),
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
            expected_version=_version(data),
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


# --- planning -------------------------------------------------------------------------------------

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
    guest_choices = list(State.objects.exclude(pk__in=members_on(fmt.mechanism_id)).order_by("name_en"))
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
        start = _parse_date(start_text, "start")
        end = _parse_date(end_text, "end")
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
    template = "meetings/_suggestions.html" if _is_htmx(request) else "meetings/format_plan.html"
    return render(request, template, context, status=error.status if error else 200)


def _meeting_form_initial(fmt: Format, query: QueryDict) -> dict[str, Any]:
    """A new meeting's form, prefilled from a chosen suggestion: dates, the host and its capital."""
    host = State.objects.filter(iso2=(query.get("host") or "").upper()).first()
    chair = ""
    if host and fmt.chair_rule in (ChairRule.HOST, ChairRule.ROTATION):
        chair = host.iso2
    return {
        "start_text": query.get("start", ""),
        "end_text": query.get("end", ""),
        "city_en": host.capital_en if host else "",
        "country": host.iso2 if host else "",
        "chair_state": chair,
        "timezone": host.timezone if host else "",
        "kind": MeetingKind.REGULAR,
        "classification": fmt.default_classification,
        "title_en": "",
        "title_ru": "",
    }


@login_required
def meeting_create(request: HttpRequest, code: str) -> HttpResponse:
    fmt = get_object_or_404(queries.formats(), code=code)
    if not is_secretariat(request.user, fmt):
        raise PermissionDenied(_("Only the secretariat of this format may do this."))
    error: ActionError | None = None
    if request.method == "POST":
        data = request.POST
        form: dict[str, Any] = {key: data.get(key, "") for key in _meeting_form_initial(fmt, QueryDict())}
        try:
            meeting = actions.create_meeting(
                request.user,
                fmt=fmt,
                start_text=form["start_text"].strip(),
                end_text=form["end_text"].strip(),
                city_en=form["city_en"],
                country=_state_or_none(form["country"], "country"),
                chair_state=_state_or_none(form["chair_state"], "chair_state"),
                timezone_name=form["timezone"].strip(),
                kind=form["kind"] or MeetingKind.REGULAR,
                classification=form["classification"] or None,
                # Stripped by the action after its check: str.strip() would remove a C1 control
                # character (U+0085) before the check could refuse it.
                title_en=form["title_en"],
                title_ru=form["title_ru"],
            )
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("meeting_detail", code=meeting.code)
    else:
        form = _meeting_form_initial(fmt, request.GET)
    states = list(State.objects.order_by("name_en"))
    context = {
        "format": fmt,
        "form": form,
        "error": error,
        "states": states,
        "members": list(members_on(fmt.mechanism_id).order_by("name_en")),
        "timezones": sorted({s.timezone for s in states if s.timezone}),
        "kinds": MeetingKind.choices,
        "levels": _shared_levels(),
        "next_ordinal": actions.next_ordinal(fmt),
    }
    return render(request, "meetings/meeting_create.html", context, status=error.status if error else 200)


# --- meetings -------------------------------------------------------------------------------------


def meeting_list(request: HttpRequest) -> HttpResponse:
    format_code = request.GET.get("format") or None
    meetings = queries.meetings_for(request.user, format_code=format_code).annotate(
        document_count=Count("documents", filter=Q(documents__in=queries.documents_for(request.user)))
    )
    return render(
        request,
        "meetings/meeting_list.html",
        {"meetings": meetings, "formats": Format.objects.all(), "selected": format_code},
    )


TRANSITION_LABELS = {
    MeetingStatus.CONVENED: gettext_lazy("Convene"),
    MeetingStatus.HELD: gettext_lazy("Mark as held"),
    MeetingStatus.POSTPONED: gettext_lazy("Postpone"),
    MeetingStatus.CANCELLED: gettext_lazy("Cancel the meeting"),
    MeetingStatus.PLANNED: gettext_lazy("Back to planned"),
}
RESCHEDULABLE = (MeetingStatus.PLANNED, MeetingStatus.CONVENED, MeetingStatus.POSTPONED)
TRANSITION_ORDER = [
    MeetingStatus.CONVENED,
    MeetingStatus.HELD,
    MeetingStatus.PLANNED,
    MeetingStatus.POSTPONED,
    MeetingStatus.CANCELLED,
]


# "pending" of an agenda item is not the "pending" (awaiting an answer) of an invitation.
AGENDA_STATUS_LABELS: dict[str, Any] = {
    AgendaStatus.PENDING.value: pgettext_lazy("agenda item", "pending"),
    AgendaStatus.UNDER_DISCUSSION.value: AgendaStatus.UNDER_DISCUSSION.label,
    AgendaStatus.DONE.value: AgendaStatus.DONE.label,
}


def _agenda_context(
    request: HttpRequest,
    meeting: Meeting,
    manage: bool,
    *,
    error: ActionError | None = None,
    data: QueryDict | None = None,
) -> dict[str, Any]:
    documents: list[Document] = []
    if manage:
        documents = getattr(meeting, "visible_documents", None) or list(
            queries.documents_for(request.user, Document.objects.filter(meeting=meeting))
        )
    agenda = queries.agenda_for(request.user, meeting)
    for _number, item in agenda:
        item.status_label = AGENDA_STATUS_LABELS.get(item.status, item.status)  # type: ignore[attr-defined]
    return {
        "meeting": meeting,
        "may_manage": manage,
        "agenda": agenda,
        "agenda_levels": _shared_levels(meeting.classification),
        "agenda_statuses": [(value, AGENDA_STATUS_LABELS[value]) for value in AgendaStatus.values],
        "agenda_documents": documents,
        "agenda_error": error,
        "agenda_form": data,
    }


def _delegation_rows(data: QueryDict) -> list[dict[str, str]]:
    """The rows of the delegation form; rows left without a name are dropped."""
    rows = []
    count = data.get("rows", "0")
    for index in range(min(int(count), 200) if count.isdigit() else 0):
        row = {
            "full_name": data.get(f"full_name_{index}", "").strip(),
            "position_title": data.get(f"position_title_{index}", "").strip(),
            "role": data.get(f"role_{index}", DelegationRole.MEMBER),
        }
        if row["full_name"] or row["position_title"]:
            rows.append(row)
    return rows


def _meeting_context(
    request: HttpRequest,
    meeting: Meeting,
    *,
    errors: dict[str, ActionError] | None = None,
    data: QueryDict | None = None,
) -> dict[str, Any]:
    user = request.user
    fmt = meeting.format
    manage = is_secretariat(user, fmt)
    focal = is_focal_point(user)
    errors = errors or {}
    invitations = queries.invitations_for(user, meeting)
    state_id = getattr(user, "state_id", None)
    signed_in = bool(getattr(user, "is_authenticated", False))

    invitable_states: list[State] = []
    if manage:
        taken = {i.state_id for i in invitations if i.state_id and i.status != InvitationStatus.REVOKED}
        invitable_states = list(
            State.objects.exclude(pk__in=members_on(fmt.mechanism_id, meeting.start_sort))
            .exclude(pk__in=taken)
            .order_by("name_en")
        )

    delegations = list(queries.delegations_for(meeting)) if signed_in else []
    own_delegation = next((d for d in delegations if d.state_id == state_id), None)
    may_keep_delegation = False
    if focal and state_id:
        is_member = members_on(fmt.mechanism_id, meeting.start_sort).filter(pk=state_id).exists()
        accepted = any(i.state_id == state_id and i.status == InvitationStatus.ACCEPTED for i in invitations)
        may_keep_delegation = is_member or accepted
    delegation_rows: list[dict[str, str]] = []
    if may_keep_delegation:
        if "delegation" in errors and data is not None:
            delegation_rows = _delegation_rows(data)
        elif own_delegation is not None:
            delegation_rows = [
                {"full_name": m.full_name, "position_title": m.position_title, "role": m.role}
                for m in own_delegation.members.all()
            ]
        delegation_rows += [{"full_name": "", "position_title": "", "role": DelegationRole.MEMBER}] * 3

    transitions = [
        (status, TRANSITION_LABELS[status])
        for status in TRANSITION_ORDER
        if status in actions.TRANSITIONS.get(meeting.status, set())
    ]
    context = {
        "meeting": meeting,
        "may_manage": manage,
        "is_focal_point": focal,
        "signed_in": signed_in,
        "user_state_id": state_id,
        "transitions": transitions,
        "may_reschedule": manage and meeting.status in RESCHEDULABLE,
        "may_invite": manage and meeting.status not in (MeetingStatus.HELD, MeetingStatus.CANCELLED),
        "venue_timezone": meeting.venue_timezone,
        "venue_offset": _utc_offset(meeting.venue_timezone, meeting.start_date) if meeting.venue_timezone else "",
        "invitations": invitations,
        "invitable_states": invitable_states,
        "standings": [(c, Standing(c).label) for c in fmt.invitable_standings if c in Standing.values],
        "delegations": delegations,
        "may_keep_delegation": may_keep_delegation,
        "own_delegation": own_delegation,
        "delegation_rows": delegation_rows,
        "delegation_roles": DelegationRole.choices,
        "errors": {name: exc.message for name, exc in errors.items()},
        "form": data,
    }
    context.update(
        _agenda_context(request, meeting, manage, error=errors.get("agenda"), data=data if "agenda" in errors else None)
    )
    return context


def _render_meeting(
    request: HttpRequest,
    code: str,
    *,
    errors: dict[str, ActionError] | None = None,
    data: QueryDict | None = None,
    status: int = 200,
) -> HttpResponse:
    from kenes.texts.queries import texts_for

    meeting = queries.meeting_detail(request.user, code)
    context = _meeting_context(request, meeting, errors=errors, data=data)
    context["texts"] = list(texts_for(request.user).filter(meeting=meeting).order_by("-created_at", "code"))
    return render(request, "meetings/meeting_detail.html", context, status=status)


def meeting_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        return _render_meeting(request, code)
    except Http404:
        pending = _pending_invitation(request, code)
        if pending is None:
            raise
        return render(
            request,
            "meetings/invitation_pending.html",
            {"invitation": pending, "meeting": pending.meeting, "is_focal_point": is_focal_point(request.user)},
        )


def _pending_invitation(request: HttpRequest, code: str) -> Invitation | None:
    """The invitation addressed to the account's state for a meeting it cannot read yet.

    The invitation itself tells the invited delegation what it is invited to (title, dates, venue),
    so that its focal point can answer; nothing of the meeting's material is shown before that.
    """
    state_id = getattr(request.user, "state_id", None)
    if not getattr(request.user, "is_authenticated", False) or not state_id:
        return None
    return (
        Invitation.objects.select_related("meeting__format", "meeting__country", "state")
        .filter(meeting__code=code, state_id=state_id, status=InvitationStatus.PENDING)
        .first()
    )


def _meeting_for_change(request: HttpRequest, code: str) -> Meeting:
    return get_visible_or_404(request.user, Meeting.objects.select_related("format", "country"), code=code)


def _after(request: HttpRequest, meeting: Meeting, anchor: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(f"{reverse('meeting_detail', args=[meeting.code])}#{anchor}")


@login_required
@require_POST
def meeting_status(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _meeting_for_change(request, code)
    try:
        actions.change_meeting_status(
            request.user, meeting, request.POST.get("to", ""), expected_version=_version(request.POST)
        )
    except ActionError as exc:
        return _render_meeting(request, code, errors={"status": exc}, data=request.POST, status=exc.status)
    return _after(request, meeting, "status", _("The meeting's status is changed."))


@login_required
@require_POST
def meeting_reschedule(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _meeting_for_change(request, code)
    data = request.POST
    try:
        actions.reschedule_meeting(
            request.user,
            meeting,
            start_text=data.get("start_text", "").strip(),
            end_text=data.get("end_text", "").strip(),
            expected_version=_version(data),
            city_en=data.get("city_en"),
        )
    except ActionError as exc:
        return _render_meeting(request, code, errors={"reschedule": exc}, data=data, status=exc.status)
    return _after(request, meeting, "status", _("The meeting has new dates."))


@login_required
@require_POST
def invitation_create(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _meeting_for_change(request, code)
    data = request.POST
    try:
        state = _state_or_none(data.get("state", ""), "state")
        actions.invite(request.user, meeting, state=state, standing=data.get("standing", Standing.GUEST))
    except ActionError as exc:
        return _render_meeting(request, code, errors={"invite": exc}, data=data, status=exc.status)
    return _after(request, meeting, "invitations", _("The invitation is sent."))


@login_required
@require_POST
def invitation_answer(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    invitation = queries.invitation_for(request.user, pk, meeting_code=code)
    accept = request.POST.get("answer") == "accept"
    try:
        actions.answer_invitation(request.user, invitation, accept=accept)
    except ActionError as exc:
        try:
            return _render_meeting(request, code, errors={"invitation": exc}, status=exc.status)
        except Http404:
            return render(request, "web/error.html", {"message": exc.message}, status=exc.status)
    if accept:
        return _after(request, invitation.meeting, "invitations", _("You accepted the invitation."))
    messages.success(request, _("You declined the invitation."))
    return redirect("notification_list")


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    invitation = queries.invitation_for(request.user, pk, meeting_code=code)
    meeting = invitation.meeting
    try:
        actions.revoke_invitation(request.user, invitation)
    except ActionError as exc:
        return _render_meeting(request, code, errors={"invitation": exc}, status=exc.status)
    return _after(request, meeting, "invitations", _("The invitation is revoked."))


# --- agenda ---------------------------------------------------------------------------------------


def _agenda_response(
    request: HttpRequest,
    meeting: Meeting,
    *,
    message: str = "",
    error: ActionError | None = None,
    data: QueryDict | None = None,
) -> HttpResponse:
    """The agenda section for HTMX (swapped in place), or back to the meeting page without JS."""
    if _is_htmx(request):
        context = _agenda_context(request, meeting, is_secretariat(request.user, meeting.format), error=error,
                                  data=data)  # fmt: skip
        context["agenda_message"] = message
        return render(request, "meetings/_agenda.html", context, status=error.status if error else 200)
    if error is not None:
        return _render_meeting(request, meeting.code, errors={"agenda": error}, data=data, status=error.status)
    return _after(request, meeting, "agenda", message)


@login_required
@require_POST
def agenda_add(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _meeting_for_change(request, code)
    data = request.POST
    ids = [int(v) for v in data.getlist("documents") if v.isdigit()]
    documents = list(queries.documents_for(request.user, Document.objects.filter(meeting=meeting, pk__in=ids)))
    try:
        actions.add_agenda_item(
            request.user,
            meeting,
            title=data.get("title", ""),
            classification=data.get("classification") or None,
            presenter=data.get("presenter", ""),
            documents=documents,
        )
    except ActionError as exc:
        return _agenda_response(request, meeting, error=exc, data=data)
    return _agenda_response(request, meeting, message=_("The item is added to the agenda."))


def _agenda_item(request: HttpRequest, meeting: Meeting, pk: int) -> AgendaItem:
    return get_visible_or_404(request.user, AgendaItem.objects.filter(meeting=meeting), pk=pk)


@login_required
@require_POST
def agenda_move(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    meeting = _meeting_for_change(request, code)
    item = _agenda_item(request, meeting, pk)
    visible_items = [entry for _number, entry in queries.agenda_for(request.user, meeting)]
    index = next(i for i, entry in enumerate(visible_items) if entry.pk == item.pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    try:
        if not 0 <= index + step < len(visible_items):
            raise ActionError(_("There is no such place on the agenda."), field="position")
        # Take the place of the neighbour the reader sees (positions are 1… over all items).
        actions.move_agenda_item(request.user, item, to_position=visible_items[index + step].position)
    except ActionError as exc:
        return _agenda_response(request, meeting, error=exc)
    return _agenda_response(request, meeting, message=_("The agenda is reordered."))


@login_required
@require_POST
def agenda_status(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    meeting = _meeting_for_change(request, code)
    item = _agenda_item(request, meeting, pk)
    try:
        actions.update_agenda_item(
            request.user, item, expected_version=_version(request.POST), status=request.POST.get("status", "")
        )
    except ActionError as exc:
        return _agenda_response(request, meeting, error=exc)
    return _agenda_response(request, meeting, message=_("The item's status is changed."))


# --- delegations ----------------------------------------------------------------------------------


@login_required
@require_POST
def delegation_save(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _meeting_for_change(request, code)
    data = request.POST
    version = data.get("version", "")
    try:
        actions.save_delegation(
            request.user,
            meeting,
            members=_delegation_rows(data),
            expected_version=int(version) if version.isdigit() else None,
        )
    except ActionError as exc:
        return _render_meeting(request, code, errors={"delegation": exc}, data=data, status=exc.status)
    return _after(request, meeting, "delegations", _("Your delegation's list is saved."))


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@login_required
def delegations_csv(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _meeting_for_change(request, code)
    if not is_secretariat(request.user, meeting.format):
        raise PermissionDenied(_("Only the secretariat of this format may export the members."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "-", meeting.code)
    response["Content-Disposition"] = f'attachment; filename="{filename}-delegations.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow([_("State"), _("State code"), _("No."), _("Full name"), _("Position"), _("Role")])
    for delegation in queries.delegations_for(meeting):
        for number, member in enumerate(delegation.members.all(), start=1):
            writer.writerow(
                [
                    _cell(delegation.state.name),
                    delegation.state.iso2,
                    number,
                    _cell(member.full_name),
                    _cell(member.position_title),
                    member.get_role_display(),
                ]
            )
    return response


# --- cadence and notifications --------------------------------------------------------------------


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


def _safe_link(url: str) -> str:
    """Notification links are paths inside Kenes; anything else is not linked."""
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    from kenes.people.models import Notification

    notifications = list(Notification.objects.filter(account=request.user)[:200])  # type: ignore[misc]
    for notification in notifications:
        notification.link = _safe_link(notification.url)  # type: ignore[attr-defined]
    unread = sum(1 for n in notifications if n.read_at is None)
    return render(request, "meetings/notifications.html", {"notifications": notifications, "unread": unread})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    from kenes.people.actions import mark_notifications_read

    count = mark_notifications_read(request.user)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notification_list")
