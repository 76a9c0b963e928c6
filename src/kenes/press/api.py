"""API of the press service: releases (read publicly once published; drafts for the secretariat),
drafting from a meeting, text or decision, edit, schedule, publish, correct; tags; subscribing.

Reads go through ``press.queries`` (a draft the caller may not see is a 404); writes call
``press.actions`` / ``press.drafting`` / ``press.subscriptions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Key, Str, StrictSchema, Version, errors
from kenes.errors import ActionError
from kenes.press import actions, queries, search, subscriptions
from kenes.press.drafting import draft_release_from
from kenes.press.models import Release, ReleaseKind, Tag

router = Router(tags=["press"])
_WRITE = errors(400, 403, 404, 409, 413, 422)


class ReleaseVersionOut(Schema):
    language: str
    headline: str
    lead: str
    body: str
    out_of_date: bool


class ReleaseSourceOut(Schema):
    kind: str
    outlet: str
    url: str
    sources: list[str]


class ReleaseOut(Schema):
    slug: str
    kind: str
    status: str
    working_language: str
    versions: list[ReleaseVersionOut]
    tags: list[str]
    meeting: str | None
    documents: list[str]
    source: ReleaseSourceOut
    first_published_at: dt.datetime | None
    updated_at: dt.datetime | None
    scheduled_for: dt.datetime | None
    change_notes: list[str]
    version: int
    is_demo: bool
    url: str


class PressTagOut(Schema):
    slug: str
    kind: str
    name_en: str
    name_ru: str


def _out(release: Release) -> ReleaseOut:
    from kenes.press.seo import release_url

    return ReleaseOut(
        slug=release.slug, kind=release.kind, status=release.status, working_language=release.working_language,
        versions=[ReleaseVersionOut(language=v.language, headline=v.headline, lead=v.lead, body=v.body,
                             out_of_date=v.out_of_date) for v in release.versions.all()],
        tags=[t.slug for t in release.tags.all()], meeting=release.meeting.code if release.meeting else None,
        documents=[d.code for d in release.documents.all()],
        source=ReleaseSourceOut(kind=release.source_kind, outlet=release.source_outlet, url=release.source_url,
                            sources=[s.code for s in release.sources.all()]),
        first_published_at=release.first_published_at, updated_at=release.updated_at,
        scheduled_for=release.scheduled_for, change_notes=[n.note for n in release.change_notes.all()],
        version=release.version, is_demo=release.is_demo, url=release_url(release),
    )  # fmt: skip


@router.get("/releases", response={200: list[ReleaseOut], **errors(400, 422)})
def list_releases(
    request: HttpRequest, tag: Key = "", kind: Key = "", format: Key = "", year: Key = "", q: Key = "",
    language: Literal["ru", "en"] = "en",
) -> list[ReleaseOut]:  # fmt: skip
    """Published releases, newest first (at most 100), with the filters of /news/ and search."""
    query = QueryDict(mutable=True)
    query.update({"tag": tag, "kind": kind, "format": format, "year": year})
    filters = queries.Filters.from_query(query)
    rows = search.search(q, language) if q else queries.published()
    rows = filters.apply(rows).prefetch_related("sources", "change_notes", "documents")
    return [_out(r) for r in rows[:100]]


@router.get("/releases/{slug}", response={200: ReleaseOut, **errors(404, 422)})
def get_release(request: HttpRequest, slug: Key) -> ReleaseOut:
    return _out(queries.release_for(account_of(request), slug))


@router.get("/tags", response={200: list[PressTagOut], **errors()})
def list_tags(request: HttpRequest) -> list[PressTagOut]:
    return [PressTagOut(slug=t.slug, kind=t.kind, name_en=t.name_en, name_ru=t.name_ru) for t in Tag.objects.all()]


class ReleaseDraftIn(StrictSchema):
    source: Literal["meeting", "text", "decision"]
    code: Key = Field(description="The meeting's or text's code, or the decision's id.")


@router.post("/releases", response={201: ReleaseOut, **_WRITE}, auth=RequiredAuth())
def draft(request: HttpRequest, payload: ReleaseDraftIn) -> Status[ReleaseOut]:
    """Draft a release in Russian and English from public facts only (the secretariat)."""
    from kenes.decisions.models import Decision
    from kenes.meetings.models import Meeting
    from kenes.texts.models import Text

    account = account_of(request)
    source: object = None
    if payload.source == "meeting":
        source = Meeting.objects.filter(code=payload.code).first()
    elif payload.source == "text":
        source = Text.objects.filter(code=payload.code).first()
    elif payload.code.isdigit():
        source = Decision.objects.select_related("text", "unit").filter(pk=int(payload.code)).first()
    if source is None:
        raise ActionError(_("No such meeting, text or decision."), field="code")
    release = draft_release_from(account, source)
    return Status(201, _out(queries.release_for(account, release.slug)))


class ReleaseEditIn(StrictSchema):
    language: Key
    headline: Str = Field(max_length=actions.MAX_HEADLINE)
    lead: Str = Field("", max_length=actions.MAX_LEAD)
    body: Str = Field("", max_length=actions.MAX_BODY)
    version: Version
    kind: ReleaseKind | None = None
    tags: list[Key] | None = None


@router.patch("/releases/{slug}", response={200: ReleaseOut, **_WRITE}, auth=RequiredAuth())
def edit(request: HttpRequest, slug: Key, payload: ReleaseEditIn) -> ReleaseOut:
    """Change one language version of a draft (the working language flags the others out of date)."""
    account = account_of(request)
    release = queries.release_for(account, slug)
    actions.edit_release(account, release, language=payload.language, headline=payload.headline, lead=payload.lead,
                         body=payload.body, expected_version=payload.version,
                         kind=str(payload.kind) if payload.kind else None, tags=payload.tags)  # fmt: skip
    return _out(queries.release_for(account, slug))


class ReleaseStepIn(StrictSchema):
    version: Version
    at: dt.datetime | None = Field(None, description="For scheduling: when to publish (with its offset).")


@router.post("/releases/{slug}/publish", response={200: ReleaseOut, **_WRITE}, auth=RequiredAuth())
def publish(request: HttpRequest, slug: Key, payload: ReleaseStepIn) -> ReleaseOut:
    """Publish now; refused (400) while anything it links to or quotes is not public."""
    account = account_of(request)
    actions.publish_release(account, queries.release_for(account, slug), expected_version=payload.version)
    return _out(queries.release_for(account, slug))


@router.post("/releases/{slug}/schedule", response={200: ReleaseOut, **_WRITE}, auth=RequiredAuth())
def schedule(request: HttpRequest, slug: Key, payload: ReleaseStepIn) -> ReleaseOut:
    account = account_of(request)
    if payload.at is None:
        raise ActionError(_("Give the time to publish at."), field="at")
    actions.schedule_release(account, queries.release_for(account, slug), at=payload.at,
                             expected_version=payload.version)  # fmt: skip
    return _out(queries.release_for(account, slug))


class ReleaseCorrectionIn(ReleaseEditIn):
    note: Str = Field(max_length=actions.MAX_NOTE)
    major: bool = False


@router.post("/releases/{slug}/corrections", response={200: ReleaseOut, **_WRITE}, auth=RequiredAuth())
def correct(request: HttpRequest, slug: Key, payload: ReleaseCorrectionIn) -> ReleaseOut:
    """Correct a published release openly; a major correction goes out in the next weekly review."""
    account = account_of(request)
    actions.correct_release(account, queries.release_for(account, slug), language=payload.language,
                            headline=payload.headline, lead=payload.lead, body=payload.body, note=payload.note,
                            major=payload.major, expected_version=payload.version)  # fmt: skip
    return _out(queries.release_for(account, slug))


class DigestSubscribeIn(StrictSchema):
    email: Key
    language: Literal["ru", "en"] = "en"
    tags: list[Key] = []
    consent: Literal[True] = Field(description="The person agrees to the wording of GET /news/subscribe/.")


class DigestAcceptedOut(Schema):
    detail: str


@router.post("/subscriptions", response={202: DigestAcceptedOut, **errors(400, 403, 413, 422)}, auth=RequiredAuth())
def subscribe(request: HttpRequest, payload: DigestSubscribeIn) -> Status[DigestAcceptedOut]:
    """Ask for the weekly review for an address (double opt-in mail); the same answer whatever the
    address's state. No API write is open without an account: the public subscribes on the page."""
    subscriptions.subscribe(payload.email, language=payload.language, tags=payload.tags)
    return Status(
        202, DigestAcceptedOut(detail=_("If the address can receive the review, a confirmation link was sent."))
    )
