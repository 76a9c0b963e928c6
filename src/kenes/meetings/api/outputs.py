"""The meetings API's answers: formats, meetings, documents, invitations, agenda, delegations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from kenes.access.levels import Classification
from kenes.access.policy import effective_clearance
from kenes.api.schemas import SourceOut
from kenes.meetings import queries
from kenes.meetings.cadence import Compliance
from kenes.meetings.models import (
    AgendaItem,
    Delegation,
    Document,
    Format,
    Invitation,
)


class NextChairOut(Schema):
    state: str | None
    reason: str


class ComplianceOut(Schema):
    state: str
    last_held: dt.date | None
    next_due: dt.date | None
    days_left: int | None


class FormatOut(Schema):
    code: str
    mechanism: str
    name_en: str
    level: str
    partner: str
    cadence_text: str
    note: str
    sources: list[str]
    cadence_months: int | None
    chair_rule: str
    rotation_order: list[str]
    decision_rule: str
    invitable: list[str]
    default_classification: str
    working_languages: list[str]
    guests_may_comment: bool
    rules_basis: str
    rules_version: int


class FormatDetailOut(FormatOut):
    next_chair: NextChairOut
    compliance: ComplianceOut


def _format_fields(fmt: Format) -> dict[str, Any]:
    return {
        "code": fmt.code,
        "mechanism": fmt.mechanism.code,
        "name_en": fmt.name_en,
        "level": fmt.level,
        "partner": fmt.partner_code,
        "cadence_text": fmt.cadence_text,
        "note": fmt.note,
        "sources": [s.code for s in fmt.sources.all()],
        "cadence_months": fmt.cadence_months,
        "chair_rule": fmt.chair_rule,
        "rotation_order": fmt.rotation,
        "decision_rule": fmt.decision_rule,
        "invitable": fmt.invitable_standings,
        "default_classification": fmt.default_classification,
        "working_languages": fmt.languages,
        "guests_may_comment": fmt.guests_may_comment,
        "rules_basis": fmt.rules_basis,
        "rules_version": fmt.rules_version,
    }


def format_out(fmt: Format) -> FormatOut:
    return FormatOut(**_format_fields(fmt))


def compliance_out(state: Compliance) -> ComplianceOut:
    return ComplianceOut(
        state=str(state.state), last_held=state.last_held, next_due=state.next_due, days_left=state.days_left
    )


def format_detail_out(account: Any, fmt: Format) -> FormatDetailOut:
    chair, reason = queries.next_chair(fmt)
    return FormatDetailOut(
        **_format_fields(fmt),
        next_chair=NextChairOut(state=chair.iso2 if chair else None, reason=reason),
        compliance=compliance_out(queries.format_compliance(fmt, account=account)),
    )


class MeetingOut(Schema):
    code: str
    format: str
    ordinal: str
    title: str
    start_date: str | None
    end_date: str | None
    city_en: str
    country: str | None
    chair_state: str | None
    chair_person: str
    status: str
    classification: str
    is_demo: bool


class GuestOut(Schema):
    party: str
    standing: str
    status: str
    person: str


class InvitationOut(GuestOut):
    id: int
    meeting: str


class DocumentOut(Schema):
    code: str
    meeting: str | None
    format: str
    title_en: str
    kind: str
    adopted: str
    classification: str
    private_to: str | None
    is_demo: bool
    version: int
    note: str
    sources: list[str]


class AgendaItemOut(Schema):
    id: int
    number: int
    title: str
    presenter: str
    status: str
    classification: str
    version: int
    documents: list[str]


class DelegationMemberOut(Schema):
    id: int
    full_name: str
    position_title: str
    role: str
    accreditation: str = Field(description="requested, approved or refused (by the secretariat)")


class DelegationOut(Schema):
    state: str
    version: int
    members: list[DelegationMemberOut]


class MeetingDetailOut(MeetingOut):
    kind: str
    version: int
    timezone: str
    start_time: dt.time | None
    end_time: dt.time | None
    note: str
    guests: list[GuestOut]
    invitations: list[InvitationOut]
    agenda: list[AgendaItemOut]
    delegations: list[DelegationOut]
    documents: list[DocumentOut]
    sources: list[SourceOut]


def meeting_out(m: Any, cls: type[MeetingOut] = MeetingOut, **extra: Any) -> Any:
    return cls(
        code=m.code,
        format=m.format.code,
        ordinal=m.ordinal,
        title=m.display_title,
        start_date=m.start_text or None,
        end_date=m.end_text or None,
        city_en=m.city_en,
        country=m.country.iso2 if m.country else None,
        chair_state=m.chair_state.iso2 if m.chair_state else None,
        chair_person=m.chair_person,
        status=m.status,
        classification=m.classification,
        is_demo=m.is_demo,
        **extra,
    )


def document_out(d: Document) -> DocumentOut:
    return DocumentOut(
        code=d.code,
        meeting=d.meeting.code if d.meeting else None,
        format=d.format.code,
        title_en=d.title_en,
        kind=d.kind,
        adopted=d.adopted,
        classification=d.classification,
        private_to=d.owner_state.iso2 if d.owner_state else None,
        is_demo=d.is_demo,
        version=d.version,
        note=d.note,
        sources=[s.code for s in d.sources.all()],
    )


def _party(i: Invitation) -> str:
    return i.state.iso2 if i.state else i.organisation.code if i.organisation else ""


def invitation_out(i: Invitation) -> InvitationOut:
    return InvitationOut(
        id=i.pk, meeting=i.meeting.code, party=_party(i), standing=i.standing, status=i.status, person=i.person
    )


def agenda_out(number: int, item: AgendaItem) -> AgendaItemOut:
    return AgendaItemOut(
        id=item.pk,
        number=number,
        title=item.title,
        presenter=item.presenter,
        status=item.status,
        classification=item.classification,
        version=item.version,
        documents=[d.code for d in item.documents.all()],
    )


def delegation_out(d: Delegation) -> DelegationOut:
    return DelegationOut(
        state=d.state.iso2,
        version=d.version,
        members=[
            DelegationMemberOut(
                id=p.pk,
                full_name=p.full_name,
                position_title=p.position_title,
                role=p.role,
                accreditation=p.accreditation,
            )
            for p in d.members.all()
        ],
    )


def meeting_detail_out(account: Any, code: str) -> MeetingDetailOut:
    m = queries.meeting_detail(account, code)
    invitations = queries.invitations_for(account, m)
    # Who is in a delegation is not public material: only accounts reading above public see it.
    people = effective_clearance(account) != Classification.PUBLIC
    return meeting_out(  # type: ignore[no-any-return]
        m,
        MeetingDetailOut,
        kind=m.kind,
        version=m.version,
        timezone=m.venue_timezone,
        start_time=m.start_time,
        end_time=m.end_time,
        note=m.note,
        guests=[GuestOut(party=_party(i), standing=i.standing, status=i.status, person=i.person) for i in invitations],
        invitations=[invitation_out(i) for i in invitations],
        agenda=[agenda_out(n, item) for n, item in queries.agenda_for(account, m)],
        delegations=[delegation_out(d) for d in queries.delegations_for(m)] if people else [],
        documents=[document_out(d) for d in m.visible_documents],  # type: ignore[attr-defined]
        sources=[SourceOut.model_validate(s, from_attributes=True) for s in m.sources.all()],
    )
