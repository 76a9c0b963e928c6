"""What waits for one person: the "my work" page, the home page's panel and ``GET /api/v1/work``.

Each list is read through the queries of its own app, so through the access policy: an invitation
the reader's state must answer (its focal point), texts in negotiation where the reader's member
delegation has paragraphs without its position, texts under silence procedure, instructions to the
reader's state that are due or overdue, reports waiting for the secretariat's review, and threat
reports on the reader's distribution that the reader's state has not assessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kenes.access.levels import Classification
from kenes.access.policy import visible
from kenes.decisions import queries as decision_queries
from kenes.decisions.models import Report, Review
from kenes.decisions.rules import Status
from kenes.meetings import queries as meeting_queries
from kenes.meetings.models import InvitationStatus
from kenes.meetings.permissions import is_focal_point, secretariat_formats
from kenes.security import queries as security_queries
from kenes.security.models import Assessment
from kenes.states.models import State
from kenes.texts import queries as text_queries
from kenes.texts.models import Position, TextStatus, Unit
from kenes.texts.permissions import delegation_of, is_member

# An instruction shows here from this many days before it is due.
DUE_WITHIN_DAYS = 30

KINDS = {
    "invitation": _("Invitations to answer"),
    "position": _("Texts awaiting your delegation's positions"),
    "silence": _("Silence procedures running"),
    "instruction": _("Instructions due for your state"),
    "review": _("Reports to review"),
    "threat": _("Threat reports to assess"),
}


@dataclass(frozen=True)
class Item:
    kind: str
    title: str
    url: str
    due: dt.datetime | dt.date | None = None
    count: int | None = None  # how many of something the item stands for (paragraphs without a position)


@dataclass
class Work:
    items: list[Item] = field(default_factory=list)

    def of(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(self.of(kind)) for kind in KINDS}

    @property
    def sections(self) -> list[tuple[str, str, list[Item]]]:
        return [(kind, str(label), self.of(kind)) for kind, label in KINDS.items() if self.of(kind)]


def work_for(account: Any, *, today: dt.date | None = None) -> Work:
    """Everything waiting for ``account``; empty for an anonymous reader."""
    if not getattr(account, "is_authenticated", False):
        return Work()
    today = today or timezone.localdate()
    return Work(
        [
            *_invitations(account),
            *_texts(account),
            *_instructions(account, today),
            *_reviews(account),
            *_threats(account),
        ]
    )


def _invitations(account: Any) -> list[Item]:
    if not is_focal_point(account):
        return []
    pending = meeting_queries.own_invitations(account).filter(status=InvitationStatus.PENDING)
    return [
        Item("invitation", str(i.meeting.display_title), reverse("meeting_detail", args=[i.meeting.code]))
        for i in pending.order_by("meeting__start_sort")
    ]


def _texts(account: Any) -> list[Item]:
    """Silence procedures running, and texts with paragraphs still without the reader's state's
    position. The home page asks this on every visit: the missing positions are counted for all
    texts in one query, and who speaks for whom is asked once per format."""
    stated = Position.objects.filter(unit=OuterRef("pk"), state_id=account.state_id, revision=OuterRef("revision"))
    missing = (
        Unit.objects.filter(text=OuterRef("pk"), removed=False)
        .exclude(Exists(stated))
        .values("text")
        .annotate(n=Count("pk"))
        .values("n")
    )
    texts = (
        text_queries.texts_for(account)
        .filter(status__in=[TextStatus.DRAFTING, TextStatus.SILENCE])
        .select_related("format")
        .annotate(missing=Coalesce(Subquery(missing), 0))
        .order_by("silence_deadline", "-created_at")
    )
    speaks: dict[int, State | None] = {}
    members: dict[int, bool] = {}
    items: list[Item] = []
    for text in texts:
        url = reverse("text_room", args=[text.code])
        if text.status == TextStatus.SILENCE:
            items.append(Item("silence", text.title, url, due=text.silence_deadline))
            continue
        if not account.state_id or not text.missing:
            continue
        if text.format_id not in speaks:
            speaks[text.format_id] = delegation_of(account, text)
        state = speaks[text.format_id]
        if state is None:
            continue
        # A restricted text's members are those on its distribution; any other's, its format's.
        if text.classification == Classification.RESTRICTED:
            member = is_member(state, text)
        else:
            member = members.setdefault(text.format_id, is_member(state, text))
        if member:
            items.append(Item("position", text.title, url, count=text.missing))
    return items


def _instructions(account: Any, today: dt.date) -> list[Item]:
    if not account.state_id:
        return []
    mine = decision_queries.instructions_for(account).filter(
        assignees__state_id=account.state_id, cancelled_at__isnull=True
    )
    language = get_language() or "ru"
    items = []
    for instruction, standing in decision_queries.standings(mine.distinct(), today=today, account=account):
        if standing.status in (Status.DONE, Status.CANCELLED, Status.PROPOSED) or standing.due is None:
            continue
        if standing.status == Status.OVERDUE or (standing.due - today).days <= DUE_WITHIN_DAYS:
            title = decision_queries.display_title(instruction, language)
            items.append(Item("instruction", title, reverse("instruction_detail", args=[instruction.pk]),
                              due=standing.due))  # fmt: skip
    return sorted(items, key=lambda item: str(item.due))


def _reviews(account: Any) -> list[Item]:
    formats = secretariat_formats(account)
    instructions = decision_queries.instructions_for(account).filter(format__in=formats)
    waiting = visible(account, Report.objects.filter(instruction__in=instructions, review=Review.SUBMITTED))
    language = get_language() or "ru"
    items = []
    for report in waiting.select_related("instruction__proposal", "state").order_by("created_at"):
        title = f"{decision_queries.display_title(report.instruction, language)} · {report.state.iso2}"
        url = reverse("instruction_detail", args=[report.instruction_id]) + f"#report-{report.pk}"
        items.append(Item("review", title, url, due=report.created_at))
    return items


def _threats(account: Any) -> list[Item]:
    if not account.state_id or not security_queries.has_channel(account):
        return []
    assessed = Assessment.objects.filter(report=OuterRef("pk"), state_id=account.state_id)
    reports = security_queries.reports_for(account).exclude(Exists(assessed)).order_by("-created_at")
    return [Item("threat", r.title, reverse("security_report", args=[r.pk]), due=r.created_at) for r in reports]
