"""Calendar pages (month grid and list) and the iCalendar feeds: public and personal.

Every meeting shown or fed comes through ``queries.meetings_for`` (``visible()``). The personal
feed is fetched by calendar clients without a session: its secret address stands in for the
account's sign-in (see docs/decisions/0016-calendar-feed-secret-url.md).
"""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp import user_has_device

from kenes.access.policy import is_strongly_authenticated
from kenes.meetings import actions
from kenes.meetings import calendar as ical
from kenes.meetings.models import Meeting
from kenes.meetings.queries import meetings_for
from kenes.states.dates import PartialDate

ICS_TYPE = "text/calendar; charset=utf-8"
# The longest meeting a month grid looks back for (actions cap new meetings at 15 days).
_LONGEST = dt.timedelta(days=31)


def _parse_month(value: str | None, today: dt.date) -> dt.date:
    """The first day of ``?month=YYYY-MM``; this month when absent or malformed."""
    if value:
        try:
            parsed = PartialDate.parse(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.month is not None and parsed.day is None and 1900 <= parsed.year <= 2999:
            return dt.date(parsed.year, parsed.month, 1)
    return today.replace(day=1)


def _shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _last_possible_day(meeting: Meeting) -> dt.date | None:
    """The latest day the meeting may fall on, given how precisely the sources date it."""
    if not meeting.start_text:
        return None
    end = meeting.end_date
    if end is not None:
        return end
    try:
        when = PartialDate.parse(meeting.end_text or meeting.start_text)
    except ValueError:
        return None
    if when.month is None:
        return dt.date(when.year, 12, 31)
    return dt.date(when.year, when.month, pycalendar.monthrange(when.year, when.month)[1])


@dataclass
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    meetings: list[Meeting] = field(default_factory=list)


def month_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    first = _parse_month(request.GET.get("month"), today)
    weeks_of_dates = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    grid_start, grid_end = weeks_of_dates[0][0], weeks_of_dates[-1][-1]
    weeks = [[Day(d, d.month == first.month, d == today) for d in week] for week in weeks_of_dates]
    days = {day.date: day for week in weeks for day in week}
    undated: list[Meeting] = []
    qs = (
        meetings_for(request.user)
        .filter(start_sort__gte=grid_start - _LONGEST, start_sort__lte=grid_end)
        .order_by("start_sort", "code")
    )
    for meeting in qs:
        start, end = meeting.start_date, meeting.end_date
        if start is None:
            when = PartialDate.parse(meeting.start_text)
            if when.year == first.year and when.month == first.month:
                undated.append(meeting)
            continue
        day = max(start, grid_start)
        while day <= min(max(end or start, start), grid_end):
            days[day].meetings.append(meeting)
            day += dt.timedelta(days=1)
    in_month: list[Meeting] = []
    for cell in days.values():
        if cell.in_month:
            in_month.extend(m for m in cell.meetings if m not in in_month)
    context: dict[str, Any] = {
        "month": first,
        "in_month": in_month,
        "weeks": weeks,
        "weekdays": [WEEKDAYS_ABBR[i] for i in range(7)],
        "previous": _shift(first, -1),
        "next": _shift(first, 1),
        "this_month": today.replace(day=1),
        "undated": undated,
    }
    return render(request, "meetings/calendar_month.html", context)


@dataclass
class Group:
    label_date: dt.date
    by_year: bool
    meetings: list[Meeting] = field(default_factory=list)


def _group(meetings: list[Meeting]) -> list[Group]:
    groups: list[Group] = []
    for meeting in meetings:
        when = PartialDate.parse(meeting.start_text)
        key = dt.date(when.year, when.month or 1, 1)
        by_year = when.month is None
        if not groups or groups[-1].label_date != key or groups[-1].by_year != by_year:
            groups.append(Group(key, by_year))
        groups[-1].meetings.append(meeting)
    return groups


def list_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    upcoming: list[Meeting] = []
    past: list[Meeting] = []
    for meeting in meetings_for(request.user).exclude(start_text="").order_by("start_sort", "code"):
        last = _last_possible_day(meeting)
        (upcoming if last is not None and last >= today else past).append(meeting)
    past.reverse()
    return render(
        request,
        "meetings/calendar_list.html",
        {"upcoming": _group(upcoming), "past": _group(past), "today": today},
    )


def _ics_response(body: bytes, filename: str, *, private: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    else:
        response["Cache-Control"] = "public, max-age=900"
    return response


def _feed_meetings(account: Any) -> list[Meeting]:
    return list(meetings_for(account).exclude(start_text="").order_by("start_sort", "code"))


@require_GET
def public_feed(request: HttpRequest) -> HttpResponse:
    body = ical.to_ical(
        _feed_meetings(AnonymousUser()),
        name=_("Kenes — public meetings"),
        base_url=request.build_absolute_uri("/"),
    )
    return _ics_response(body, "kenes-public.ics", private=False)


def feed_account(token: str) -> Any:
    """The active account whose feed lives at ``token``, as the access policy should see it; 404 else.

    The address was created from a session that had passed two-factor sign-in wherever the
    account needs it, so it counts as the account's strong authentication, like an API token
    (decision 0013). An account that must use two-factor sign-in but has no confirmed
    authenticator (its clearance was raised, or its device was reset) reads only public meetings
    through its feed until it enrols again.
    """
    from kenes.people.models import Account, feed_digest

    if not token or len(token) > 64:
        raise Http404("Not found")
    account = Account.objects.filter(calendar_token=feed_digest(token), is_active=True).first()
    if account is None:
        raise Http404("Not found")
    if not account.requires_two_factor or user_has_device(account, confirmed=True):
        account.kenes_token_auth = True  # type: ignore[attr-defined]
    return account


@require_GET
def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    account = feed_account(token)
    with translation.override(account.preferred_language or translation.get_language()):
        body = ical.to_ical(
            _feed_meetings(account),
            name=_("Kenes — my meetings"),
            base_url=request.build_absolute_uri("/"),
        )
    return _ics_response(body, "kenes.ics", private=True)


def _require_verified(request: HttpRequest) -> HttpResponse | None:
    """A feed address is a credential: only a session that passed two-factor sign-in, where the
    account needs it, may create one (the middleware already sends such sessions to the 2FA page)."""
    user: Any = request.user
    if user.requires_two_factor and not is_strongly_authenticated(user):
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('account')}")
    return None


@login_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    refused = _require_verified(request)
    if refused is not None:
        return refused
    # Shown once on the account page, like a new API token: only its digest is stored.
    request.session["kenes_new_feed_token"] = actions.rotate_calendar_token(request.user)
    messages.success(request, _("Your calendar feed has a new address; the old one no longer works."))
    return redirect(f"{reverse('account')}#calendar-feed")


@login_required
@require_POST
def feed_revoke(request: HttpRequest) -> HttpResponse:
    actions.revoke_calendar_token(request.user)
    messages.success(request, _("Your calendar feed is turned off."))
    return redirect(f"{reverse('account')}#calendar-feed")
