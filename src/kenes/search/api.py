"""``GET /api/v1/search``: the search page's results as JSON, through the same function."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kenes.api.auth import account_of
from kenes.api.schemas import Key, Str, errors
from kenes.search import engine
from kenes.search.index import KINDS

router = Router(tags=["search"])
Query = Annotated[Str, Field(max_length=engine.MAX_QUERY)]
KindKey = Annotated[Key, Field(description="One of: " + ", ".join(KINDS))]
Limit = Annotated[int, Field(ge=1, le=100)]


class SearchHitOut(Schema):
    kind: str
    title: str
    snippet: str
    marks: list[tuple[int, int]] = Field(description="[start, end) of the query's words in the snippet")
    url: str
    language: str
    updated: dt.datetime
    score: float


class SearchOut(Schema):
    query: str
    count: int
    counts: dict[str, int] = Field(description="Results per kind, before the kind filter")
    results: list[SearchHitOut]


@router.get("/search", response={200: SearchOut, **errors(400, 422)})
def search(
    request: HttpRequest,
    q: Query = "",
    kind: KindKey = "",
    format: Key = "",
    year: Key = "",
    classification: Key = "",
    limit: Limit = 50,
) -> SearchOut:
    """Meetings, agenda items, texts (their paragraphs in every language), documents, instructions,
    reports, press releases, states and formats matching ``q``, best first; only what the caller may
    read, and counted only over that."""
    filters = engine.filters_from({"kind": kind, "format": format, "year": year, "classification": classification})
    results = engine.search(account_of(request), q, filters, limit=limit)
    return SearchOut(
        query=results.query, counts=results.counts,
        count=results.counts.get(filters.kind, 0) if filters.kind else sum(results.counts.values()),
        results=[
            SearchHitOut(kind=h.kind, title=h.title, snippet=h.snippet, marks=h.marks, url=h.url,
                         language=h.language, updated=h.updated, score=h.score)
            for h in results.hits
        ],
    )  # fmt: skip
