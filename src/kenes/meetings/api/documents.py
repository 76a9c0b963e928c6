"""API: documents — list, read, edit."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router

from kenes.access.levels import Classification
from kenes.access.policy import get_visible_or_404, require
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Key, Str, StrictSchema, Version, errors
from kenes.meetings import actions, queries
from kenes.meetings.actions import update_document
from kenes.meetings.api.common import VERSIONED
from kenes.meetings.api.outputs import DocumentOut, document_out

router = Router(tags=["meetings"])


@router.get("/documents", response={200: list[DocumentOut], **errors(422)})
def list_documents(
    request: HttpRequest, meeting: Key | None = None, classification: Classification | None = None
) -> list[DocumentOut]:
    qs = queries.documents_for(account_of(request))
    if meeting:
        qs = qs.filter(meeting__code=meeting)
    if classification:
        qs = qs.filter(classification=classification)
    return [document_out(d) for d in qs]


@router.get("/documents/{code}", response={200: DocumentOut, **errors(404, 422)})
def get_document(request: HttpRequest, code: Key) -> DocumentOut:
    return document_out(get_visible_or_404(account_of(request), queries.documents_for(account_of(request)), code=code))


class DocumentPatch(StrictSchema):
    version: Version
    title_en: Str | None = Field(None, min_length=1, max_length=actions.MAX_TITLE)
    body: Str | None = Field(None, max_length=actions.MAX_BODY)
    classification: Classification | None = None


@router.patch("/documents/{code}", response={200: DocumentOut, **VERSIONED}, auth=RequiredAuth())
def patch_document(request: HttpRequest, code: Key, payload: DocumentPatch) -> DocumentOut:
    document = get_visible_or_404(account_of(request), queries.documents_for(account_of(request)), code=code)
    require(account_of(request), "edit", document)
    updated = update_document(
        account_of(request),
        document,
        expected_version=payload.version,
        title_en=payload.title_en,
        body=payload.body,
        classification=payload.classification,
    )
    return document_out(queries.documents_for(account_of(request)).get(pk=updated.pk))
