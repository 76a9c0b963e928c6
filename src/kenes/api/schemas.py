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
