"""The room's forms that end a negotiation: circulate under silence, break it, adopt by consensus, sign."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kenes.errors import ActionError
from kenes.texts import actions, queries
from kenes.texts.views.room import room_redirect
from kenes.texts.views.units import room_form
from kenes.web.forms import renders_action_errors


def _deadline(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        raise ActionError(_("Give the deadline as a date and a time."), field="deadline") from None


@login_required
@require_POST
@renders_action_errors(room_form("circulate"))
def silence_circulate(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    deadline = _deadline(request.POST.get("deadline", ""))
    if timezone.is_aware(deadline):
        deadline = deadline.replace(tzinfo=None)
    actions.circulate_for_silence(request.user, text, deadline=deadline, timezone_name=request.POST.get("timezone", ""))
    messages.success(request, _("The text is circulated under silence procedure."))
    return redirect(room_redirect(text, "silence"))


@login_required
@require_POST
@renders_action_errors(room_form("break"))
def silence_break(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    actions.break_silence(request.user, text, reason=request.POST.get("reason", ""))
    messages.success(request, _("Your delegation broke the silence: the text is back under negotiation."))
    return redirect(room_redirect(text, "silence"))


@login_required
@require_POST
@renders_action_errors(room_form("adopt"))
def text_adopt(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    actions.adopt_by_consensus(request.user, text)
    messages.success(request, _("The text is adopted by consensus. It is frozen now."))
    return redirect(room_redirect(text, "adoption"))


@login_required
@require_POST
@renders_action_errors(room_form("sign"))
def text_sign(request: HttpRequest, code: str) -> HttpResponse:
    text = queries.text_for(request.user, code)
    actions.sign(request.user, text)
    messages.success(request, _("Your delegation signed the adopted text."))
    return redirect(room_redirect(text, "adoption"))
