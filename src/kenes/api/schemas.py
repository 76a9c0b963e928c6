"""Shared API schema pieces."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class StrictSchema(Schema):
    """Input schema: an unknown field is a 422 naming it, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


class SourceOut(Schema):
    code: str
    title: str
    url_list: list[str]


def csv_cell(value: object) -> str:
    """A value for a CSV export that a spreadsheet will not run as a formula (=, +, -, @ lead)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
