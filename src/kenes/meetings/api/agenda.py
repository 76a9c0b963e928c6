"""API: a meeting's agenda — add, edit, move, remove items."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Status

from kenes.access.levels import Classification
from kenes.access.policy import get_visible_or_404
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Id, Index, Key, Str, StrictSchema, Version, errors
from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.api.common import VERSIONED, WRITE, visible_meeting
from kenes.meetings.api.outputs import AgendaItemOut, agenda_out
from kenes.meetings.models import (
    AgendaItem,
    AgendaStatus,
    Document,
)

router = Router(tags=["meetings"])


def _documents(account: Any, codes: list[str]) -> list[Document]:
    found = {d.code: d for d in queries.documents_for(account).filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ActionError(_("Unknown document %(code)s.") % {"code": ", ".join(missing)}, field="documents")
    return [found[c] for c in codes]


def _agenda_item(account: Any, item_id: int) -> AgendaItem:
    qs = AgendaItem.objects.select_related("meeting__format")
    return get_visible_or_404(account, qs, pk=item_id)  # type: ignore[no-any-return]


def _numbered(account: Any, item: AgendaItem) -> AgendaItemOut:
    for number, entry in queries.agenda_for(account, item.meeting):
        if entry.pk == item.pk:
            return agenda_out(number, entry)
    raise Http404


class AgendaItemIn(StrictSchema):
    title: Str = Field(min_length=1, max_length=actions.MAX_TITLE)
    classification: Classification | None = None
    presenter: Str = Field("", max_length=actions.MAX_NAME)
    documents: list[Key] = Field([], max_length=100)


@router.post("/meetings/{code}/agenda", response={201: AgendaItemOut, **WRITE}, auth=RequiredAuth())
def add_agenda_item(request: HttpRequest, code: Key, payload: AgendaItemIn) -> Status[AgendaItemOut]:
    account = account_of(request)
    meeting = visible_meeting(account, code)
    item = actions.add_agenda_item(
        account,
        meeting,
        title=payload.title,
        classification=str(payload.classification) if payload.classification else None,
        presenter=payload.presenter.strip(),
        documents=_documents(account, payload.documents),
    )
    return Status(201, _numbered(account, item))


class AgendaItemPatch(StrictSchema):
    version: Version
    title: Str | None = Field(None, min_length=1, max_length=actions.MAX_TITLE)
    presenter: Str | None = Field(None, max_length=actions.MAX_NAME)
    status: AgendaStatus | None = None
    classification: Classification | None = None


@router.patch("/agenda/{item_id}", response={200: AgendaItemOut, **VERSIONED}, auth=RequiredAuth())
def patch_agenda_item(request: HttpRequest, item_id: Id, payload: AgendaItemPatch) -> AgendaItemOut:
    account = account_of(request)
    item = _agenda_item(account, item_id)
    updated = actions.update_agenda_item(
        account,
        item,
        expected_version=payload.version,
        title=payload.title,
        presenter=payload.presenter,
        status=str(payload.status) if payload.status else None,
        classification=str(payload.classification) if payload.classification else None,
    )
    return _numbered(account, updated)


class AgendaMove(StrictSchema):
    position: Index = Field(ge=1, description="The place on the agenda, from 1.")


@router.post("/agenda/{item_id}/move", response={200: list[AgendaItemOut], **WRITE}, auth=RequiredAuth())
def move_agenda_item(request: HttpRequest, item_id: Id, payload: AgendaMove) -> list[AgendaItemOut]:
    """Put the item at ``position`` (1-based) and return the agenda as the caller sees it."""
    account = account_of(request)
    item = _agenda_item(account, item_id)
    actions.move_agenda_item(account, item, to_position=payload.position)
    return [agenda_out(n, entry) for n, entry in queries.agenda_for(account, item.meeting)]


@router.delete("/agenda/{item_id}", response={204: None, **errors(400, 403, 404, 422)}, auth=RequiredAuth())
def delete_agenda_item(request: HttpRequest, item_id: Id) -> Status[None]:
    account = account_of(request)
    actions.remove_agenda_item(account, _agenda_item(account, item_id))
    return Status(204, None)
