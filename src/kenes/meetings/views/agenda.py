"""A meeting's agenda: add, move, change an item's status."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.access.policy import get_visible_or_404
from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.models import (
    AgendaItem,
    Document,
    Meeting,
)
from kenes.meetings.permissions import is_secretariat
from kenes.meetings.views.common import form_version, is_htmx
from kenes.meetings.views.meeting_page import agenda_context, back_to_meeting, meeting_for_change, render_meeting
from kenes.web.forms import Rerender, renders_action_errors


def _agenda_response(
    request: HttpRequest,
    meeting: Meeting,
    *,
    message: str = "",
    error: ActionError | None = None,
    data: QueryDict | None = None,
) -> HttpResponse:
    """The agenda section for HTMX (swapped in place), or back to the meeting page without JS."""
    if is_htmx(request):
        context = agenda_context(request, meeting, is_secretariat(request.user, meeting.format), error=error,
                                  data=data)  # fmt: skip
        context["agenda_message"] = message
        return render(request, "meetings/_agenda.html", context, status=error.status if error else 200)
    if error is not None:
        return render_meeting(request, meeting.code, errors={"agenda": error}, data=data, status=error.status)
    return back_to_meeting(request, meeting, "agenda", message)


def _on_agenda(*, keep_input: bool) -> Rerender:
    """The re-render for ``renders_action_errors`` of an agenda form: the section (HTMX) or the page."""

    def rerender(request: HttpRequest, exc: ActionError, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.POST if keep_input else None
        return _agenda_response(request, meeting_for_change(request, code), error=exc, data=data)

    return rerender


@login_required
@require_POST
@renders_action_errors(_on_agenda(keep_input=True))
def agenda_add(request: HttpRequest, code: str) -> HttpResponse:
    meeting = meeting_for_change(request, code)
    data = request.POST
    ids = [int(v) for v in data.getlist("documents") if v.isdigit()]
    documents = list(queries.documents_for(request.user, Document.objects.filter(meeting=meeting, pk__in=ids)))
    actions.add_agenda_item(
        request.user,
        meeting,
        title=data.get("title", ""),
        classification=data.get("classification") or None,
        presenter=data.get("presenter", ""),
        documents=documents,
    )
    return _agenda_response(request, meeting, message=_("The item is added to the agenda."))


def _agenda_item(request: HttpRequest, meeting: Meeting, pk: int) -> AgendaItem:
    return get_visible_or_404(request.user, AgendaItem.objects.filter(meeting=meeting), pk=pk)


@login_required
@require_POST
@renders_action_errors(_on_agenda(keep_input=False))
def agenda_move(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    meeting = meeting_for_change(request, code)
    item = _agenda_item(request, meeting, pk)
    visible_items = [entry for _number, entry in queries.agenda_for(request.user, meeting)]
    index = next(i for i, entry in enumerate(visible_items) if entry.pk == item.pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    if not 0 <= index + step < len(visible_items):
        raise ActionError(_("There is no such place on the agenda."), field="position")
    # Take the place of the neighbour the reader sees (positions are 1… over all items).
    actions.move_agenda_item(request.user, item, to_position=visible_items[index + step].position)
    return _agenda_response(request, meeting, message=_("The agenda is reordered."))


@login_required
@require_POST
@renders_action_errors(_on_agenda(keep_input=False))
def agenda_status(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    meeting = meeting_for_change(request, code)
    item = _agenda_item(request, meeting, pk)
    actions.update_agenda_item(
        request.user, item, expected_version=form_version(request.POST), status=request.POST.get("status", "")
    )
    return _agenda_response(request, meeting, message=_("The item's status is changed."))
