"""Reads of decisions, instructions and reports, narrowed by the access policy, with the joins the
pages need (a fixed number of queries whatever the number of instructions)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.policy import get_visible_or_404, visible
from kenes.decisions.models import Assignee, AssigneeKind, Decision, Instruction, Report
from kenes.decisions.rules import STATUS_LABELS, ReportFact, Standing, Status, standing
from kenes.formats import short_date
from kenes.meetings.cadence import Compliance, add_months
from kenes.meetings.models import Format
from kenes.texts.models import Text, TextStatus

# --- Texts and decisions --------------------------------------------------------------------------


def adopted_texts(account: Any) -> QuerySet[Text]:
    return visible(account, Text.objects.filter(status=TextStatus.ADOPTED).select_related("format", "meeting"))


def decisions_for(account: Any) -> QuerySet[Decision]:
    """Decisions of the texts ``account`` may read."""
    return Decision.objects.filter(text__in=visible(account, Text.objects.all())).select_related(
        "text__format", "text__meeting__format", "unit"
    )


def decision_for(account: Any, pk: int) -> Decision:
    """A decision whose text ``account`` may read, or 404."""
    from django.http import Http404

    decision = decisions_for(account).filter(pk=pk).first()
    if decision is None:
        raise Http404("Not found")
    return decision


def unit_content(unit: Any, language: str, fallback: str) -> str:
    """The unit's words in ``language``, else in the working language ``fallback``."""
    versions = {v.language: v.content for v in unit.versions.all()}
    return versions.get(language) or versions.get(fallback, "")


# --- Instructions ---------------------------------------------------------------------------------


def base() -> QuerySet[Instruction]:
    return Instruction.objects.select_related(
        "format__mechanism", "meeting__format", "assignee_format", "decision__text", "decision__unit", "proposal"
    ).prefetch_related(
        Prefetch("assignees", queryset=Assignee.objects.select_related("state", "focal_point")),
        Prefetch("reports", queryset=Report.objects.order_by("created_at", "id"), to_attr="all_reports"),
        "proposal__sources",
    )


def instructions_for(account: Any) -> QuerySet[Instruction]:
    return visible(account, base())


def instruction_for(account: Any, pk: int) -> Instruction:
    return get_visible_or_404(account, base(), pk=pk)  # type: ignore[no-any-return]


def reports_for(account: Any, instruction: Instruction) -> list[Report]:
    """The reports on ``instruction`` that ``account`` may read (reports are member material)."""
    qs = Report.objects.filter(instruction=instruction).select_related("state", "author", "reviewed_by")
    return list(visible(account, qs).order_by("created_at", "id"))


def _facts(instruction: Instruction) -> list[ReportFact]:
    reports = getattr(instruction, "all_reports", None)
    if reports is None:
        reports = list(instruction.reports.all())
    return [
        ReportFact(
            state_id=r.state_id,
            progress=r.progress,
            review=r.review,
            filed_on=timezone.localtime(r.created_at).date(),
            reviewed_on=timezone.localtime(r.reviewed_at).date() if r.reviewed_at else None,
        )
        for r in reports
    ]


def standing_of(
    instruction: Instruction, *, today: dt.date, cadence: dict[int, Compliance] | None = None, account: Any = None
) -> Standing:
    compliance = None
    if instruction.tied_to_cadence and not instruction.is_cancelled:
        assert instruction.assignee_format is not None
        if cadence is not None and instruction.assignee_format_id in cadence:
            compliance = cadence[instruction.assignee_format_id]
        else:
            from kenes.meetings.queries import format_compliance

            compliance = format_compliance(instruction.assignee_format, today=today, account=account)
    reporting = (
        {a.state_id for a in instruction.assignees.all()} if instruction.assignee_kind == AssigneeKind.STATES else None
    )
    return standing(
        today=today,
        basis_date=instruction.basis_date,
        cancelled=instruction.is_cancelled,
        proposal=instruction.is_proposal,
        due_date=instruction.due_date,
        recurrence_months=instruction.recurrence_months,
        cadence=compliance,
        reports=_facts(instruction),
        reporting_states=reporting,
    )


def standings(
    qs: QuerySet[Instruction], *, today: dt.date | None = None, account: Any = None
) -> list[tuple[Instruction, Standing]]:
    """Each instruction of ``qs`` (built on ``base()``) with its status. Cadence compliance is
    computed once per format (from the meetings held that ``account`` may see; all of them when no
    account is given)."""
    from kenes.meetings.queries import format_compliance

    today = today or timezone.localdate()
    rows = list(qs)
    cadence: dict[int, Compliance] = {}
    for fmt in {i.assignee_format for i in rows if i.tied_to_cadence and i.assignee_format}:
        assert fmt is not None
        cadence[fmt.pk] = format_compliance(fmt, today=today, account=account)
    return [(i, standing_of(i, today=today, cadence=cadence, account=account)) for i in rows]


def assignee_label(instruction: Instruction) -> str:
    if instruction.assignee_kind == AssigneeKind.FORMAT and instruction.assignee_format:
        return instruction.assignee_format.name
    if instruction.assignee_kind == AssigneeKind.BODY:
        return instruction.assignee_body
    parts = []
    for a in instruction.assignees.all():
        parts.append(f"{a.state.name} ({a.ministry})" if a.ministry else a.state.name)
    return "; ".join(parts)


def schedule_label(instruction: Instruction) -> str:
    if instruction.due_date:
        return _("by %(day)s") % {"day": short_date(instruction.due_date)}
    months = instruction.recurrence_months
    if months == 12:
        return _("annually")
    if months:
        return _("every %(n)d months") % {"n": months} if months != 1 else _("every month")
    return _("no deadline in the sources")


def display_title(instruction: Instruction, language: str) -> str:
    """The instruction in the reader's language where the data has it (a proposal's Russian wording)."""
    if language.startswith("ru") and instruction.proposal and instruction.proposal.text_ru:
        return instruction.proposal.text_ru
    return instruction.title


# --- Dashboard filters ----------------------------------------------------------------------------


@dataclass
class Filters:
    meeting: str = ""
    assignee: str = ""  # "format:<code>", "state:<ISO2>" or "body:<name>"
    status: str = ""
    mine: bool = False

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        return cls(
            meeting=(query.get("meeting") or "").strip(),
            assignee=(query.get("assignee") or "").strip(),
            status=(query.get("status") or "").strip(),
            mine=(query.get("mine") or "") in ("1", "true", "on"),
        )

    def as_query(self) -> dict[str, str]:
        out = {"meeting": self.meeting, "assignee": self.assignee, "status": self.status}
        if self.mine:
            out["mine"] = "1"
        return {k: v for k, v in out.items() if v}


def apply(
    rows: list[tuple[Instruction, Standing]], filters: Filters, account: Any = None
) -> list[tuple[Instruction, Standing]]:
    """``rows`` narrowed by the dashboard's filters (in memory: the rows are already read and visible)."""

    def keep(instruction: Instruction, state: Standing) -> bool:
        if filters.meeting and (instruction.meeting is None or instruction.meeting.code != filters.meeting):
            return False
        kind, _sep, value = filters.assignee.partition(":")
        if kind == "format" and value:
            fmt = instruction.assignee_format
            if instruction.assignee_kind != AssigneeKind.FORMAT or fmt is None or fmt.code != value:
                return False
        elif kind == "state" and value:
            if value.upper() not in {a.state.iso2 for a in instruction.assignees.all()}:
                return False
        elif (
            kind == "body"
            and value
            and (instruction.assignee_kind != AssigneeKind.BODY or instruction.assignee_body != value)
        ):
            return False
        if filters.status and state.status != filters.status:
            return False
        if filters.mine:
            assignees = instruction.assignees.all()
            states = {a.state_id for a in assignees}
            focal_points = {a.focal_point_id for a in assignees}
            if getattr(account, "state_id", None) not in states and getattr(account, "pk", None) not in focal_points:
                return False
        return True

    return [(i, s) for i, s in rows if keep(i, s)]


def filtered(account: Any, filters: Filters, *, today: dt.date | None = None) -> list[tuple[Instruction, Standing]]:
    """The instructions ``account`` may read, narrowed by the dashboard's filters, with their status:
    the same rows for the page, its CSV export and the API."""
    return apply(standings(instructions_for(account), today=today, account=account), filters, account)


def filter_choices(rows: list[tuple[Instruction, Standing]]) -> dict[str, list[tuple[str, str]]]:
    """The meetings and assignees among the visible instructions (so a filter never names a hidden one)."""
    meetings: dict[str, str] = {}
    assignees: dict[str, str] = {}
    for instruction, _standing in rows:
        if instruction.meeting:
            meetings[instruction.meeting.code] = instruction.meeting.display_title
        if instruction.assignee_kind == AssigneeKind.FORMAT and instruction.assignee_format:
            assignees[f"format:{instruction.assignee_format.code}"] = instruction.assignee_format.name
        elif instruction.assignee_kind == AssigneeKind.BODY:
            assignees[f"body:{instruction.assignee_body}"] = instruction.assignee_body
        else:
            for a in instruction.assignees.all():
                assignees[f"state:{a.state.iso2}"] = a.state.name
    return {
        "meetings": sorted(meetings.items(), key=lambda kv: kv[1]),
        "assignees": sorted(assignees.items(), key=lambda kv: kv[1]),
        "statuses": [(str(s), str(STATUS_LABELS[s])) for s in Status],
    }


def counts(rows: list[tuple[Instruction, Standing]]) -> list[tuple[str, str, int]]:
    by_status = Counter(s.status for _i, s in rows)
    return [(str(s), str(STATUS_LABELS[s]), by_status[s]) for s in Status if by_status[s]]


# --- Cadence: which instruction imposed a format's rule -----------------------------------------


def imposed_by(account: Any, formats: list[Format]) -> dict[int, Instruction]:
    """For each format whose current cadence rule an instruction set (and the account may read
    that instruction), the instruction. One query."""
    by_basis = {f.pk: (f.rules_basis, f.cadence_months) for f in formats if f.cadence_months and f.rules_basis}
    if not by_basis:
        return {}
    qs = visible(
        account,
        Instruction.objects.filter(
            imposes_cadence=True, cancelled_at__isnull=True, assignee_format_id__in=list(by_basis)
        ).select_related("decision__text"),
    ).order_by("-created_at", "-id")
    out: dict[int, Instruction] = {}
    for instruction in qs:
        assert instruction.assignee_format_id is not None
        basis, months = by_basis[instruction.assignee_format_id]
        if instruction.imposed_basis == basis and instruction.recurrence_months == months:
            out.setdefault(instruction.assignee_format_id, instruction)
    return out


# --- Timeline and chart ---------------------------------------------------------------------------


@dataclass
class Event:
    when: dt.datetime | dt.date
    what: str
    detail: str = ""
    kind: str = ""


def timeline(instruction: Instruction, reports: list[Report]) -> list[Event]:
    """From the decision (or the proposal) to the last report, oldest first."""
    events: list[Event] = []
    if instruction.decision:
        text = instruction.decision.text
        if text.adopted_at:
            events.append(Event(text.adopted_at, _("Text adopted"), text.title, "adopted"))
        events.append(Event(instruction.decision.marked_at, _("Paragraph %(uid)s marked as a decision")
                            % {"uid": instruction.decision.unit.uid}, "", "decision"))  # fmt: skip
        events.append(Event(instruction.created_at, _("Instruction given"), "", "created"))
        if instruction.imposes_cadence and instruction.assignee_format:
            events.append(Event(instruction.created_at, _("Cadence rule set for %(format)s")
                                % {"format": instruction.assignee_format.name}, "", "cadence"))  # fmt: skip
    elif instruction.meeting and instruction.meeting.start_date:
        events.append(Event(instruction.basis_date, _("Proposed at the meeting"), instruction.meeting.display_title,
                            "proposed"))  # fmt: skip
    for report in reports:
        events.append(Event(report.created_at, _("Report filed by %(state)s") % {"state": report.state.name},
                            report.get_progress_display(), "report"))  # fmt: skip
        if report.reviewed_at:
            verb = (
                _("Report of %(state)s accepted") if report.review == "accepted" else _("Report of %(state)s returned")
            )
            events.append(Event(report.reviewed_at, verb % {"state": report.state.name}, report.review_comment,
                                "review"))  # fmt: skip
    if instruction.cancelled_at:
        events.append(Event(instruction.cancelled_at, _("Instruction cancelled"), instruction.cancel_reason, "cancel"))

    def key(event: Event) -> dt.datetime:
        when = event.when
        if isinstance(when, dt.datetime):
            return when
        return dt.datetime.combine(when, dt.time.min, tzinfo=dt.UTC)

    return sorted(events, key=key)


@dataclass
class Chart:
    width: int
    height: int
    months: list[dt.date]
    given: list[int]
    done: list[int]
    given_points: str
    done_points: str
    top: int
    ticks: list[tuple[float, str, str]]
    y_ticks: list[tuple[float, int]]
    given_dots: list[tuple[float, float]]
    done_dots: list[tuple[float, float]]

    @property
    def rows(self) -> list[tuple[dt.date, int, int]]:
        return list(zip(self.months, self.given, self.done, strict=True))


def completion_chart(rows: list[tuple[Instruction, Standing]], today: dt.date, *, max_months: int = 24) -> Chart | None:
    """Instructions given and done, cumulative by month, as SVG polyline points (drawn server-side).

    Only instructions from decisions count: a proposal is not followed up. Cancelled ones are left out.
    """
    tracked = [(i, s) for i, s in rows if not i.is_proposal and s.status != Status.CANCELLED]
    if not tracked:
        return None
    # from the month before the first decision, so that every line starts at zero
    first = add_months(min(i.basis_date for i, _s in tracked).replace(day=1), -1)
    end = today.replace(day=1)
    months = [first]
    while months[-1] < end:
        months.append(add_months(months[-1], 1))
    months = months[-max_months:]

    def upto(day: dt.date | None, month: dt.date) -> bool:
        return day is not None and day < add_months(month, 1)

    given = [sum(1 for i, _s in tracked if upto(i.basis_date, m)) for m in months]
    done = [sum(1 for _i, s in tracked if upto(s.completed_on, m)) for m in months]
    width, height, left, bottom, pad = 520, 220, 36, 28, 12
    top = max([*given, 1])
    plot_w, plot_h = width - left - pad, height - bottom - pad
    step = plot_w / max(len(months) - 1, 1)

    def xy(index: int, value: int) -> tuple[float, float]:
        return round(left + index * step, 1), round(pad + plot_h - value / top * plot_h, 1)

    def point(index: int, value: int) -> str:
        x, y = xy(index, value)
        return f"{x},{y}"

    every = max(1, len(months) // 5)
    last = len(months) - 1
    shown = [n for n in range(0, last + 1, every) if n == 0 or last - n >= every / 2]
    if last not in shown:
        shown.append(last)
    ticks = [
        (left + n * step, months[n].strftime("%Y-%m"), "start" if n == 0 else "end" if n == last else "middle")
        for n in shown
    ]
    y_values = sorted({0, top // 2, top}) if top > 1 else [0, 1]
    return Chart(
        width=width,
        height=height,
        months=months,
        given=given,
        done=done,
        given_points=" ".join(point(n, v) for n, v in enumerate(given)),
        done_points=" ".join(point(n, v) for n, v in enumerate(done)),
        top=top,
        ticks=ticks,
        y_ticks=[(pad + plot_h - v / top * plot_h, v) for v in y_values],
        given_dots=[xy(n, v) for n, v in enumerate(given)] if len(months) <= 24 else [],
        done_dots=[xy(n, v) for n, v in enumerate(done)] if len(months) <= 24 else [],
    )
