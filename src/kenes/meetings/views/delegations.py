"""A state's delegation to a meeting, and the delegations list as CSV."""

from __future__ import annotations

import csv
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.meetings import actions, participants, queries
from kenes.meetings.models import Meeting
from kenes.meetings.permissions import is_secretariat
from kenes.meetings.views.meeting_page import (
    back_to_meeting,
    delegation_table,
    meeting_for_change,
    on_meeting_page,
)
from kenes.web.forms import renders_action_errors


@login_required
@require_POST
@renders_action_errors(on_meeting_page("delegation"))
def delegation_save(request: HttpRequest, code: str) -> HttpResponse:
    meeting = meeting_for_change(request, code)
    data = request.POST
    version = data.get("version", "")
    actions.save_delegation(
        request.user,
        meeting,
        members=delegation_table(data),
        expected_version=int(version) if version.isdigit() else None,
    )
    return back_to_meeting(request, meeting, "delegations", _("Your delegation's list is saved."))


@login_required
@require_POST
@renders_action_errors(on_meeting_page("accreditation", keep_input=False))
def accreditation_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    member = queries.delegation_member_for(request.user, pk, meeting_code=code)
    approve = request.POST.get("decision") == "approve"
    actions.decide_accreditation(request.user, member, approve=approve, note=request.POST.get("note", ""))
    message = _("The member is accredited.") if approve else _("The accreditation is refused.")
    return back_to_meeting(request, member.delegation.meeting, "delegations", message)


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _exportable(request: HttpRequest, code: str) -> Meeting:
    """The meeting whose members the reader exports (CSV or PDF): its format's secretariat only."""
    meeting = meeting_for_change(request, code)
    if not is_secretariat(request.user, meeting.format):
        raise PermissionDenied(_("Only the secretariat of this format may export the members."))
    return meeting


@login_required
def delegations_csv(request: HttpRequest, code: str) -> HttpResponse:
    meeting = _exportable(request, code)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "-", meeting.code)
    response["Content-Disposition"] = f'attachment; filename="{filename}-delegations.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("State"), _("State code"), _("No."), _("Full name"), _("Position"), _("Role"), _("Accreditation")]
    )
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
                    member.get_accreditation_display(),
                ]
            )
    return response


@login_required
def participants_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The list of participants as PDF, for the secretariat that exports the members."""
    meeting = _exportable(request, code)
    response = HttpResponse(participants.render(meeting), content_type="application/pdf")
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "-", meeting.code)
    response["Content-Disposition"] = f'attachment; filename="{filename}-participants.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
