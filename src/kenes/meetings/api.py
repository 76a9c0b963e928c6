"""API: formats, meetings and documents, each read through the access policy.

Reads go through ``meetings.queries`` and the access policy (an object the caller may not see is
a 404); writes call the actions in ``meetings.actions`` and never save a model themselves.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kenes.access.levels import Classification
from kenes.access.policy import effective_clearance, get_visible_or_404, require
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Id, Index, Key, LocalTime, SourceOut, Str, StrictSchema, Version, csv_cell, errors
from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.actions import update_document
from kenes.meetings.cadence import Compliance
from kenes.meetings.models import (
    AgendaItem,
    AgendaStatus,
    ChairRule,
    DecisionRule,
    Delegation,
    DelegationRole,
    Document,
    Format,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Standing,
)
from kenes.meetings.scheduling import MAX_SPAN_DAYS, MAX_WINDOW_DAYS, SchedulingError
from kenes.states.models import Organisation, State

router = Router(tags=["meetings"])


@contextmanager
def _api_fields(**names: str) -> Iterator[None]:
    """Name the API's field in an action's error where the action calls it differently."""
    try:
        yield
    except ActionError as exc:
        if exc.field in names:
            exc.field = names[exc.field]
        raise


def _state_or_400(iso2: str | None, field: str) -> State | None:
    if not iso2:
        return None
    state = State.objects.filter(iso2=iso2.strip().upper()).first()
    if state is None:
        raise ActionError(_("Unknown state code %(code)s.") % {"code": iso2}, field=field)
    return state


# --- Formats ---------------------------------------------------------------------------------


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


def _format_out(fmt: Format) -> FormatOut:
    return FormatOut(**_format_fields(fmt))


def _compliance_out(state: Compliance) -> ComplianceOut:
    return ComplianceOut(
        state=str(state.state), last_held=state.last_held, next_due=state.next_due, days_left=state.days_left
    )


def _format_detail_out(account: Any, fmt: Format) -> FormatDetailOut:
    chair, reason = queries.next_chair(fmt)
    return FormatDetailOut(
        **_format_fields(fmt),
        next_chair=NextChairOut(state=chair.iso2 if chair else None, reason=reason),
        compliance=_compliance_out(queries.format_compliance(fmt, account=account)),
    )


@router.get("/formats", response={200: list[FormatOut], **errors()})
def list_formats(request: HttpRequest) -> list[FormatOut]:
    return [_format_out(f) for f in queries.formats()]


@router.get("/formats/{code}", response={200: FormatDetailOut, **errors(404, 422)})
def get_format(request: HttpRequest, code: Key) -> FormatDetailOut:
    return _format_detail_out(account_of(request), get_object_or_404(queries.formats(), code=code))


class FormatRulesPatch(StrictSchema):
    """The format's rules; a rule left out keeps its current value (``cadence_months: null`` clears it)."""

    rules_version: Version
    # 1 to 60: published in the schema, enforced by the action (a 400 in the reader's language
    # naming the field, rather than pydantic's 422 in English).
    cadence_months: int | None = Field(None, json_schema_extra={"minimum": 1, "maximum": 60})
    chair_rule: ChairRule | None = None
    rotation_order: list[Key] | None = Field(None, max_length=50)
    decision_rule: DecisionRule | None = None
    invitable: list[Standing] | None = None
    default_classification: Classification | None = None
    working_languages: list[Key] | None = Field(None, max_length=20)
    guests_may_comment: bool | None = None
    rules_basis: Str | None = Field(None, max_length=actions.MAX_RULES_BASIS)


# A write with a body: refused by a rule, not allowed, no such object, too large, not this schema.
_WRITE = errors(400, 403, 404, 413, 422)
# The same with an expected version: someone else changed the object since it was read.
_VERSIONED = errors(400, 403, 404, 409, 413, 422)


@router.patch("/formats/{code}/rules", response={200: FormatDetailOut, **_VERSIONED}, auth=RequiredAuth())
def patch_format_rules(request: HttpRequest, code: Key, payload: FormatRulesPatch) -> FormatDetailOut:
    account = account_of(request)
    fmt = get_object_or_404(queries.formats(), code=code)
    sent = payload.model_fields_set

    def value(name: str, current: Any) -> Any:
        return getattr(payload, name) if name in sent and getattr(payload, name) is not None else current

    updated = actions.update_format_rules(
        account,
        fmt,
        expected_version=payload.rules_version,
        cadence_months=payload.cadence_months if "cadence_months" in sent else fmt.cadence_months,
        chair_rule=str(value("chair_rule", fmt.chair_rule)),
        rotation_order=list(value("rotation_order", fmt.rotation)),
        decision_rule=str(value("decision_rule", fmt.decision_rule)),
        invitable=[str(s) for s in value("invitable", fmt.invitable_standings)],
        default_classification=str(value("default_classification", fmt.default_classification)),
        working_languages=list(value("working_languages", fmt.languages)),
        rules_basis=value("rules_basis", fmt.rules_basis),
        guests_may_comment=value("guests_may_comment", fmt.guests_may_comment),
    )
    return _format_detail_out(account, get_object_or_404(queries.formats(), pk=updated.pk))


class CadenceOut(Schema):
    format: str
    name_en: str
    cadence_months: int | None
    cadence_text: str
    compliance: ComplianceOut


@router.get("/cadence", response={200: list[CadenceOut], **errors()})
def cadence_dashboard(request: HttpRequest) -> list[CadenceOut]:
    """Every format with its cadence state, computed from the meetings the caller may see held."""
    return [
        CadenceOut(
            format=fmt.code,
            name_en=fmt.name_en,
            cadence_months=fmt.cadence_months,
            cadence_text=fmt.cadence_text,
            compliance=_compliance_out(state),
        )
        for fmt, state in queries.dashboard(account_of(request))
    ]


class SuggestionOut(Schema):
    start: dt.date
    end: dt.date
    meets_deadline: bool | None
    host: str | None
    avoided: list[str]


class DateSuggestionsOut(Schema):
    format: str
    states: list[str]
    holiday_calendars: list[str]
    deadline: dt.date | None
    host: str | None
    suggestions: list[SuggestionOut]


@router.get("/formats/{code}/date-suggestions", response={200: DateSuggestionsOut, **errors(400, 404, 422)})
def date_suggestions(
    request: HttpRequest,
    code: Key,
    start: dt.date,
    end: dt.date,
    # Published in the schema, enforced by the query (a 400 in the reader's language).
    days: Annotated[int, Field(json_schema_extra={"minimum": 1, "maximum": MAX_SPAN_DAYS})],
    guests: Key = "",
) -> DateSuggestionsOut:
    """Ranked dates for the next meeting of a format inside ``[start, end]``, each with what it
    avoided (weekends, public holidays of the attending states, other meetings). ``guests`` is a
    comma-separated list of invited states' ISO codes, e.g. ``CN,RU``."""
    fmt = get_object_or_404(queries.formats(), code=code)
    guest_codes = [g.strip().upper() for g in guests.split(",") if g.strip()]
    known = set(State.objects.filter(iso2__in=guest_codes).values_list("iso2", flat=True))
    unknown = [g for g in guest_codes if g not in known]
    if unknown:
        raise ActionError(_("Unknown state code %(code)s.") % {"code": ", ".join(unknown)}, field="guests")
    try:
        result = queries.date_suggestions(account_of(request), fmt, start=start, end=end, days=days, guests=guest_codes)
    except SchedulingError as exc:  # scheduling decides; here each refusal gets its field and translation
        if not 1 <= days <= MAX_SPAN_DAYS:
            raise ActionError(_("A meeting lasts 1 to %(max)d days.") % {"max": MAX_SPAN_DAYS}, field="days") from exc
        if end < start:
            raise ActionError(_("The date window ends before it starts."), field="end") from exc
        if (end - start).days > MAX_WINDOW_DAYS:
            message = _("The date window is longer than %(max)d days.") % {"max": MAX_WINDOW_DAYS}
            raise ActionError(message, field="end") from exc
        raise ActionError(str(exc)) from exc
    return DateSuggestionsOut(
        format=fmt.code,
        states=result["states"],
        holiday_calendars=result["holiday_calendars"],
        deadline=result["deadline"],
        host=result["host"].iso2 if result["host"] else None,
        suggestions=[
            SuggestionOut(start=s.start, end=s.end, meets_deadline=s.meets_deadline, host=s.host, avoided=s.avoided)
            for s in result["suggestions"]
        ],
    )


# --- Meetings --------------------------------------------------------------------------------


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
    full_name: str
    position_title: str
    role: str


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


def _meeting_out(m: Any, cls: type[MeetingOut] = MeetingOut, **extra: Any) -> Any:
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


def _document_out(d: Document) -> DocumentOut:
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


def _invitation_out(i: Invitation) -> InvitationOut:
    return InvitationOut(
        id=i.pk, meeting=i.meeting.code, party=_party(i), standing=i.standing, status=i.status, person=i.person
    )


def _agenda_out(number: int, item: AgendaItem) -> AgendaItemOut:
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


def _delegation_out(d: Delegation) -> DelegationOut:
    return DelegationOut(
        state=d.state.iso2,
        version=d.version,
        members=[
            DelegationMemberOut(full_name=p.full_name, position_title=p.position_title, role=p.role)
            for p in d.members.all()
        ],
    )


def _meeting(account: Any, code: str) -> Meeting:
    """A meeting the account may read, for a write (404 otherwise)."""
    qs = Meeting.objects.select_related("format__mechanism", "country", "chair_state")
    return get_visible_or_404(account, qs, code=code)  # type: ignore[no-any-return]


def _meeting_detail_out(account: Any, code: str) -> MeetingDetailOut:
    m = queries.meeting_detail(account, code)
    invitations = queries.invitations_for(account, m)
    # Who is in a delegation is not public material: only accounts reading above public see it.
    people = effective_clearance(account) != Classification.PUBLIC
    return _meeting_out(  # type: ignore[no-any-return]
        m,
        MeetingDetailOut,
        kind=m.kind,
        version=m.version,
        timezone=m.venue_timezone,
        start_time=m.start_time,
        end_time=m.end_time,
        note=m.note,
        guests=[GuestOut(party=_party(i), standing=i.standing, status=i.status, person=i.person) for i in invitations],
        invitations=[_invitation_out(i) for i in invitations],
        agenda=[_agenda_out(n, item) for n, item in queries.agenda_for(account, m)],
        delegations=[_delegation_out(d) for d in queries.delegations_for(m)] if people else [],
        documents=[_document_out(d) for d in m.visible_documents],  # type: ignore[attr-defined]
        sources=[SourceOut.model_validate(s, from_attributes=True) for s in m.sources.all()],
    )


@router.get("/meetings", response={200: list[MeetingOut], **errors(422)})
def list_meetings(request: HttpRequest, format: Key | None = None) -> list[MeetingOut]:
    return [_meeting_out(m) for m in queries.meetings_for(account_of(request), format_code=format)]


@router.get("/meetings/{code}", response={200: MeetingDetailOut, **errors(404, 422)})
def get_meeting(request: HttpRequest, code: Key) -> MeetingDetailOut:
    return _meeting_detail_out(account_of(request), code)


class MeetingCreate(StrictSchema):
    format: Key
    start_date: dt.date
    end_date: dt.date | None = None
    city_en: Str = Field("", max_length=actions.MAX_CITY)
    country: Key | None = None
    chair_state: Key | None = None
    timezone: Str = Field("", max_length=64, description="The venue's IANA time zone, e.g. `Asia/Bishkek`.")
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    kind: MeetingKind = MeetingKind.REGULAR
    classification: Classification | None = None
    title_en: Str = Field("", max_length=actions.MAX_TITLE)
    title_ru: Str = Field("", max_length=actions.MAX_TITLE)


_SCHEDULE_FIELDS = {"start_text": "start_date", "end_text": "end_date"}


@router.post("/meetings", response={201: MeetingDetailOut, **errors(400, 403, 413, 422)}, auth=RequiredAuth())
def create_meeting(request: HttpRequest, payload: MeetingCreate) -> Status[MeetingDetailOut]:
    """Plan a meeting (the format's secretariat): regular meetings get the next ordinal."""
    account = account_of(request)
    fmt = queries.formats().filter(code=payload.format).first()
    if fmt is None:
        raise ActionError(_("Unknown format."), field="format")
    with _api_fields(**_SCHEDULE_FIELDS):
        meeting = actions.create_meeting(
            account,
            fmt=fmt,
            title_en=payload.title_en.strip(),
            title_ru=payload.title_ru.strip(),
            start_text=payload.start_date.isoformat(),
            end_text=payload.end_date.isoformat() if payload.end_date else "",
            city_en=payload.city_en.strip(),
            country=_state_or_400(payload.country, "country"),
            chair_state=_state_or_400(payload.chair_state, "chair_state"),
            timezone_name=payload.timezone.strip(),
            start_time=payload.start_time,
            end_time=payload.end_time,
            kind=str(payload.kind),
            classification=str(payload.classification) if payload.classification else None,
        )
    return Status(201, _meeting_detail_out(account, meeting.code))


class StatusChange(StrictSchema):
    status: MeetingStatus
    version: Version


@router.post("/meetings/{code}/status", response={200: MeetingDetailOut, **_VERSIONED}, auth=RequiredAuth())
def change_status(request: HttpRequest, code: Key, payload: StatusChange) -> MeetingDetailOut:
    account = account_of(request)
    meeting = _meeting(account, code)
    actions.change_meeting_status(account, meeting, str(payload.status), expected_version=payload.version)
    return _meeting_detail_out(account, code)


class Reschedule(StrictSchema):
    start_date: dt.date
    end_date: dt.date | None = None
    version: Version
    city_en: Str | None = Field(None, max_length=actions.MAX_CITY)
    country: Key | None = None


@router.post("/meetings/{code}/reschedule", response={200: MeetingDetailOut, **_VERSIONED}, auth=RequiredAuth())
def reschedule(request: HttpRequest, code: Key, payload: Reschedule) -> MeetingDetailOut:
    account = account_of(request)
    meeting = _meeting(account, code)
    with _api_fields(**_SCHEDULE_FIELDS):
        actions.reschedule_meeting(
            account,
            meeting,
            start_text=payload.start_date.isoformat(),
            end_text=payload.end_date.isoformat() if payload.end_date else "",
            expected_version=payload.version,
            city_en=payload.city_en.strip() if payload.city_en is not None else None,
            country=_state_or_400(payload.country, "country"),
        )
    return _meeting_detail_out(account, code)


# --- Invitations -----------------------------------------------------------------------------


class InvitationIn(StrictSchema):
    state: Key | None = None
    organisation: Key | None = None
    standing: Standing = Standing.GUEST


@router.post("/meetings/{code}/invitations", response={201: InvitationOut, **_WRITE}, auth=RequiredAuth())
def invite(request: HttpRequest, code: Key, payload: InvitationIn) -> Status[InvitationOut]:
    account = account_of(request)
    meeting = _meeting(account, code)
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(code=payload.organisation.strip()).first()
        if organisation is None:
            raise ActionError(_("Unknown organisation."), field="organisation")
    invitation = actions.invite(
        account,
        meeting,
        state=_state_or_400(payload.state, "state"),
        organisation=organisation,
        standing=str(payload.standing),
    )
    return Status(201, _invitation_out(invitation))


@router.get("/invitations", response={200: list[InvitationOut], **errors()}, auth=RequiredAuth())
def my_invitations(request: HttpRequest) -> list[InvitationOut]:
    """The invitations of the caller's own state or organisation, so its focal point can answer."""
    account = account_of(request)
    if account.state_id:
        qs = Invitation.objects.filter(state_id=account.state_id)
    elif account.organisation_id:
        qs = Invitation.objects.filter(organisation_id=account.organisation_id)
    else:
        return []
    return [_invitation_out(i) for i in qs.select_related("meeting", "state", "organisation")]


class Answer(StrictSchema):
    accept: bool


@router.post("/invitations/{invitation_id}/answer", response={200: InvitationOut, **_WRITE}, auth=RequiredAuth())
def answer_invitation(request: HttpRequest, invitation_id: Id, payload: Answer) -> InvitationOut:
    """The invited delegation's focal point accepts or declines."""
    account = account_of(request)
    invitation = queries.invitation_for(account, invitation_id)
    return _invitation_out(actions.answer_invitation(account, invitation, accept=payload.accept))


@router.post(
    "/invitations/{invitation_id}/revoke", response={200: InvitationOut, **errors(400, 403, 404, 422)},
    auth=RequiredAuth(),
)  # fmt: skip
def revoke_invitation(request: HttpRequest, invitation_id: Id) -> InvitationOut:
    """Revoking takes the guest's access to the meeting away at once."""
    account = account_of(request)
    invitation = queries.invitation_for(account, invitation_id)
    return _invitation_out(actions.revoke_invitation(account, invitation))


# --- Agenda ----------------------------------------------------------------------------------


def _documents(account: Any, codes: list[str]) -> list[Document]:
    found = {d.code: d for d in queries.documents_for(account).filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ActionError(_("Unknown document %(code)s.") % {"code": ", ".join(missing)}, field="documents")
    return [found[c] for c in codes]


def _agenda_item(account: Any, item_id: int) -> AgendaItem:
    qs = AgendaItem.objects.select_related("meeting__format")
    return get_visible_or_404(account, qs, pk=item_id)  # type: ignore[no-any-return]


def _numbered(account: Any, item: AgendaItem) -> AgendaItemOut:
    for number, entry in queries.agenda_for(account, item.meeting):
        if entry.pk == item.pk:
            return _agenda_out(number, entry)
    raise Http404


class AgendaItemIn(StrictSchema):
    title: Str = Field(min_length=1, max_length=actions.MAX_TITLE)
    classification: Classification | None = None
    presenter: Str = Field("", max_length=actions.MAX_NAME)
    documents: list[Key] = Field([], max_length=100)


@router.post("/meetings/{code}/agenda", response={201: AgendaItemOut, **_WRITE}, auth=RequiredAuth())
def add_agenda_item(request: HttpRequest, code: Key, payload: AgendaItemIn) -> Status[AgendaItemOut]:
    account = account_of(request)
    meeting = _meeting(account, code)
    item = actions.add_agenda_item(
        account,
        meeting,
        title=payload.title,
        classification=str(payload.classification) if payload.classification else None,
        presenter=payload.presenter.strip(),
        documents=_documents(account, payload.documents),
    )
    return Status(201, _numbered(account, item))


class AgendaItemPatch(StrictSchema):
    version: Version
    title: Str | None = Field(None, min_length=1, max_length=actions.MAX_TITLE)
    presenter: Str | None = Field(None, max_length=actions.MAX_NAME)
    status: AgendaStatus | None = None
    classification: Classification | None = None


@router.patch("/agenda/{item_id}", response={200: AgendaItemOut, **_VERSIONED}, auth=RequiredAuth())
def patch_agenda_item(request: HttpRequest, item_id: Id, payload: AgendaItemPatch) -> AgendaItemOut:
    account = account_of(request)
    item = _agenda_item(account, item_id)
    updated = actions.update_agenda_item(
        account,
        item,
        expected_version=payload.version,
        title=payload.title,
        presenter=payload.presenter,
        status=str(payload.status) if payload.status else None,
        classification=str(payload.classification) if payload.classification else None,
    )
    return _numbered(account, updated)


class AgendaMove(StrictSchema):
    position: Index = Field(ge=1, description="The place on the agenda, from 1.")


@router.post("/agenda/{item_id}/move", response={200: list[AgendaItemOut], **_WRITE}, auth=RequiredAuth())
def move_agenda_item(request: HttpRequest, item_id: Id, payload: AgendaMove) -> list[AgendaItemOut]:
    """Put the item at ``position`` (1-based) and return the agenda as the caller sees it."""
    account = account_of(request)
    item = _agenda_item(account, item_id)
    actions.move_agenda_item(account, item, to_position=payload.position)
    return [_agenda_out(n, entry) for n, entry in queries.agenda_for(account, item.meeting)]


@router.delete("/agenda/{item_id}", response={204: None, **errors(400, 403, 404, 422)}, auth=RequiredAuth())
def delete_agenda_item(request: HttpRequest, item_id: Id) -> Status[None]:
    account = account_of(request)
    actions.remove_agenda_item(account, _agenda_item(account, item_id))
    return Status(204, None)


# --- Delegations -----------------------------------------------------------------------------


class DelegationMemberIn(StrictSchema):
    full_name: Str = Field(min_length=1, max_length=actions.MAX_NAME)
    position_title: Str = Field("", max_length=actions.MAX_NAME)
    role: DelegationRole = DelegationRole.MEMBER


class DelegationIn(StrictSchema):
    members: list[DelegationMemberIn] = Field(max_length=200)
    version: Version | None = None


@router.put("/meetings/{code}/delegation", response={200: DelegationOut, **_VERSIONED}, auth=RequiredAuth())
def save_delegation(request: HttpRequest, code: Key, payload: DelegationIn) -> DelegationOut:
    """Replace the caller's own state's delegation list (its focal point keeps it)."""
    account = account_of(request)
    meeting = _meeting(account, code)
    delegation = actions.save_delegation(
        account,
        meeting,
        members=[
            {"full_name": m.full_name, "position_title": m.position_title, "role": str(m.role)} for m in payload.members
        ],
        expected_version=payload.version,
    )
    return _delegation_out(queries.delegations_for(meeting).get(pk=delegation.pk))


@router.get(
    "/meetings/{code}/delegations.csv",
    auth=RequiredAuth(),
    response=errors(403, 404, 422),
    openapi_extra={"responses": {200: {"description": "CSV: state, role, full_name, position",
                                       "content": {"text/csv": {"schema": {"type": "string"}}}}}},
)  # fmt: skip
def export_delegations(request: HttpRequest, code: Key) -> HttpResponse:
    """Every delegation member of a meeting as CSV, for the secretariat that runs the meeting."""
    account = account_of(request)
    meeting = _meeting(account, code)
    require(account, "edit", meeting)  # only the format's secretariat: 403 for other readers
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["state", "role", "full_name", "position"])
    for delegation in queries.delegations_for(meeting):
        for person in delegation.members.all():
            writer.writerow([csv_cell(v) for v in (delegation.state.iso2, person.role, person.full_name,
                                                   person.position_title)])  # fmt: skip
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{meeting.code}-delegations.csv"'
    return response


# --- Documents -------------------------------------------------------------------------------


@router.get("/documents", response={200: list[DocumentOut], **errors(422)})
def list_documents(
    request: HttpRequest, meeting: Key | None = None, classification: Classification | None = None
) -> list[DocumentOut]:
    qs = queries.documents_for(account_of(request))
    if meeting:
        qs = qs.filter(meeting__code=meeting)
    if classification:
        qs = qs.filter(classification=classification)
    return [_document_out(d) for d in qs]


@router.get("/documents/{code}", response={200: DocumentOut, **errors(404, 422)})
def get_document(request: HttpRequest, code: Key) -> DocumentOut:
    return _document_out(get_visible_or_404(account_of(request), queries.documents_for(account_of(request)), code=code))


class DocumentPatch(StrictSchema):
    version: Version
    title_en: Str | None = Field(None, min_length=1, max_length=actions.MAX_TITLE)
    body: Str | None = Field(None, max_length=actions.MAX_BODY)
    classification: Classification | None = None


@router.patch("/documents/{code}", response={200: DocumentOut, **_VERSIONED}, auth=RequiredAuth())
def patch_document(request: HttpRequest, code: Key, payload: DocumentPatch) -> DocumentOut:
    document = get_visible_or_404(account_of(request), queries.documents_for(account_of(request)), code=code)
    require(account_of(request), "edit", document)
    updated = update_document(
        account_of(request),
        document,
        expected_version=payload.version,
        title_en=payload.title_en,
        body=payload.body,
        classification=payload.classification,
    )
    return _document_out(queries.documents_for(account_of(request)).get(pk=updated.pk))
