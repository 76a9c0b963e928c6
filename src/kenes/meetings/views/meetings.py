"""Pages of meetings: the list, a new meeting, a meeting's page, its status and dates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.models import (
    ChairRule,
    Format,
    MeetingKind,
)
from kenes.meetings.permissions import is_focal_point, is_secretariat
from kenes.meetings.views.common import form_version, shared_levels, state_or_none
from kenes.meetings.views.meeting_page import (
    back_to_meeting,
    meeting_for_change,
    on_meeting_page,
    pending_invitation,
    render_meeting,
)
from kenes.states.models import State
from kenes.states.queries import by_name, members_on
from kenes.web.forms import renders_action_errors


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
                country=state_or_none(form["country"], "country"),
                chair_state=state_or_none(form["chair_state"], "chair_state"),
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
    states = by_name(State.objects.all())
    context = {
        "format": fmt,
        "form": form,
        "error": error,
        "states": states,
        "members": list(members_on(fmt.mechanism_id).order_by("name_en")),
        "timezones": sorted({s.timezone for s in states if s.timezone}),
        "kinds": MeetingKind.choices,
        "levels": shared_levels(),
        "next_ordinal": actions.next_ordinal(fmt),
    }
    return render(request, "meetings/meeting_create.html", context, status=error.status if error else 200)


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


def meeting_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        return render_meeting(request, code)
    except Http404:
        pending = pending_invitation(request, code)
        if pending is None:
            raise
        return render(
            request,
            "meetings/invitation_pending.html",
            {"invitation": pending, "meeting": pending.meeting, "is_focal_point": is_focal_point(request.user)},
        )


@login_required
@require_POST
@renders_action_errors(on_meeting_page("status"))
def meeting_status(request: HttpRequest, code: str) -> HttpResponse:
    meeting = meeting_for_change(request, code)
    actions.change_meeting_status(
        request.user, meeting, request.POST.get("to", ""), expected_version=form_version(request.POST)
    )
    return back_to_meeting(request, meeting, "status", _("The meeting's status is changed."))


@login_required
@require_POST
@renders_action_errors(on_meeting_page("reschedule"))
def meeting_reschedule(request: HttpRequest, code: str) -> HttpResponse:
    meeting = meeting_for_change(request, code)
    data = request.POST
    actions.reschedule_meeting(
        request.user,
        meeting,
        start_text=data.get("start_text", "").strip(),
        end_text=data.get("end_text", "").strip(),
        expected_version=form_version(data),
        city_en=data.get("city_en"),
    )
    return back_to_meeting(request, meeting, "status", _("The meeting has new dates."))
