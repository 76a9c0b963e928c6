"""The texts API's request and response shapes. A unit's wording is given either as plain bracket
syntax (``content``) or structured (``segments``); the two carry the same information
(``texts.brackets``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import Discriminator, Tag

from kenes.api.schemas import Str, StrictSchema, errors
from kenes.errors import ActionError
from kenes.texts import actions, brackets

# Wording limits of one unit (``texts.brackets``): segments alternate text and brackets.
MAX_SEGMENTS = 2 * brackets.MAX_BRACKETS + 1


class OptionIn(StrictSchema):
    text: Str = Field(max_length=actions.MAX_CONTENT)
    sponsors: list[Annotated[Str, Field(max_length=5)]] = Field([], max_length=brackets.MAX_SPONSORS)


class TextSegmentIn(StrictSchema):
    text: Str = Field(max_length=actions.MAX_CONTENT)


class BracketSegmentIn(StrictSchema):
    options: list[OptionIn] = Field(min_length=1, max_length=brackets.MAX_OPTIONS)


def segment_kind(value: Any) -> str:
    return "options" if isinstance(value, dict) and "options" in value else "text"


# A segment is told apart by its key, so that a refusal names it: ``segments.0.text.text``.
SegmentIn = Annotated[
    Annotated[TextSegmentIn, Tag("text")] | Annotated[BracketSegmentIn, Tag("options")], Discriminator(segment_kind)
]


def parse_wording(
    content: str | None, segments: list[SegmentIn] | None, prefix: str = "", *, required: bool = True
) -> str:
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


def structure(content: str) -> list[dict[str, Any]]:
    try:
        return brackets.to_structure(brackets.parse(content))
    except brackets.BracketError:  # never stored by the actions; shown as plain text if it ever is
        return [{"text": content}] if content else []


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


CONTENT_DOC = "Plain bracket syntax, e.g. `Ministers meet [annually {KZ} | …]`."


SEGMENTS_DOC = "The same wording, structured."


WRITE_ERRORS = errors(400, 403, 404, 413, 422)


ACT_ERRORS = errors(400, 403, 404, 422)  # a write without a body


# A language code (``ru``, ``en``, ``kk``, …): a word such as ``amendments`` is the path of another
# operation, never a language.
LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]
