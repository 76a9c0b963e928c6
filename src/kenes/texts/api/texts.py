"""API: the texts themselves: list, create, read, diff and PDF."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from kenes.access.levels import Classification
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Key, Str, StrictSchema, Version, errors
from kenes.errors import ActionError
from kenes.meetings import queries as meeting_queries
from kenes.texts import actions, exports, pdf, queries
from kenes.texts.api.outputs import fresh_text, room_out, text_fields
from kenes.texts.api.schemas import CONTENT_DOC, MAX_SEGMENTS, SEGMENTS_DOC, RoomOut, SegmentIn, TextOut, parse_wording
from kenes.texts.models import (
    TextKind,
    TextStatus,
    UnitKind,
)
from kenes.texts.pdf_views import pdf_response

router = Router(tags=["texts"])


@router.get("/texts", response={200: list[TextOut], **errors(422)})
def list_texts(
    request: HttpRequest, format: Key | None = None, meeting: Key | None = None, status: TextStatus | None = None
) -> list[TextOut]:
    """The texts the caller may read, newest first."""
    qs = queries.texts_for(account_of(request))
    if format:
        qs = qs.filter(format__code=format)
    if meeting:
        qs = qs.filter(meeting__code=meeting)
    if status:
        qs = qs.filter(status=status)
    return [TextOut(**text_fields(t)) for t in qs]


class UnitIn(StrictSchema):
    kind: UnitKind = UnitKind.OPERATIVE
    content: Str | None = Field(None, max_length=actions.MAX_CONTENT, description=CONTENT_DOC)
    segments: list[SegmentIn] | None = Field(None, max_length=MAX_SEGMENTS, description=SEGMENTS_DOC)


class TextCreate(StrictSchema):
    code: str = Field(min_length=3, max_length=100, pattern=actions.CODE_PATTERN)
    title: Str = Field(min_length=1, max_length=actions.MAX_TITLE)
    kind: TextKind
    format: Key
    meeting: Key | None = None
    classification: Classification | None = None
    working_language: Key = "ru"
    languages: list[Key] | None = Field(None, max_length=20)
    units: list[UnitIn] = Field(min_length=1, max_length=actions.MAX_UNITS, description="A text has at least one unit.")


@router.post("/texts", response={201: RoomOut, **errors(400, 403, 413, 422)}, auth=RequiredAuth())
def create_text(request: HttpRequest, payload: TextCreate) -> Status[RoomOut]:
    """A new draft (the format's secretariat); units are in the working language."""
    account = account_of(request)
    fmt = meeting_queries.formats().filter(code=payload.format).first()
    if fmt is None:
        raise ActionError(_("Unknown format."), field="format")
    meeting = None
    if payload.meeting:
        meeting = meeting_queries.meetings_for(account).filter(code=payload.meeting).first()
        if meeting is None:
            raise ActionError(_("Unknown meeting."), field="meeting")
    units = [
        {"kind": str(unit.kind), "content": parse_wording(unit.content, unit.segments, f"units.{index}.")}
        for index, unit in enumerate(payload.units)
    ]
    text = actions.create_text(
        account,
        fmt=fmt,
        meeting=meeting,
        code=payload.code,
        title=payload.title,
        kind=str(payload.kind),
        classification=str(payload.classification) if payload.classification else None,
        working_language=payload.working_language,
        languages=payload.languages,
        units=units,
    )
    return Status(201, room_out(account, fresh_text(account, text.code)))


@router.get("/texts/{code}", response={200: RoomOut, **errors(404, 422)})
def get_text(request: HttpRequest, code: Key) -> RoomOut:
    """The negotiation room: every unit in every language with its state, positions, amendments and
    comments; the versions; silence, adoption and signatures."""
    account = account_of(request)
    return room_out(account, queries.text_for(account, code))


class DiffQuery(Schema):
    from_: Version = Field(alias="from")
    to: Version
    language: Key | None = None


class DiffChangeOut(Schema):
    op: str = Field(description="`=` same, `-` removed, `+` added")
    words: str


class DiffUnitOut(Schema):
    uid: str
    change: str
    diff: list[DiffChangeOut]


class DiffOut(Schema):
    text: str
    from_version: int
    to_version: int
    language: str
    units: list[DiffUnitOut]
    classification: str


@router.get("/texts/{code}/diff", response={200: DiffOut, **errors(400, 404, 422)})
def diff(request: HttpRequest, code: Key, query: Query[DiffQuery]) -> DiffOut:
    """Word by word, per unit, what changed between two versions of the text."""
    text = queries.text_for(account_of(request), code)
    language = query.language or text.working_language
    if language not in text.language_list:
        raise ActionError(_("This text has no version in that language."), field="language")
    try:
        units = queries.diff_versions(text, query.from_, query.to, language)
    except KeyError as exc:
        raise HttpError(404, _("This text has no such version.")) from exc
    return DiffOut(
        text=text.code,
        from_version=query.from_,
        to_version=query.to,
        language=language,
        units=[
            DiffUnitOut(uid=u["uid"], change=u["change"], diff=[DiffChangeOut(op=op, words=w) for op, w in u["diff"]])
            for u in units
        ],
        classification=text.classification,
    )


@router.get(
    "/texts/{code}/pdf",
    response=errors(400, 404, 422),
    openapi_extra={"responses": {200: {"description": "The text as PDF, with its classification on every page.",
                                       "content": {"application/pdf": {"schema": {"type": "string",
                                                                                  "format": "binary"}}}}}},
)  # fmt: skip
def text_pdf(
    request: HttpRequest, code: Key, language: Key | None = None, languages: Key | None = None
) -> HttpResponse:
    """The text as PDF in one language (``language``, the working language by default) or two side by
    side (``languages=ru,en``)."""
    account = account_of(request)
    text = queries.text_for(account, code)
    chosen = pdf.choose_languages(text, language=language, languages=languages)
    return pdf_response(text, exports.export_pdf(account, text, languages=chosen), chosen)
