"""The room's forms about one paragraph: edit, add, amendments, positions, comments and notes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.errors import ActionError
from kenes.texts import actions, queries
from kenes.texts.models import (
    AmendmentKind,
    Position,
)
from kenes.texts.views.display import parse_target
from kenes.texts.views.room import after_change, failed_change, room_redirect, text_shape
from kenes.web.forms import Rerender, renders_action_errors


def _revision(data: QueryDict) -> int | None:
    value = data.get("revision", "")
    return int(value) if value.isdigit() else None


def room_form(key: str) -> Rerender:
    """The room again after a refusal, the message beside the form ``key`` that was sent:
    ``unit:{uid}:edit``, ``amendment:{pk}``, ``add`` … (formatted with the view's arguments)."""

    def rerender(
        request: HttpRequest, exc: ActionError, code: str, uid: str = "", pk: int | None = None
    ) -> HttpResponse:
        text = queries.text_for(request.user, code)
        if pk is not None:
            uid = queries.amendment_for(request.user, pk, text=text).unit.uid
        return failed_change(request, text, key=key.format(uid=uid, pk=pk), uid=uid, exc=exc)

    return rerender


def _note_form(request: HttpRequest, exc: ActionError, code: str) -> HttpResponse:
    uid = request.POST.get("unit", "")
    text = queries.text_for(request.user, code)
    return failed_change(request, text, key=f"unit:{uid}:note" if uid else "note", uid=uid, exc=exc)


@login_required
@require_POST
@renders_action_errors(room_form("unit:{uid}:edit"))
def unit_edit(request: HttpRequest, code: str, uid: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    unit = queries.unit_for(text, uid)
    before = text_shape(text)
    actions.edit_unit(
        request.user,
        unit,
        language=request.POST.get("language", ""),
        content=request.POST.get("content", ""),
        expected_revision=_revision(request.POST),
    )
    return after_change(request, text, uid=uid, message=_("The paragraph is saved."), before=before)


@login_required
@require_POST
@renders_action_errors(room_form("add"))
def unit_add(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    after_uid = request.POST.get("after", "")
    after = queries.unit_named(text, after_uid, field="after") if after_uid else None
    data = request.POST
    unit = actions.add_unit(request.user, text, kind=data.get("kind", ""), content=data.get("content", ""), after=after)
    return after_change(request, text, uid=unit.uid, message=_("The paragraph is added."))


@login_required
@require_POST
@renders_action_errors(room_form("unit:{uid}:amend"))
def amendment_propose(request: HttpRequest, code: str, uid: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    unit = queries.unit_for(text, uid)
    before = text_shape(text)
    data = request.POST
    bracket_index, option_index = parse_target(data.get("target", "unit"))
    actions.propose_amendment(
        request.user,
        unit,
        kind=data.get("kind", ""),
        content=data.get("content", "") if data.get("kind") != AmendmentKind.DELETE else "",
        reason=data.get("reason", ""),
        bracket_index=bracket_index,
        option_index=option_index,
    )
    return after_change(request, text, uid=uid, message=_("Your amendment is proposed."), before=before)


@login_required
@require_POST
@renders_action_errors(room_form("amendment:{pk}"))
def amendment_counter(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    text = queries.text_for(request.user, code)
    parent = queries.amendment_for(request.user, pk, text=text)
    before = text_shape(text)
    actions.propose_amendment(
        request.user,
        parent.unit,
        kind=AmendmentKind.REPLACE,
        content=request.POST.get("content", ""),
        reason=request.POST.get("reason", ""),
        parent=parent,
    )
    message = _("Your amendment to the amendment is proposed.")
    return after_change(request, text, uid=parent.unit.uid, message=message, before=before)


@login_required
@require_POST
@renders_action_errors(room_form("amendment:{pk}"))
def amendment_decide(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    text = queries.text_for(request.user, code)
    amendment = queries.amendment_for(request.user, pk, text=text)
    before = text_shape(text)
    accept = request.POST.get("decision") == "accept"
    actions.decide_amendment(request.user, amendment, accept=accept)
    message = _("The amendment is accepted into the text.") if accept else _("The amendment is rejected.")
    return after_change(request, text, uid=amendment.unit.uid, message=message, before=before)


@login_required
@require_POST
@renders_action_errors(room_form("amendment:{pk}"))
def amendment_withdraw(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    text = queries.text_for(request.user, code)
    amendment = queries.amendment_for(request.user, pk, text=text)
    before = text_shape(text)
    actions.withdraw_amendment(request.user, amendment)
    return after_change(request, text, uid=amendment.unit.uid, message=_("Your amendment is withdrawn."), before=before)


@login_required
@require_POST
@renders_action_errors(room_form("unit:{uid}:position"))
def position_state(request: HttpRequest, code: str, uid: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    unit = queries.unit_for(text, uid)
    before = text_shape(text)
    data = request.POST
    bracket_index, option_index = parse_target(data.get("target", "unit"))
    actions.state_position(
        request.user,
        unit,
        stance=data.get("stance", ""),
        note=data.get("note", ""),
        bracket_index=Position.WHOLE_UNIT if bracket_index is None else bracket_index,
        option_index=Position.WHOLE_UNIT if option_index is None else option_index,
    )
    return after_change(request, text, uid=uid, message=_("Your delegation's position is recorded."), before=before)


@login_required
@require_POST
@renders_action_errors(room_form("unit:{uid}:comment"))
def comment_add(request: HttpRequest, code: str, uid: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    unit = queries.unit_for(text, uid)
    before = text_shape(text)
    actions.add_comment(request.user, unit, body=request.POST.get("body", ""))
    return after_change(request, text, uid=uid, message=_("Your comment is added."), before=before)


@login_required
@require_POST
@renders_action_errors(_note_form)
def note_add(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    uid = request.POST.get("unit", "")
    unit = queries.unit_named(text, uid, field="unit") if uid else None
    before = text_shape(text)
    body, red_line = request.POST.get("body", ""), bool(request.POST.get("red_line"))
    actions.add_private_note(request.user, text, body=body, unit=unit, red_line=red_line)
    message = _("Your private note is saved; only your delegation sees it.")
    if not uid:
        messages.success(request, message)
        return redirect(room_redirect(text, "notes"))
    return after_change(request, text, uid=uid, message=message, before=before)
