"""API: formats, meetings and documents, each read through the access policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from kenes.access.levels import Classification
from kenes.access.policy import get_visible_or_404, require
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import SourceOut, StrictSchema
from kenes.meetings import queries
from kenes.meetings.actions import update_document
from kenes.meetings.models import Document, Format

router = Router(tags=["meetings"])


class FormatOut(Schema):
    code: str
    mechanism: str
    name_en: str
    level: str
    partner: str
    cadence_text: str
    note: str
    sources: list[str]


def _format_out(fmt: Format) -> FormatOut:
    return FormatOut(
        code=fmt.code,
        mechanism=fmt.mechanism.code,
        name_en=fmt.name_en,
        level=fmt.level,
        partner=fmt.partner_code,
        cadence_text=fmt.cadence_text,
        note=fmt.note,
        sources=[s.code for s in fmt.sources.all()],
    )


@router.get("/formats", response=list[FormatOut])
def list_formats(request: HttpRequest) -> list[FormatOut]:
    return [_format_out(f) for f in queries.formats()]


@router.get("/formats/{code}", response=FormatOut)
def get_format(request: HttpRequest, code: str) -> FormatOut:
    return _format_out(get_object_or_404(queries.formats(), code=code))


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


class MeetingDetailOut(MeetingOut):
    note: str
    guests: list[GuestOut]
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


@router.get("/meetings", response=list[MeetingOut])
def list_meetings(request: HttpRequest, format: str | None = None) -> list[MeetingOut]:
    return [_meeting_out(m) for m in queries.meetings_for(account_of(request), format_code=format)]


@router.get("/meetings/{code}", response=MeetingDetailOut)
def get_meeting(request: HttpRequest, code: str) -> MeetingDetailOut:
    m = queries.meeting_detail(account_of(request), code)
    return _meeting_out(
        m,
        MeetingDetailOut,
        note=m.note,
        guests=[
            GuestOut(
                party=i.state.iso2 if i.state else i.organisation.code if i.organisation else "",
                standing=i.standing,
                status=i.status,
                person=i.person,
            )
            for i in m.invitations.all()
        ],
        documents=[_document_out(d) for d in m.visible_documents],  # type: ignore[attr-defined]
        sources=[SourceOut.model_validate(s, from_attributes=True) for s in m.sources.all()],
    )


@router.get("/documents", response=list[DocumentOut])
def list_documents(
    request: HttpRequest, meeting: str | None = None, classification: Classification | None = None
) -> list[DocumentOut]:
    qs = queries.documents_for(account_of(request))
    if meeting:
        qs = qs.filter(meeting__code=meeting)
    if classification:
        qs = qs.filter(classification=classification)
    return [_document_out(d) for d in qs]


@router.get("/documents/{code}", response=DocumentOut)
def get_document(request: HttpRequest, code: str) -> DocumentOut:
    return _document_out(get_visible_or_404(account_of(request), queries.documents_for(account_of(request)), code=code))


class DocumentPatch(StrictSchema):
    version: int
    title_en: str | None = None
    body: str | None = None
    classification: Classification | None = None


@router.patch("/documents/{code}", response=DocumentOut, auth=RequiredAuth())
def patch_document(request: HttpRequest, code: str, payload: DocumentPatch) -> DocumentOut:
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


__all__ = ["dt"]
