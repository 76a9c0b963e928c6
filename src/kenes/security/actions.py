"""Writes of the security channel: file a threat report, record a read, assess, draft joint
measures, request and convene an extraordinary consultation.

Each checks the access policy (an account that may not read a report gets a 404, as if it did not
exist), validates, writes in one transaction and appends the audit event. Notifications and the
audit data never carry a report's title or content, only its id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenes.access.actors import holds_role
from kenes.access.levels import Classification
from kenes.access.policy import effective_clearance, require
from kenes.audit import log as audit
from kenes.errors import ActionError
from kenes.inputs import checked
from kenes.meetings.models import Format, Meeting, MeetingKind
from kenes.security import uploads
from kenes.security.models import (
    FORMAT_CODE,
    Assessment,
    Category,
    ConsultationRequest,
    ReadEvent,
    Severity,
    SeverityView,
    ThreatReport,
)
from kenes.states.models import State
from kenes.states.queries import members_on

ATTACHMENT_TYPES = (*uploads.TEXT_SUFFIXES, *uploads.IMAGE_FORMATS, ".pdf")
MAX_ATTACHMENT_BYTES = uploads.MAX_BYTES
MAX_WITHIN_DAYS = 60
# Length limits, one per field, in characters (issue 10): enforced here, published in the API schema.
MAX_TITLE = 200
MAX_PLACE = 200
MAX_SUMMARY = 5_000
MAX_DETAILS = 50_000
MAX_ASSESSMENT = 10_000  # an assessment's comments; its recommended measures


def _too_long(max_length: int) -> str:
    return _("This is longer than %(max)d characters.") % {"max": max_length}


def security_format() -> Format:
    return Format.objects.get(code=FORMAT_CODE)


def _require_officer(actor: Any, fmt: Format) -> None:
    """A security officer of the format, cleared restricted with a fresh two-factor sign-in."""
    if isinstance(actor, str):
        return
    from kenes.people.models import Role

    allowed = (
        getattr(actor, "is_authenticated", False)
        and actor.state_id is not None
        and effective_clearance(actor) == Classification.RESTRICTED
        and holds_role(actor, [Role.SECURITY_OFFICER], fmt)
    )
    if not allowed:
        raise PermissionDenied(_("Only a cleared security officer may do this."))


def _check_members(states: list[State], fmt: Format, field: str) -> None:
    members = set(members_on(fmt.mechanism_id).values_list("pk", flat=True))
    outside = sorted(s.iso2 for s in states if s.pk not in members)
    if outside:
        raise ActionError(
            _("Only member states may be named here; not: %(states)s.") % {"states": ", ".join(outside)},
            field=field,
        )


def file_report(
    actor: Any,
    *,
    title: str,
    category: str,
    severity: int,
    occurred_at: dt.datetime,
    summary: str,
    distribution: list[State],
    affected_states: list[State] | None = None,
    place: str = "",
    details: str = "",
    attachment: UploadedFile | None = None,
    author_state: State | None = None,
    is_demo: bool = False,
) -> ThreatReport:
    """File a restricted threat report for the ``distribution`` (member states only; the author's
    state is always on it)."""
    fmt = security_format()
    _require_officer(actor, fmt)
    state = author_state if isinstance(actor, str) else actor.state
    if state is None:
        raise ActionError(_("A report is filed by a state."), field="author_state")
    message = _("Give the report a title of at most %(max)d characters.") % {"max": MAX_TITLE}
    title = checked(title, field="title", max_length=MAX_TITLE, too_long=message)
    if not title:
        raise ActionError(message, field="title")
    if category not in Category.values:
        raise ActionError(_("Unknown category."), field="category")
    try:
        severity = int(severity)
    except (TypeError, ValueError):
        severity = 0
    if severity not in Severity.values:
        raise ActionError(_("Choose a severity: low, moderate, high or critical."), field="severity")
    summary = checked(summary, field="summary", max_length=MAX_SUMMARY, too_long=_too_long(MAX_SUMMARY))
    if not summary:
        raise ActionError(_("Write a summary."), field="summary")
    details = checked(details, field="details", max_length=MAX_DETAILS, too_long=_too_long(MAX_DETAILS))
    place = checked(place, field="place", max_length=MAX_PLACE, too_long=_too_long(MAX_PLACE))
    if not distribution:
        raise ActionError(_("Choose the states the report is distributed to."), field="distribution")
    _check_members(list(distribution), fmt, "distribution")
    if attachment is not None:
        # By content, not by name: what the download must watermark, within its caps.
        uploads.inspect(attachment)
    recipients = {s.pk: s for s in distribution}
    recipients[state.pk] = state
    with transaction.atomic():
        report = ThreatReport.objects.create(
            format=fmt,
            author=None if isinstance(actor, str) else actor,
            author_state=state,
            title=title,
            category=category,
            severity=severity,
            place=place,
            occurred_at=occurred_at,
            summary=summary,
            details=details,
            classification=Classification.RESTRICTED,
            is_demo=is_demo,
        )
        report.distribution.set(list(recipients.values()))
        report.affected_states.set(affected_states or [])
        if attachment is not None:
            report.attachment.save(attachment.name or "attachment", attachment, save=True)
        audit.record(
            actor,
            "security.report_filed",
            report,
            distribution=sorted(s.iso2 for s in recipients.values()),
            category=category,
            severity=severity,
        )
    return report


def record_read(actor: Any, report: ThreatReport, what: str) -> ReadEvent:
    """Log that ``actor`` read (``view``, ``api``) or downloaded (``download``) ``report``."""
    require(actor, "view", report)
    with transaction.atomic():
        event = ReadEvent.objects.create(report=report, account=actor, what=what)
        audit.record(actor, "security.report_read", report, what=what)
    return event


def assess(
    actor: Any,
    report: ThreatReport,
    *,
    view: str,
    comments: str = "",
    measures: str = "",
    state: State | None = None,
) -> Assessment:
    """The assessment of an addressed state (one per state: a new one replaces the old)."""
    require(actor, "view", report)
    _require_officer(actor, report.format)
    if not isinstance(actor, str):
        if state is not None and state.pk != actor.state_id:
            raise PermissionDenied(_("A state assesses for itself only."))
        state = actor.state
    if state is None or not report.distribution.filter(pk=state.pk).exists():
        raise ActionError(_("Only the states the report is addressed to may assess it."), field="state")
    if view not in SeverityView.values:
        raise ActionError(_("Say whether the severity is agreed, raised or lowered."), field="view")
    comments = checked(comments, field="comments", max_length=MAX_ASSESSMENT, too_long=_too_long(MAX_ASSESSMENT))
    measures = checked(measures, field="measures", max_length=MAX_ASSESSMENT, too_long=_too_long(MAX_ASSESSMENT))
    with transaction.atomic():
        assessment, _created = Assessment.objects.update_or_create(
            report=report,
            state=state,
            defaults={
                "author": None if isinstance(actor, str) else actor,
                "view": view,
                "comments": comments,
                "measures": measures,
                "created_at": timezone.now(),
            },
        )
        audit.record(actor, "security.assessed", report, state=state.iso2, view=view)
    return assessment


def draft_joint_measures(actor: Any, report: ThreatReport) -> Any:
    """A restricted negotiated text of joint measures, with the report's distribution, drafted from
    the measures the states recommended."""
    from kenes.texts.actions import create_text
    from kenes.texts.models import Text, TextKind

    require(actor, "view", report)
    _require_officer(actor, report.format)
    measures = [a.measures for a in report.assessments.order_by("created_at") if a.measures]
    units = [{"kind": "operative", "content": m[:4000]} for m in measures] or [
        {"kind": "operative", "content": _("Joint measures to be drafted.")}
    ]
    number = Text.objects.filter(code__startswith=f"scs-measures-{report.pk}-").count() + 1
    return create_text(
        actor,
        fmt=report.format,
        code=f"scs-measures-{report.pk}-{number}",
        title=_("Joint measures on threat report %(id)s") % {"id": report.pk},
        kind=TextKind.ROADMAP,
        units=units,
        classification=Classification.RESTRICTED,
        distribution=list(report.distribution.all()),
        is_demo=report.is_demo,
    )


def _alert_secretariat(fmt: Format) -> None:
    from kenes.people.models import Account, Affiliation, Role
    from kenes.people.notify import notify

    accounts = Account.objects.filter(
        affiliation=Affiliation.SECRETARIAT,
        is_active=True,
        roles__role=Role.SECRETARIAT,
    ).filter(Q(roles__format__isnull=True) | Q(roles__format=fmt))
    for account in accounts.distinct():
        # No restricted content: not the report, its title, its category or the states.
        notify(
            account,
            "security.consultation_requested",
            gettext_lazy("A request for an extraordinary consultation was made."),
            url=reverse("meeting_list"),
        )


def request_consultation(actor: Any, report: ThreatReport, *, within_days: int = 14) -> ConsultationRequest:
    """An addressed state asks for an extraordinary consultation; the secretariat is alerted."""
    require(actor, "view", report)
    _require_officer(actor, report.format)
    try:
        within_days = int(within_days)
    except (TypeError, ValueError):
        within_days = 0
    if not 1 <= within_days <= MAX_WITHIN_DAYS:
        raise ActionError(
            _("Choose within how many days: 1 to %(max)d.") % {"max": MAX_WITHIN_DAYS}, field="within_days"
        )
    state = actor.state if not isinstance(actor, str) else report.author_state
    with transaction.atomic():
        request = ConsultationRequest.objects.create(
            report=report,
            state=state,
            requested_by=None if isinstance(actor, str) else actor,
            within_days=within_days,
        )
        audit.record(actor, "security.consultation_requested", report, request=request.pk, within_days=within_days)
        _alert_secretariat(report.format)
    return request


def convene_consultation(actor: Any, request: ConsultationRequest, *, start: dt.date) -> Meeting:
    """Create the restricted extraordinary meeting on ``start``, with the report on its agenda."""
    from kenes.meetings.actions import add_agenda_item, create_meeting

    report = request.report
    require(actor, "view", report)
    _require_officer(actor, report.format)
    if request.meeting_id is not None:
        raise ActionError(_("This consultation is already convened."))
    today = timezone.localdate()
    if not today <= start <= today + dt.timedelta(days=request.within_days):
        raise ActionError(
            _("Choose a day within %(days)d days from today.") % {"days": request.within_days}, field="start"
        )
    distribution = list(report.distribution.all())
    with transaction.atomic():
        meeting = create_meeting(
            actor,
            fmt=report.format,
            code=f"{report.format.code}-x{request.pk}-{start.isoformat()}",
            title_en=_("Extraordinary consultation"),
            start_text=start.isoformat(),
            kind=MeetingKind.EXTRAORDINARY,
            classification=Classification.RESTRICTED,
            distribution=distribution,
            is_demo=report.is_demo,
        )
        add_agenda_item(
            actor,
            meeting,
            title=report.title[:300],
            classification=Classification.RESTRICTED,
            distribution=distribution,
        )
        request.meeting = meeting
        request.save(update_fields=["meeting"])
        audit.record(actor, "security.consultation_convened", report, meeting=meeting.pk)
    return meeting
