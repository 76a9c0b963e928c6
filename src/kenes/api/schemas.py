"""Shared API schema pieces: the validated string and number types every input uses, and the error
bodies every operation declares."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

from kenes import inputs


class StrictSchema(Schema):
    """Input schema: an unknown field is a 422 naming it, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


def _no_forbidden_characters(value: str) -> str:
    found = inputs.problem(value)
    if found:
        raise PydanticCustomError("forbidden_character", found)
    return value


# Every string the API reads, in a body, a path or a query: no control characters (tab and line
# breaks excepted) and no lone surrogates, refused with a 422 naming the field (``kenes.inputs``).
# Give it its length limit where it is used: ``title: Str = Field(max_length=actions.MAX_TITLE)``.
Str = Annotated[str, Field(json_schema_extra={"pattern": inputs.PATTERN}), AfterValidator(_no_forbidden_characters)]

# A code or short name in a path or a query (a text's or meeting's code, an ISO code, a uid).
MAX_KEY = 200
Key = Annotated[Str, Field(max_length=MAX_KEY)]

# Numbers the database can hold: ids (BIGINT), versions, revisions and indexes (INTEGER).
MAX_ID = 2**63 - 1
MAX_INT = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[int, Field(ge=0, le=MAX_INT)]
Index = Annotated[int, Field(ge=0, le=MAX_INT)]


def _local(value: dt.time) -> dt.time:
    if value.tzinfo is not None:
        raise PydanticCustomError(
            "time_with_offset", _("A local time has no UTC offset; the time zone says where it is.")
        )
    return value


# A local time of day at a venue, such as ``09:30``: no UTC offset (JSON Schema's ``time`` format
# requires one, so the rule is published as a pattern).
LocalTime = Annotated[
    dt.time,
    AfterValidator(_local),
    WithJsonSchema(
        {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,6})?)?$",
         "description": "Local time at the venue, `HH:MM` or `HH:MM:SS`, without a UTC offset."}
    ),
]  # fmt: skip


class ErrorOut(Schema):
    """Every refusal but a 422: ``{"detail": …}``, with ``field`` when one input field is at fault."""

    detail: str
    field: str | None = Field(None, description="The input at fault, as the request names it, e.g. `units.0.content`.")


class ValidationIssueOut(Schema):
    type: str
    loc: list[str | int] = Field(
        description='Where: `body`, `path` or `query`, then the field, e.g. `["body", "payload", "title"]`.'
    )
    msg: str
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(Schema):
    """A 422: the request does not match this schema; one issue per field at fault."""

    detail: list[ValidationIssueOut] | str = Field(
        description="The issues; a sentence instead when an `Idempotency-Key` was already used for another request."
    )


# Any request may be refused for a bearer token that is wrong or revoked (401), after too many wrong
# tokens from its address (429), or for an address over 4096 characters (414).
ANY_REQUEST = (401, 414, 429)


def errors(*codes: int) -> dict[int, Any]:
    """The error answers of an operation, for its ``response={…}``: ``codes`` and ``ANY_REQUEST``.

    400 a rule refused the input (``field`` names it); 403 not allowed; 404 no such object, or not
    one the caller may see; 409 someone changed it since it was read; 413 the body is too large;
    422 the request does not match the schema."""
    return {code: ValidationErrorOut if code == 422 else ErrorOut for code in sorted({*codes, *ANY_REQUEST})}


class SourceOut(Schema):
    code: str
    title: str
    url_list: list[str]


def csv_cell(value: object) -> str:
    """A value for a CSV export that a spreadsheet will not run as a formula (=, +, -, @ lead)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
