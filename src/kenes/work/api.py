"""``GET /api/v1/work``: what waits for the caller, the same lists as the "my work" page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import errors
from kenes.work.queries import KINDS, work_for

router = Router(tags=["work"])


class WorkItemOut(Schema):
    kind: str = Field(description="One of: " + ", ".join(KINDS))
    title: str
    url: str
    due: dt.datetime | dt.date | None = Field(None, description="A deadline, a due date or when it arrived")
    count: int | None = Field(None, description="For a text: its paragraphs without your delegation's position")


class WorkOut(Schema):
    counts: dict[str, int]
    items: list[WorkItemOut]


@router.get("/work", response={200: WorkOut, **errors()}, auth=RequiredAuth())
def my_work(request: HttpRequest) -> WorkOut:
    """Invitations to answer, texts awaiting your delegation's positions, silence procedures
    running, instructions due for your state, reports to review, threat reports to assess: only
    what you may read."""
    work = work_for(account_of(request))
    return WorkOut(
        counts=work.counts,
        items=[WorkItemOut(kind=i.kind, title=i.title, url=i.url, due=i.due, count=i.count) for i in work.items],
    )
