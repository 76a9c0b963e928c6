"""API: negotiated texts — the room, drafting, amendments, positions, silence, adoption, signatures.

Reads go through ``texts.queries`` and the access policy (a text the caller may not see is a 404,
and so are its positions, amendments, notes and diff); every write calls an action in
``texts.actions`` and never saves a model itself.

A unit's wording is given either as plain bracket syntax (``content``) or structured
(``segments``: ``{"text": …}`` and ``{"options": [{"text": …, "sponsors": [...]}]}``); the two
carry the same information (see ``texts.brackets``), and every unit is returned in both forms.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Discriminator, Tag

from kenes.access.levels import Classification
from kenes.access.policy import visible
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Id, Index, Key, Str, StrictSchema, Version, errors
from kenes.errors import ActionError
from kenes.meetings import queries as meeting_queries
from kenes.texts import actions, brackets, exports, pdf, queries
from kenes.texts.models import (
    Amendment,
    AmendmentKind,
    Comment,
    Position,
    PrivateNote,
    Signature,
    SilenceBreak,
    Stance,
    Text,
    TextKind,
    TextStatus,
    TextVersion,
    UnitKind,
)
from kenes.texts.pdf_views import pdf_response
from kenes.texts.queries import Room, UnitRow

router = Router(tags=["texts"])


# Wording limits of one unit (``texts.brackets``): segments alternate text and brackets.
_MAX_SEGMENTS = 2 * brackets.MAX_BRACKETS + 1


# --- Wording: plain syntax or structured ------------------------------------------------------


class OptionIn(StrictSchema):
    text: Str = Field(max_length=actions.MAX_CONTENT)
    sponsors: list[Annotated[Str, Field(max_length=5)]] = Field([], max_length=brackets.MAX_SPONSORS)


class TextSegmentIn(StrictSchema):
    text: Str = Field(max_length=actions.MAX_CONTENT)


class BracketSegmentIn(StrictSchema):
    options: list[OptionIn] = Field(min_length=1, max_length=brackets.MAX_OPTIONS)


def _segment_kind(value: Any) -> str:
    return "options" if isinstance(value, dict) and "options" in value else "text"


# A segment is told apart by its key, so that a refusal names it: ``segments.0.text.text``.
SegmentIn = Annotated[
    Annotated[TextSegmentIn, Tag("text")] | Annotated[BracketSegmentIn, Tag("options")], Discriminator(_segment_kind)
]


def _wording(content: str | None, segments: list[SegmentIn] | None, prefix: str = "", *, required: bool = True) -> str:
    """The plain bracket syntax of a wording given in exactly one of its two forms."""
    if content is not None and segments is not None:
        raise ActionError(_("Give the wording either as content or as segments, not both."), field=f"{prefix}segments")
    if segments is not None:
        try:
            return brackets.render(brackets.from_structure([s.model_dump() for s in segments]))
        except brackets.LimitError as exc:
            raise ActionError(actions.bracket_problem(exc), field=f"{prefix}segments") from exc
        except brackets.BracketError as exc:
            raise ActionError(
                _("The segments are not right: %(problem)s.") % {"problem": exc.message}, field=f"{prefix}segments"
            ) from exc
    if content is None and required:
        raise ActionError(_("Give the wording as content or as segments."), field=f"{prefix}content")
    return content or ""


def _structure(content: str) -> list[dict[str, Any]]:
    try:
        return brackets.to_structure(brackets.parse(content))
    except brackets.BracketError:  # never stored by the actions; shown as plain text if it ever is
        return [{"text": content}] if content else []


# --- Output ---------------------------------------------------------------------------------


class OptionOut(Schema):
    text: str
    sponsors: list[str]


class TextSegmentOut(Schema):
    text: str


class BracketSegmentOut(Schema):
    options: list[OptionOut]


SegmentOut = TextSegmentOut | BracketSegmentOut


class LanguageVersionOut(Schema):
    content: str
    segments: list[SegmentOut]
    out_of_date: bool


class PositionOut(Schema):
    state: str
    stance: str
    note: str
    revision: int
    bracket_index: int | None
    option_index: int | None
    updated_at: dt.datetime
    classification: str


class AmendmentOut(Schema):
    id: int
    unit: str
    parent: int | None
    kind: str
    language: str
    content: str
    segments: list[SegmentOut]
    bracket_index: int | None
    option_index: int | None
    reason: str
    state: str
    status: str
    created_at: dt.datetime
    decided_in_version: int | None
    classification: str


class CommentOut(Schema):
    id: int
    unit: str
    state: str
    body: str
    created_at: dt.datetime
    classification: str


class NoteOut(Schema):
    id: int
    unit: str | None
    body: str
    red_line: bool
    private_to: str
    created_at: dt.datetime
    classification: str


class UnitOut(Schema):
    uid: str
    kind: str
    order: int
    revision: int
    state: str
    languages: dict[str, LanguageVersionOut]
    positions: dict[str, PositionOut]
    option_positions: list[PositionOut]
    amendments: list[AmendmentOut]
    comments: list[CommentOut]
    classification: str


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    by: str
    reason: str
    open_brackets: int
    classification: str


class SilenceOut(Schema):
    deadline: str
    timezone: str


class SilenceBreakOut(Schema):
    state: str
    reason: str
    deadline: dt.datetime
    created_at: dt.datetime
    classification: str


class SignatureOut(Schema):
    state: str
    signer_name: str
    signed_at: dt.datetime
    hashes: dict[str, str]
    classification: str


class TextOut(Schema):
    code: str
    title: str
    kind: str
    format: str
    meeting: str | None
    classification: str
    status: str
    version: int
    working_language: str
    languages: list[str]
    silence: SilenceOut | None
    adopted_at: dt.datetime | None
    adopted_by: str
    is_demo: bool


class RoomOut(TextOut):
    members: list[str]
    open_brackets: int
    is_clean: bool
    units: list[UnitOut]
    notes: list[NoteOut] = Field(description="The caller's own delegation's private notes; nobody else's.")
    versions: list[VersionOut]
    silence_breaks: list[SilenceBreakOut]
    adopted_hashes: dict[str, str]
    signatures: list[SignatureOut]


def _silence(text: Text) -> SilenceOut | None:
    if text.status != TextStatus.SILENCE or text.silence_deadline is None:
        return None
    zone = text.silence_timezone or "UTC"
    return SilenceOut(deadline=text.silence_deadline.astimezone(zoneinfo.ZoneInfo(zone)).isoformat(), timezone=zone)


def _text_fields(text: Text) -> dict[str, Any]:
    return {
        "code": text.code,
        "title": text.title,
        "kind": text.kind,
        "format": text.format.code,
        "meeting": text.meeting.code if text.meeting else None,
        "classification": text.classification,
        "status": text.status,
        "version": text.version,
        "working_language": text.working_language,
        "languages": text.language_list,
        "silence": _silence(text),
        "adopted_at": text.adopted_at,
        "adopted_by": text.adopted_by,
        "is_demo": text.is_demo,
    }


def _position_out(text: Text, p: Position) -> PositionOut:
    whole = p.bracket_index == Position.WHOLE_UNIT
    return PositionOut(
        state=p.state.iso2,
        stance=p.stance,
        note=p.note,
        revision=p.revision,
        bracket_index=None if whole else p.bracket_index,
        option_index=None if whole else p.option_index,
        updated_at=p.updated_at,
        classification=text.classification,
    )


def _amendment_out(text: Text, a: Amendment, uid: str) -> AmendmentOut:
    return AmendmentOut(
        id=a.pk,
        unit=uid,
        parent=a.parent_id,
        kind=a.kind,
        language=a.language,
        content=a.content,
        segments=_structure(a.content),  # type: ignore[arg-type]
        bracket_index=a.bracket_index,
        option_index=a.option_index,
        reason=a.reason,
        state=a.state.iso2,
        status=a.status,
        created_at=a.created_at,
        decided_in_version=a.decided_in_version,
        classification=text.classification,
    )


def _comment_out(text: Text, c: Comment, uid: str) -> CommentOut:
    return CommentOut(
        id=c.pk, unit=uid, state=c.state.iso2, body=c.body, created_at=c.created_at, classification=text.classification
    )


def _note_out(n: PrivateNote) -> NoteOut:
    return NoteOut(
        id=n.pk,
        unit=n.unit.uid if n.unit else None,
        body=n.body,
        red_line=n.red_line,
        private_to=n.owner_state.iso2 if n.owner_state else "",
        created_at=n.created_at,
        classification=n.classification,
    )


def _signature_out(text: Text, s: Signature) -> SignatureOut:
    return SignatureOut(
        state=s.state.iso2, signer_name=s.signer_name, signed_at=s.signed_at, hashes=s.hashes,
        classification=text.classification,
    )  # fmt: skip


def _unit_out(text: Text, row: UnitRow) -> UnitOut:
    unit = row.unit
    languages = {}
    for language in text.language_list:
        version = row.contents.get(language)
        content = version.content if version else ""
        languages[language] = LanguageVersionOut(
            content=content,
            segments=_structure(content),  # type: ignore[arg-type]
            out_of_date=version.out_of_date if version else True,
        )
    return UnitOut(
        uid=unit.uid,
        kind=unit.kind,
        order=unit.order,
        revision=unit.revision,
        state=str(row.state),
        languages=languages,
        positions={state: _position_out(text, p) for state, p in sorted(row.positions.items())},
        option_positions=[_position_out(text, p) for p in row.option_positions],
        amendments=[_amendment_out(text, a, unit.uid) for a in row.amendments],
        comments=[_comment_out(text, c, unit.uid) for c in row.comments],
        classification=text.classification,
    )


def _own_notes(account: Any, text: Text) -> list[PrivateNote]:
    """The caller's delegation's private notes on the text: the policy shows each to its owner only."""
    qs = PrivateNote.objects.filter(text=text).select_related("unit", "owner_state").order_by("created_at", "id")
    return list(visible(account, qs))


def _room_out(account: Any, text: Text) -> RoomOut:
    room: Room = queries.room(account, text)
    text = room.text
    return RoomOut(
        **_text_fields(text),
        members=room.members,
        open_brackets=room.open_brackets,
        is_clean=room.is_clean,
        units=[_unit_out(text, row) for row in room.rows],
        notes=[_note_out(n) for n in _own_notes(account, text)],
        versions=[_version_out(text, v) for v in room.versions],
        silence_breaks=[
            _break_out(text, b)
            for b in SilenceBreak.objects.filter(text=text).select_related("state").order_by("created_at", "id")
        ],
        adopted_hashes=text.adopted_hashes,
        signatures=[
            _signature_out(text, s) for s in Signature.objects.filter(text=text).select_related("state").order_by("id")
        ],
    )


def _break_out(text: Text, b: SilenceBreak) -> SilenceBreakOut:
    return SilenceBreakOut(
        state=b.state.iso2, reason=b.reason, deadline=b.deadline, created_at=b.created_at,
        classification=text.classification,
    )  # fmt: skip


def _version_out(text: Text, v: TextVersion) -> VersionOut:
    return VersionOut(
        number=v.number, created_at=v.created_at, by=v.actor_label, reason=v.reason, open_brackets=v.open_brackets,
        classification=text.classification,
    )  # fmt: skip


def _fresh(account: Any, code: str) -> Text:
    return queries.text_for(account, code)


def _row(account: Any, text: Text, uid: str) -> UnitOut:
    room = queries.room(account, text)
    for row in room.rows:
        if row.unit.uid == uid:
            return _unit_out(room.text, row)
    raise Http404


# --- Texts ----------------------------------------------------------------------------------


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
    return [TextOut(**_text_fields(t)) for t in qs]


_CONTENT = "Plain bracket syntax, e.g. `Ministers meet [annually {KZ} | …]`."
_SEGMENTS = "The same wording, structured."


class UnitIn(StrictSchema):
    kind: UnitKind = UnitKind.OPERATIVE
    content: Str | None = Field(None, max_length=actions.MAX_CONTENT, description=_CONTENT)
    segments: list[SegmentIn] | None = Field(None, max_length=_MAX_SEGMENTS, description=_SEGMENTS)


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
        {"kind": str(unit.kind), "content": _wording(unit.content, unit.segments, f"units.{index}.")}
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
    return Status(201, _room_out(account, _fresh(account, text.code)))


@router.get("/texts/{code}", response={200: RoomOut, **errors(404, 422)})
def get_text(request: HttpRequest, code: Key) -> RoomOut:
    """The negotiation room: every unit in every language with its state, positions, amendments and
    comments; the versions; silence, adoption and signatures."""
    account = account_of(request)
    return _room_out(account, queries.text_for(account, code))


# --- Drafting -------------------------------------------------------------------------------


class UnitAdd(StrictSchema):
    kind: UnitKind = UnitKind.OPERATIVE
    content: Str | None = Field(None, max_length=actions.MAX_CONTENT, description=_CONTENT)
    segments: list[SegmentIn] | None = Field(None, max_length=_MAX_SEGMENTS, description=_SEGMENTS)
    after: Key | None = Field(None, description="The uid of the unit to insert after; at the end if left out.")


_WRITE = errors(400, 403, 404, 413, 422)


@router.post("/texts/{code}/units", response={201: UnitOut, **_WRITE}, auth=RequiredAuth())
def add_unit(request: HttpRequest, code: Key, payload: UnitAdd) -> Status[UnitOut]:
    account = account_of(request)
    text = queries.text_for(account, code)
    after = None
    if payload.after:
        after = queries.unit_named(text, payload.after, field="after")
    content = _wording(payload.content, payload.segments)
    unit = actions.add_unit(account, text, kind=str(payload.kind), content=content, after=after)
    return Status(201, _row(account, _fresh(account, code), unit.uid))


# --- Amendments -----------------------------------------------------------------------------


class AmendmentIn(StrictSchema):
    kind: AmendmentKind
    content: Str | None = Field(None, max_length=actions.MAX_CONTENT, description=_CONTENT)
    segments: list[SegmentIn] | None = Field(None, max_length=_MAX_SEGMENTS, description=_SEGMENTS)
    bracket_index: Index | None = None
    option_index: Index | None = None
    parent: Id | None = Field(None, description="The id of the amendment this one amends.")
    reason: Str = Field("", max_length=actions.MAX_REASON)


@router.post("/texts/{code}/units/{uid}/amendments", response={201: AmendmentOut, **_WRITE}, auth=RequiredAuth())
def propose_amendment(request: HttpRequest, code: Key, uid: Key, payload: AmendmentIn) -> Status[AmendmentOut]:
    """A member delegation proposes to replace, insert after or delete a unit or an option, or amends
    an amendment. During silence this breaks the silence."""
    account = account_of(request)
    text = queries.text_for(account, code)
    unit = queries.unit_for(text, uid)
    parent = None
    if payload.parent is not None:
        parent = Amendment.objects.filter(pk=payload.parent, text=text).select_related("unit").first()
        if parent is None:
            raise ActionError(_("There is no such amendment on this text."), field="parent")
    content = _wording(payload.content, payload.segments, required=False)
    amendment = actions.propose_amendment(
        account,
        unit,
        kind=str(payload.kind),
        content=content,
        reason=payload.reason,
        bracket_index=payload.bracket_index,
        option_index=payload.option_index,
        parent=parent,
    )
    return Status(201, _amendment_out(text, amendment, unit.uid))


class AmendmentDecisionIn(StrictSchema):
    accept: bool


@router.post("/amendments/{amendment_id}/decision", response={200: AmendmentOut, **_WRITE}, auth=RequiredAuth())
def decide_amendment(request: HttpRequest, amendment_id: Id, payload: AmendmentDecisionIn) -> AmendmentOut:
    """The chair accepts an amendment into the rolling text (a new version) or rejects it."""
    account = account_of(request)
    amendment = queries.amendment_for(account, amendment_id)
    decided = actions.decide_amendment(account, amendment, accept=payload.accept)
    return _amendment_out(amendment.text, decided, amendment.unit.uid)


_ACT = errors(400, 403, 404, 422)  # a write without a body


@router.post("/amendments/{amendment_id}/withdraw", response={200: AmendmentOut, **_ACT}, auth=RequiredAuth())
def withdraw_amendment(request: HttpRequest, amendment_id: Id) -> AmendmentOut:
    """The delegation that proposed an amendment withdraws it."""
    account = account_of(request)
    amendment = queries.amendment_for(account, amendment_id)
    withdrawn = actions.withdraw_amendment(account, amendment)
    return _amendment_out(amendment.text, withdrawn, amendment.unit.uid)


# --- Positions, comments, private notes -----------------------------------------------------


class PositionIn(StrictSchema):
    stance: Stance
    note: Str = Field("", max_length=actions.MAX_NOTE, description="An objection or a reservation needs one.")
    bracket_index: Index | None = None
    option_index: Index | None = None


@router.post("/texts/{code}/units/{uid}/positions", response={201: PositionOut, **_WRITE}, auth=RequiredAuth())
def state_position(request: HttpRequest, code: Key, uid: Key, payload: PositionIn) -> Status[PositionOut]:
    """A member delegation's position on a unit, or on one option of a bracket (both indexes given)."""
    account = account_of(request)
    text = queries.text_for(account, code)
    unit = queries.unit_for(text, uid)
    position = actions.state_position(
        account,
        unit,
        stance=str(payload.stance),
        note=payload.note,
        bracket_index=Position.WHOLE_UNIT if payload.bracket_index is None else payload.bracket_index,
        option_index=Position.WHOLE_UNIT if payload.option_index is None else payload.option_index,
    )
    return Status(201, _position_out(text, position))


class CommentIn(StrictSchema):
    body: Str = Field(min_length=1, max_length=actions.MAX_COMMENT)


@router.post("/texts/{code}/units/{uid}/comments", response={201: CommentOut, **_WRITE}, auth=RequiredAuth())
def add_comment(request: HttpRequest, code: Key, uid: Key, payload: CommentIn) -> Status[CommentOut]:
    """Any delegation taking part, guests included, may comment; a comment never blocks."""
    account = account_of(request)
    text = queries.text_for(account, code)
    unit = queries.unit_for(text, uid)
    comment = actions.add_comment(account, unit, body=payload.body)
    return Status(201, _comment_out(text, comment, unit.uid))


class NoteIn(StrictSchema):
    body: Str = Field(min_length=1, max_length=actions.MAX_NOTE)
    unit: Key | None = None
    red_line: bool = False


@router.post("/texts/{code}/notes", response={201: NoteOut, **_WRITE}, auth=RequiredAuth())
def add_note(request: HttpRequest, code: Key, payload: NoteIn) -> Status[NoteOut]:
    """A private note or red line of the caller's delegation: nobody else ever sees it."""
    account = account_of(request)
    text = queries.text_for(account, code)
    unit = None
    if payload.unit:
        unit = queries.unit_named(text, payload.unit, field="unit")
    note = actions.add_private_note(account, text, body=payload.body, unit=unit, red_line=payload.red_line)
    mine = next(n for n in _own_notes(account, text) if n.pk == note.pk)
    return Status(201, _note_out(mine))


# Registered after the amendments, positions and comments of a unit: ``{language}`` would
# otherwise also match their paths.


# A language code (``ru``, ``en``, ``kk``, …): a word such as ``amendments`` is the path of another
# operation, never a language.
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]


class UnitEdit(StrictSchema):
    expected_revision: Version = Field(description="The unit's revision as you read it; a stale one is a 409.")
    content: Str | None = Field(None, max_length=actions.MAX_CONTENT, description=_CONTENT)
    segments: list[SegmentIn] | None = Field(None, max_length=_MAX_SEGMENTS, description=_SEGMENTS)


@router.put(
    "/texts/{code}/units/{uid}/{language}", response={200: UnitOut, **errors(400, 403, 404, 409, 413, 422)},
    auth=RequiredAuth(),
)  # fmt: skip
def edit_unit(request: HttpRequest, code: Key, uid: Key, language: LanguageCode, payload: UnitEdit) -> UnitOut:
    """The chair's pen: one language's wording of a unit. The unit's other languages become out of date."""
    account = account_of(request)
    text = queries.text_for(account, code)
    unit = queries.unit_for(text, uid)
    content = _wording(payload.content, payload.segments)
    actions.edit_unit(account, unit, language=language, content=content, expected_revision=payload.expected_revision)
    return _row(account, _fresh(account, code), uid)


# --- Versions and diff ----------------------------------------------------------------------


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


# --- Silence procedure, adoption, signatures ------------------------------------------------


class SilenceIn(StrictSchema):
    deadline: dt.datetime = Field(description="Local date and time at the deadline, e.g. `2031-05-12T18:00`.")
    timezone: Key = Field(description="The IANA time zone the deadline is in, e.g. `Asia/Almaty`.")


@router.post("/texts/{code}/silence", response={200: RoomOut, **_WRITE}, auth=RequiredAuth())
def circulate_for_silence(request: HttpRequest, code: Key, payload: SilenceIn) -> RoomOut:
    """The chair circulates a clean text under silence procedure until the deadline."""
    account = account_of(request)
    text = queries.text_for(account, code)
    actions.circulate_for_silence(account, text, deadline=payload.deadline, timezone_name=payload.timezone.strip())
    return _room_out(account, _fresh(account, code))


class SilenceBreakIn(StrictSchema):
    reason: Str = Field(min_length=1, max_length=actions.MAX_REASON)


@router.post("/texts/{code}/silence/break", response={200: RoomOut, **_WRITE}, auth=RequiredAuth())
def break_silence(request: HttpRequest, code: Key, payload: SilenceBreakIn) -> RoomOut:
    """A member delegation objects in writing before the deadline; after it, this is refused."""
    account = account_of(request)
    text = queries.text_for(account, code)
    actions.break_silence(account, text, reason=payload.reason)
    return _room_out(account, _fresh(account, code))


@router.post("/texts/{code}/adopt", response={200: RoomOut, **_ACT}, auth=RequiredAuth())
def adopt(request: HttpRequest, code: Key) -> RoomOut:
    """Adoption by consensus at a meeting (the chair): only a clean text."""
    account = account_of(request)
    text = queries.text_for(account, code)
    actions.adopt_by_consensus(account, text)
    return _room_out(account, _fresh(account, code))


@router.post("/texts/{code}/signatures", response={201: SignatureOut, **_ACT}, auth=RequiredAuth())
def sign(request: HttpRequest, code: Key) -> Status[SignatureOut]:
    """The caller's member delegation signs the adopted text: the hashes it signed are recorded."""
    account = account_of(request)
    text = queries.text_for(account, code)
    signature = actions.sign(account, text)
    return Status(201, _signature_out(text, signature))


# --- Export ---------------------------------------------------------------------------------


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
