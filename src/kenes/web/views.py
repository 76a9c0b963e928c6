"""Pages of the foundation: overview, states and participation, formats, meetings, documents."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kenes.access.levels import Classification
from kenes.access.policy import can, get_visible_or_404
from kenes.errors import ActionError
from kenes.meetings import queries as meeting_queries
from kenes.meetings.actions import update_document
from kenes.meetings.models import Document, Format, Meeting
from kenes.states.models import Mechanism, Participation, State
from kenes.states.queries import by_name, members_on
from kenes.work.queries import work_for


def home(request: HttpRequest) -> HttpResponse:
    mechanism = Mechanism.objects.filter(code="ca_consultative_meetings").first()
    recent = meeting_queries.meetings_for(request.user).filter(status="held")[:6]
    return render(
        request,
        "web/home.html",
        {
            "mechanism": mechanism,
            "members": by_name(members_on(mechanism)) if mechanism else [],
            "recent": recent,
            "format_count": Format.objects.count(),
            "document_count": meeting_queries.documents_for(request.user).count(),
            "work": work_for(request.user) if request.user.is_authenticated else None,
        },
    )


def state_list(request: HttpRequest) -> HttpResponse:
    states = State.objects.prefetch_related(
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("mechanism").order_by("from_sort"),
        )
    )
    return render(request, "states/state_list.html", {"states": by_name(states)})


def state_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    state = get_object_or_404(
        State.objects.prefetch_related(
            "sources",
            Prefetch(
                "participations",
                queryset=Participation.objects.select_related("mechanism")
                .prefetch_related("sources")
                .order_by("from_sort"),
            ),
        ),
        iso2=iso2.upper(),
    )
    hosted = meeting_queries.meetings_for(request.user).filter(country=state)
    return render(request, "states/state_detail.html", {"state": state, "hosted": hosted})


def document_detail(request: HttpRequest, code: str) -> HttpResponse:
    document: Document = get_visible_or_404(
        request.user,
        Document.objects.select_related("meeting", "format", "owner_state").prefetch_related("sources", "signatories"),
        code=code,
    )
    return render(
        request,
        "meetings/document_detail.html",
        {"document": document, "may_edit": can(request.user, "edit", document)},
    )


@login_required
def document_edit(request: HttpRequest, code: str) -> HttpResponse:
    document: Document = get_visible_or_404(request.user, Document.objects.select_related("format"), code=code)
    if not can(request.user, "edit", document):
        raise PermissionDenied(_("You may read this document but not change it."))
    error: ActionError | None = None
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            update_document(
                request.user,
                document,
                expected_version=version,
                title_en=request.POST.get("title_en", ""),
                body=request.POST.get("body", ""),
                classification=request.POST.get("classification", ""),
            )
        except ActionError as exc:
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect("document_detail", code=document.code)
    levels = [c for c in Classification if c != Classification.RESTRICTED or document.classification == c]
    return render(
        request,
        "meetings/document_edit.html",
        {"document": document, "error": error, "levels": levels, "form": request.POST or None},
        status=error.status if error else 200,
    )


def meeting_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_visible_or_404(request.user, Meeting.objects.all(), pk=pk)
    return redirect("meeting_detail", code=meeting.code)
