"""Reads of the security channel, always through the access policy."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kenes.access.policy import can, visible, visible_after_reauth
from kenes.security.models import Assessment, ConsultationRequest, ReadEvent, ThreatReport


class NeedsReauth(Exception):
    """The account would read this after entering a new TOTP code in this session."""


def reports_for(account: Any) -> QuerySet[ThreatReport]:
    return (
        visible(account, ThreatReport.objects.all())
        .select_related("author_state", "format")
        .prefetch_related("distribution", "affected_states")
    )


def report_for(account: Any, pk: int) -> ThreatReport:
    """The report, or 404. A stale session entitled to it raises ``NeedsReauth`` instead."""
    report = reports_for(account).filter(pk=pk).first()
    if report is not None:
        return report
    if visible_after_reauth(account, ThreatReport.objects.filter(pk=pk)).exists():
        raise NeedsReauth()
    raise Http404("Not found")


def assessments_for(account: Any, report: ThreatReport) -> QuerySet[Assessment]:
    if not can(account, "view", report):
        return Assessment.objects.none()
    return report.assessments.select_related("state", "author")


def read_log_for(account: Any, report: ThreatReport) -> QuerySet[ReadEvent]:
    """The read log: for the author's state only (and only while it may read the report)."""
    if not can(account, "view", report) or getattr(account, "state_id", None) != report.author_state_id:
        raise Http404("Not found")
    return report.reads.select_related("account", "account__state")


def may_see_read_log(account: Any, report: ThreatReport) -> bool:
    return getattr(account, "state_id", None) == report.author_state_id and can(account, "view", report)


def requests_for(account: Any, report: ThreatReport) -> QuerySet[ConsultationRequest]:
    if not can(account, "view", report):
        return ConsultationRequest.objects.none()
    return report.consultation_requests.select_related("state", "meeting")


def has_channel(account: Any) -> bool:
    """Does the account see the Security link (cleared restricted, of a state)?"""
    return bool(
        getattr(account, "is_authenticated", False)
        and getattr(account, "state_id", None)
        and str(getattr(account, "clearance", "")) == "restricted"
    )


def consultation_slots(account: Any, request: ConsultationRequest) -> list[Any]:
    """The earliest workable days for the extraordinary consultation, within the chosen days."""
    import datetime as dt

    from django.utils import timezone

    from kenes.meetings.queries import date_suggestions
    from kenes.meetings.scheduling import SchedulingError

    today = timezone.localdate()
    try:
        found = date_suggestions(
            account,
            request.report.format,
            start=today + dt.timedelta(days=1),
            end=today + dt.timedelta(days=request.within_days),
            days=1,
        )
    except SchedulingError:
        return []
    return sorted(found["suggestions"], key=lambda s: s.start)[:5]
