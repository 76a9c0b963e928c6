"""API: a state's delegation to a meeting, and the delegations list as CSV."""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from kenes.access.policy import require
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Key, Str, StrictSchema, Version, csv_cell, errors
from kenes.meetings import actions, participants, queries
from kenes.meetings.api.common import VERSIONED, WRITE, visible_meeting
from kenes.meetings.api.outputs import DelegationOut, delegation_out
from kenes.meetings.models import (
    DelegationRole,
)

router = Router(tags=["meetings"])


class DelegationMemberIn(StrictSchema):
    full_name: Str = Field(min_length=1, max_length=actions.MAX_NAME)
    position_title: Str = Field("", max_length=actions.MAX_NAME)
    role: DelegationRole = DelegationRole.MEMBER


class DelegationIn(StrictSchema):
    members: list[DelegationMemberIn] = Field(max_length=200)
    version: Version | None = None


@router.put("/meetings/{code}/delegation", response={200: DelegationOut, **VERSIONED}, auth=RequiredAuth())
def save_delegation(request: HttpRequest, code: Key, payload: DelegationIn) -> DelegationOut:
    """Replace the caller's own state's delegation list (its focal point keeps it)."""
    account = account_of(request)
    meeting = visible_meeting(account, code)
    delegation = actions.save_delegation(
        account,
        meeting,
        members=[
            {"full_name": m.full_name, "position_title": m.position_title, "role": str(m.role)} for m in payload.members
        ],
        expected_version=payload.version,
    )
    return delegation_out(queries.delegations_for(meeting).get(pk=delegation.pk))


class AccreditationIn(StrictSchema):
    approve: bool
    note: Str = Field("", max_length=actions.MAX_NOTE, description="Why it is refused (needed to refuse)")


class AccreditationOut(Schema):
    member: int
    state: str
    full_name: str
    accreditation: str
    note: str


@router.post(
    "/meetings/{code}/delegation-members/{member_id}/accreditation",
    response={200: AccreditationOut, **WRITE},
    auth=RequiredAuth(),
)
def decide_accreditation(request: HttpRequest, code: Key, member_id: int, payload: AccreditationIn) -> AccreditationOut:
    """The format's secretariat accredits a delegation member, or refuses with its reason."""
    account = account_of(request)
    member = queries.delegation_member_for(account, member_id, meeting_code=code)
    member = actions.decide_accreditation(account, member, approve=payload.approve, note=payload.note)
    return AccreditationOut(member=member.pk, state=member.delegation.state.iso2, full_name=member.full_name,
                            accreditation=member.accreditation, note=member.accreditation_note)  # fmt: skip


@router.get(
    "/meetings/{code}/delegations.csv",
    auth=RequiredAuth(),
    response=errors(403, 404, 422),
    openapi_extra={"responses": {200: {"description": "CSV: state, role, full_name, position, accreditation",
                                       "content": {"text/csv": {"schema": {"type": "string"}}}}}},
)  # fmt: skip
def export_delegations(request: HttpRequest, code: Key) -> HttpResponse:
    """Every delegation member of a meeting as CSV, for the secretariat that runs the meeting."""
    account = account_of(request)
    meeting = visible_meeting(account, code)
    require(account, "edit", meeting)  # only the format's secretariat: 403 for other readers
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["state", "role", "full_name", "position", "accreditation"])
    for delegation in queries.delegations_for(meeting):
        for person in delegation.members.all():
            writer.writerow([csv_cell(v) for v in (delegation.state.iso2, person.role, person.full_name,
                                                   person.position_title, person.accreditation)])  # fmt: skip
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting.code}-delegations.csv"'
    return response


@router.get(
    "/meetings/{code}/participants.pdf",
    auth=RequiredAuth(),
    response=errors(403, 404, 422),
    openapi_extra={"responses": {200: {"description": "PDF: the delegations with their members",
                                       "content": {"application/pdf": {"schema": {"type": "string",
                                                                                  "format": "binary"}}}}}},
)  # fmt: skip
def export_participants(request: HttpRequest, code: Key) -> HttpResponse:
    """The list of participants as PDF (delegations, members, roles, accreditation), for the secretariat."""
    account = account_of(request)
    meeting = visible_meeting(account, code)
    require(account, "edit", meeting)  # only the format's secretariat: 403 for other readers
    response = HttpResponse(participants.render(meeting), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{meeting.code}-participants.pdf"'
    return response
