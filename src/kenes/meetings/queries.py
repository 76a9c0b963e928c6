"""Reads of formats, meetings and documents, already narrowed by the access policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.policy import can, visible
from kenes.meetings.cadence import Compliance, compliance
from kenes.meetings.models import (
    AgendaItem,
    ChairRule,
    Delegation,
    DelegationMember,
    Document,
    Format,
    Invitation,
    InvitationStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from kenes.states.dates import PartialDate
from kenes.states.models import State


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


# --- Cadence and chair ----------------------------------------------------------------------


def held_regular_dates(fmt: Format, account: Any = None) -> list[dt.date]:
    """Days on which regular meetings of ``fmt`` were held (only those ``account`` may see, if given)."""
    qs = Meeting.objects.filter(format=fmt, status=MeetingStatus.HELD, kind=MeetingKind.REGULAR)
    if account is not None:
        qs = visible(account, qs)
    return [d for d in (m.start_date for m in qs.only("start_text")) if d is not None]


def format_compliance(fmt: Format, *, today: dt.date | None = None, account: Any = None) -> Compliance:
    return compliance(fmt.cadence_months, held_regular_dates(fmt, account), today or timezone.localdate())


def dashboard(account: Any, today: dt.date | None = None) -> list[tuple[Format, Compliance]]:
    """Every format with its cadence state, in two queries whatever the number of formats."""
    today = today or timezone.localdate()
    held: dict[int, list[dt.date]] = {}
    qs = visible(account, Meeting.objects.filter(status=MeetingStatus.HELD, kind=MeetingKind.REGULAR))
    for format_id, start_text in qs.values_list("format_id", "start_text"):
        day = PartialDate.parse(start_text).as_date() if start_text else None
        if day:
            held.setdefault(format_id, []).append(day)
    rows = []
    for fmt in Format.objects.select_related("mechanism").order_by("id"):
        rows.append((fmt, compliance(fmt.cadence_months, held.get(fmt.pk, []), today)))
    return rows


def next_chair(fmt: Format) -> tuple[State | None, str]:
    """Who chairs the next meeting, and why (computed from the rule and the meetings so far)."""
    last = (
        Meeting.objects.filter(format=fmt, kind=MeetingKind.REGULAR, chair_state__isnull=False)
        .exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.POSTPONED, MeetingStatus.UNVERIFIED])
        .select_related("chair_state")
        .order_by("-start_sort")
        .first()
    )
    if fmt.chair_rule == ChairRule.ROTATION and fmt.rotation:
        order = fmt.rotation
        if last and last.chair_state and last.chair_state.iso2 in order:
            code = order[(order.index(last.chair_state.iso2) + 1) % len(order)]
            reason = _("next after %(state)s in the rotation order") % {"state": last.chair_state.name}
        else:
            code, reason = order[0], _("first in the rotation order")
        return State.objects.filter(iso2=code).first(), str(reason)
    if fmt.chair_rule == ChairRule.HOST:
        return None, str(_("the host state of the next meeting chairs"))
    return None, str(_("no chair rule is set for this format"))


# --- Agenda, invitations, delegations -------------------------------------------------------


def agenda_for(account: Any, meeting: Meeting) -> list[tuple[int, AgendaItem]]:
    """The agenda items ``account`` may see, numbered 1… among themselves (no gaps leak)."""
    items = visible(account, AgendaItem.objects.filter(meeting=meeting)).prefetch_related(
        Prefetch("documents", queryset=documents_for(account))
    )
    return list(enumerate(items.order_by("position", "id"), start=1))


def invitations_for(account: Any, meeting: Meeting) -> list[Invitation]:
    """The secretariat and member delegations see every invitation; a guest sees accepted ones and
    its own, so a guest never learns who else was asked, refused or was revoked."""
    from kenes.people.models import Affiliation

    qs = meeting.invitations.select_related("state", "organisation")
    if getattr(account, "affiliation", None) == Affiliation.SECRETARIAT:
        return list(qs)
    state_id = getattr(account, "state_id", None)
    if state_id and can(account, "view", meeting) and is_member_account(account, meeting):
        return list(qs)
    return [i for i in qs if i.status == InvitationStatus.ACCEPTED or (state_id and i.state_id == state_id)]


def invitation_for(account: Any, pk: int, *, meeting_code: str | None = None) -> Invitation:
    """An invitation the account may know of: its own delegation's, or one that ``invitations_for``
    lists to it on a meeting it may read. A missing one and a hidden one are the same 404, on the
    page and in the API, so neither confirms that someone else's (revoked) invitation exists."""
    qs = Invitation.objects.select_related("meeting__format__mechanism", "state", "organisation")
    if meeting_code is not None:
        qs = qs.filter(meeting__code=meeting_code)
    invitation = qs.filter(pk=pk).first()
    if invitation is None:
        raise Http404
    state_id = getattr(account, "state_id", None)
    organisation_id = getattr(account, "organisation_id", None)
    own = (invitation.state_id is not None and invitation.state_id == state_id) or (
        invitation.organisation_id is not None and invitation.organisation_id == organisation_id
    )
    if own:
        return invitation
    meeting = invitation.meeting
    if can(account, "view", meeting) and pk in {i.pk for i in invitations_for(account, meeting)}:
        return invitation
    raise Http404


def own_invitations(account: Any) -> QuerySet[Invitation]:
    """The invitations addressed to the account's own state or organisation, so that its focal point
    can answer; the invitation itself says what it is to (not the meeting's material)."""
    if getattr(account, "state_id", None):
        qs = Invitation.objects.filter(state_id=account.state_id)
    elif getattr(account, "organisation_id", None):
        qs = Invitation.objects.filter(organisation_id=account.organisation_id)
    else:
        return Invitation.objects.none()
    return qs.select_related("meeting__format", "state", "organisation")


def is_member_account(account: Any, meeting: Meeting) -> bool:
    from kenes.states.queries import members_on

    state_id = getattr(account, "state_id", None)
    return bool(state_id) and members_on(meeting.format.mechanism_id).filter(pk=state_id or 0).exists()


def delegations_for(meeting: Meeting) -> QuerySet[Delegation]:
    return meeting.delegations.select_related("state").prefetch_related("members")


def delegation_member_for(account: Any, pk: int, *, meeting_code: str | None = None) -> DelegationMember:
    """A member of a delegation to a meeting the account may read; a missing one and one of a
    meeting the account may not read are the same 404, on the page and in the API."""
    qs = DelegationMember.objects.select_related("delegation__meeting__format", "delegation__state")
    if meeting_code is not None:
        qs = qs.filter(delegation__meeting__code=meeting_code)
    member = qs.filter(pk=pk).first()
    if member is None or not can(account, "view", member.delegation.meeting):
        raise Http404
    return member


# --- Scheduling -----------------------------------------------------------------------------


def attending_states(fmt: Format, day: dt.date, guests: list[str] | None = None) -> list[State]:
    from kenes.states.queries import members_on

    states = list(members_on(fmt.mechanism_id, day))
    if guests:
        states += list(
            State.objects.filter(iso2__in=[g.upper() for g in guests]).exclude(pk__in=[s.pk for s in states])
        )
    return states


def date_suggestions(
    account: Any,
    fmt: Format,
    *,
    start: dt.date,
    end: dt.date,
    days: int,
    guests: list[str] | None = None,
) -> dict[str, Any]:
    """Ranked dates for the next meeting of ``fmt`` with what each avoided (see ``scheduling``)."""
    from kenes.meetings.scheduling import Busy, suggest

    states = attending_states(fmt, start, guests)
    # The holidays package is keyed by ISO 3166 codes; the data names the code only for the five.
    codes = [s.holidays_code or s.iso2 for s in states]
    if fmt.partner_code and len(fmt.partner_code) == 2:
        codes.append(fmt.partner_code)  # partners' public holidays too (ISO codes; not EU/GCC)
    busy = []
    others = visible(
        account,
        Meeting.objects.filter(start_sort__lte=end + dt.timedelta(days=7))
        .exclude(status__in=[MeetingStatus.CANCELLED, MeetingStatus.POSTPONED])
        .select_related("format"),
    )
    for other in others:
        o_start, o_end = other.start_date, other.end_date
        if o_start and o_end and o_end >= start - dt.timedelta(days=7):
            busy.append(Busy(other.display_title, o_start, o_end))
    state = format_compliance(fmt, today=start, account=account)
    host, _reason = next_chair(fmt)
    suggestions = suggest(
        start=start,
        end=end,
        days=days,
        holiday_codes=codes,
        busy=busy,
        deadline=state.next_due,
        host=host.iso2 if host else None,
    )
    return {
        "states": [s.iso2 for s in states],
        "holiday_calendars": sorted(set(codes)),
        "deadline": state.next_due,
        "host": host,
        "suggestions": suggestions,
    }
