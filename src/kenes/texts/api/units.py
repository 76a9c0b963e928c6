"""API: a unit's parts: add and edit a unit, amendments, positions, comments, private notes."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Status

from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Id, Index, Key, Str, StrictSchema, Version, errors
from kenes.errors import ActionError
from kenes.texts import actions, queries
from kenes.texts.api.outputs import (
    amendment_out,
    comment_out,
    fresh_text,
    note_out,
    own_notes,
    position_out,
    unit_row_out,
)
from kenes.texts.api.schemas import (
    ACT_ERRORS,
    CONTENT_DOC,
    MAX_SEGMENTS,
    SEGMENTS_DOC,
    WRITE_ERRORS,
    AmendmentOut,
    CommentOut,
    LanguageCode,
    NoteOut,
    PositionOut,
    SegmentIn,
    UnitOut,
    parse_wording,
)
from kenes.texts.models import (
    Amendment,
    AmendmentKind,
    Position,
    Stance,
    UnitKind,
)

router = Router(tags=["texts"])


class UnitAdd(StrictSchema):
    kind: UnitKind = UnitKind.OPERATIVE
    content: Str | None = Field(None, max_length=actions.MAX_CONTENT, description=CONTENT_DOC)
    segments: list[SegmentIn] | None = Field(None, max_length=MAX_SEGMENTS, description=SEGMENTS_DOC)
    after: Key | None = Field(None, description="The uid of the unit to insert after; at the end if left out.")


@router.post("/texts/{code}/units", response={201: UnitOut, **WRITE_ERRORS}, auth=RequiredAuth())
def add_unit(request: HttpRequest, code: Key, payload: UnitAdd) -> Status[UnitOut]:
    account = account_of(request)
    text = queries.text_for(account, code)
    after = None
    if payload.after:
        after = queries.unit_named(text, payload.after, field="after")
    content = parse_wording(payload.content, payload.segments)
    unit = actions.add_unit(account, text, kind=str(payload.kind), content=content, after=after)
    return Status(201, unit_row_out(account, fresh_text(account, code), unit.uid))


class AmendmentIn(StrictSchema):
    kind: AmendmentKind
    content: Str | None = Field(None, max_length=actions.MAX_CONTENT, description=CONTENT_DOC)
    segments: list[SegmentIn] | None = Field(None, max_length=MAX_SEGMENTS, description=SEGMENTS_DOC)
    bracket_index: Index | None = None
    option_index: Index | None = None
    parent: Id | None = Field(None, description="The id of the amendment this one amends.")
    reason: Str = Field("", max_length=actions.MAX_REASON)


@router.post("/texts/{code}/units/{uid}/amendments", response={201: AmendmentOut, **WRITE_ERRORS}, auth=RequiredAuth())
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
    content = parse_wording(payload.content, payload.segments, required=False)
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
    return Status(201, amendment_out(text, amendment, unit.uid))


class AmendmentDecisionIn(StrictSchema):
    accept: bool


@router.post("/amendments/{amendment_id}/decision", response={200: AmendmentOut, **WRITE_ERRORS}, auth=RequiredAuth())
def decide_amendment(request: HttpRequest, amendment_id: Id, payload: AmendmentDecisionIn) -> AmendmentOut:
    """The chair accepts an amendment into the rolling text (a new version) or rejects it."""
    account = account_of(request)
    amendment = queries.amendment_for(account, amendment_id)
    decided = actions.decide_amendment(account, amendment, accept=payload.accept)
    return amendment_out(amendment.text, decided, amendment.unit.uid)


@router.post("/amendments/{amendment_id}/withdraw", response={200: AmendmentOut, **ACT_ERRORS}, auth=RequiredAuth())
def withdraw_amendment(request: HttpRequest, amendment_id: Id) -> AmendmentOut:
    """The delegation that proposed an amendment withdraws it."""
    account = account_of(request)
    amendment = queries.amendment_for(account, amendment_id)
    withdrawn = actions.withdraw_amendment(account, amendment)
    return amendment_out(amendment.text, withdrawn, amendment.unit.uid)


class PositionIn(StrictSchema):
    stance: Stance
    note: Str = Field("", max_length=actions.MAX_NOTE, description="An objection or a reservation needs one.")
    bracket_index: Index | None = None
    option_index: Index | None = None


@router.post("/texts/{code}/units/{uid}/positions", response={201: PositionOut, **WRITE_ERRORS}, auth=RequiredAuth())
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
    return Status(201, position_out(text, position))


class CommentIn(StrictSchema):
    body: Str = Field(min_length=1, max_length=actions.MAX_COMMENT)


@router.post("/texts/{code}/units/{uid}/comments", response={201: CommentOut, **WRITE_ERRORS}, auth=RequiredAuth())
def add_comment(request: HttpRequest, code: Key, uid: Key, payload: CommentIn) -> Status[CommentOut]:
    """Any delegation taking part, guests included, may comment; a comment never blocks."""
    account = account_of(request)
    text = queries.text_for(account, code)
    unit = queries.unit_for(text, uid)
    comment = actions.add_comment(account, unit, body=payload.body)
    return Status(201, comment_out(text, comment, unit.uid))


class NoteIn(StrictSchema):
    body: Str = Field(min_length=1, max_length=actions.MAX_NOTE)
    unit: Key | None = None
    red_line: bool = False


@router.post("/texts/{code}/notes", response={201: NoteOut, **WRITE_ERRORS}, auth=RequiredAuth())
def add_note(request: HttpRequest, code: Key, payload: NoteIn) -> Status[NoteOut]:
    """A private note or red line of the caller's delegation: nobody else ever sees it."""
    account = account_of(request)
    text = queries.text_for(account, code)
    unit = None
    if payload.unit:
        unit = queries.unit_named(text, payload.unit, field="unit")
    note = actions.add_private_note(account, text, body=payload.body, unit=unit, red_line=payload.red_line)
    mine = next(n for n in own_notes(account, text) if n.pk == note.pk)
    return Status(201, note_out(mine))


class UnitEdit(StrictSchema):
    expected_revision: Version = Field(description="The unit's revision as you read it; a stale one is a 409.")
    content: Str | None = Field(None, max_length=actions.MAX_CONTENT, description=CONTENT_DOC)
    segments: list[SegmentIn] | None = Field(None, max_length=MAX_SEGMENTS, description=SEGMENTS_DOC)


@router.put(
    "/texts/{code}/units/{uid}/{language}", response={200: UnitOut, **errors(400, 403, 404, 409, 413, 422)},
    auth=RequiredAuth(),
)  # fmt: skip
def edit_unit(request: HttpRequest, code: Key, uid: Key, language: LanguageCode, payload: UnitEdit) -> UnitOut:
    """The chair's pen: one language's wording of a unit. The unit's other languages become out of date."""
    account = account_of(request)
    text = queries.text_for(account, code)
    unit = queries.unit_for(text, uid)
    content = parse_wording(payload.content, payload.segments)
    actions.edit_unit(account, unit, language=language, content=content, expected_revision=payload.expected_revision)
    return unit_row_out(account, fresh_text(account, code), uid)
