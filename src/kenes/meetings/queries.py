"""Reads of formats, meetings and documents, already narrowed by the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from kenes.access.policy import visible
from kenes.meetings.models import Document, Format, Invitation, Meeting


def formats() -> QuerySet[Format]:
    return Format.objects.select_related("mechanism").prefetch_related("sources")


def meetings_for(account: Any, *, format_code: str | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("format", "country", "chair_state")
    if format_code:
        qs = qs.filter(format__code=format_code)
    return visible(account, qs)


def documents_for(account: Any, base: QuerySet[Document] | None = None) -> QuerySet[Document]:
    qs = base if base is not None else Document.objects.all()
    return visible(account, qs.select_related("meeting", "format", "owner_state").prefetch_related("sources"))


def meeting_detail(account: Any, code: str) -> Meeting:
    """One meeting the account may read, with its visible documents, guests and sources (404 otherwise)."""
    from kenes.access.policy import get_visible_or_404

    qs = Meeting.objects.select_related("format", "country", "chair_state").prefetch_related(
        "sources",
        "proposals__sources",
        Prefetch(
            "invitations",
            queryset=Invitation.objects.select_related("state", "organisation"),
        ),
        Prefetch(
            "documents",
            queryset=documents_for(account).prefetch_related("signatories"),
            to_attr="visible_documents",
        ),
    )
    return get_visible_or_404(account, qs, code=code)
