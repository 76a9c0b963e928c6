"""API: formats, their rules, the cadence dashboard and date suggestions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from kenes.access.levels import Classification
from kenes.api.auth import RequiredAuth, account_of
from kenes.api.schemas import Key, Str, StrictSchema, Version, errors
from kenes.errors import ActionError
from kenes.meetings import actions, queries
from kenes.meetings.api.common import VERSIONED
from kenes.meetings.api.outputs import (
    ComplianceOut,
    FormatDetailOut,
    FormatOut,
    compliance_out,
    format_detail_out,
    format_out,
)
from kenes.meetings.models import (
    ChairRule,
    DecisionRule,
    Standing,
)
from kenes.meetings.scheduling import MAX_SPAN_DAYS, MAX_WINDOW_DAYS, SchedulingError
from kenes.states.models import State

router = Router(tags=["meetings"])


@router.get("/formats", response={200: list[FormatOut], **errors()})
def list_formats(request: HttpRequest) -> list[FormatOut]:
    return [format_out(f) for f in queries.formats()]


@router.get("/formats/{code}", response={200: FormatDetailOut, **errors(404, 422)})
def get_format(request: HttpRequest, code: Key) -> FormatDetailOut:
    return format_detail_out(account_of(request), get_object_or_404(queries.formats(), code=code))


class FormatRulesPatch(StrictSchema):
    """The format's rules; a rule left out keeps its current value (``cadence_months: null`` clears it)."""

    rules_version: Version
    # 1 to 60: published in the schema, enforced by the action (a 400 in the reader's language
    # naming the field, rather than pydantic's 422 in English).
    cadence_months: int | None = Field(None, json_schema_extra={"minimum": 1, "maximum": 60})
    chair_rule: ChairRule | None = None
    rotation_order: list[Key] | None = Field(None, max_length=50)
    decision_rule: DecisionRule | None = None
    invitable: list[Standing] | None = None
    default_classification: Classification | None = None
    working_languages: list[Key] | None = Field(None, max_length=20)
    guests_may_comment: bool | None = None
    rules_basis: Str | None = Field(None, max_length=actions.MAX_RULES_BASIS)


@router.patch("/formats/{code}/rules", response={200: FormatDetailOut, **VERSIONED}, auth=RequiredAuth())
def patch_format_rules(request: HttpRequest, code: Key, payload: FormatRulesPatch) -> FormatDetailOut:
    account = account_of(request)
    fmt = get_object_or_404(queries.formats(), code=code)
    sent = payload.model_fields_set

    def value(name: str, current: Any) -> Any:
        return getattr(payload, name) if name in sent and getattr(payload, name) is not None else current

    updated = actions.update_format_rules(
        account,
        fmt,
        expected_version=payload.rules_version,
        cadence_months=payload.cadence_months if "cadence_months" in sent else fmt.cadence_months,
        chair_rule=str(value("chair_rule", fmt.chair_rule)),
        rotation_order=list(value("rotation_order", fmt.rotation)),
        decision_rule=str(value("decision_rule", fmt.decision_rule)),
        invitable=[str(s) for s in value("invitable", fmt.invitable_standings)],
        default_classification=str(value("default_classification", fmt.default_classification)),
        working_languages=list(value("working_languages", fmt.languages)),
        rules_basis=value("rules_basis", fmt.rules_basis),
        guests_may_comment=value("guests_may_comment", fmt.guests_may_comment),
    )
    return format_detail_out(account, get_object_or_404(queries.formats(), pk=updated.pk))


class CadenceOut(Schema):
    format: str
    name_en: str
    cadence_months: int | None
    cadence_text: str
    compliance: ComplianceOut


@router.get("/cadence", response={200: list[CadenceOut], **errors()})
def cadence_dashboard(request: HttpRequest) -> list[CadenceOut]:
    """Every format with its cadence state, computed from the meetings the caller may see held."""
    return [
        CadenceOut(
            format=fmt.code,
            name_en=fmt.name_en,
            cadence_months=fmt.cadence_months,
            cadence_text=fmt.cadence_text,
            compliance=compliance_out(state),
        )
        for fmt, state in queries.dashboard(account_of(request))
    ]


class SuggestionOut(Schema):
    start: dt.date
    end: dt.date
    meets_deadline: bool | None
    host: str | None
    avoided: list[str]


class DateSuggestionsOut(Schema):
    format: str
    states: list[str]
    holiday_calendars: list[str]
    deadline: dt.date | None
    host: str | None
    suggestions: list[SuggestionOut]


@router.get("/formats/{code}/date-suggestions", response={200: DateSuggestionsOut, **errors(400, 404, 422)})
def date_suggestions(
    request: HttpRequest,
    code: Key,
    start: dt.date,
    end: dt.date,
    # Published in the schema, enforced by the query (a 400 in the reader's language).
    days: Annotated[int, Field(json_schema_extra={"minimum": 1, "maximum": MAX_SPAN_DAYS})],
    guests: Key = "",
) -> DateSuggestionsOut:
    """Ranked dates for the next meeting of a format inside ``[start, end]``, each with what it
    avoided (weekends, public holidays of the attending states, other meetings). ``guests`` is a
    comma-separated list of invited states' ISO codes, e.g. ``CN,RU``."""
    fmt = get_object_or_404(queries.formats(), code=code)
    guest_codes = [g.strip().upper() for g in guests.split(",") if g.strip()]
    known = set(State.objects.filter(iso2__in=guest_codes).values_list("iso2", flat=True))
    unknown = [g for g in guest_codes if g not in known]
    if unknown:
        raise ActionError(_("Unknown state code %(code)s.") % {"code": ", ".join(unknown)}, field="guests")
    try:
        result = queries.date_suggestions(account_of(request), fmt, start=start, end=end, days=days, guests=guest_codes)
    except SchedulingError as exc:  # scheduling decides; here each refusal gets its field and translation
        if not 1 <= days <= MAX_SPAN_DAYS:
            raise ActionError(_("A meeting lasts 1 to %(max)d days.") % {"max": MAX_SPAN_DAYS}, field="days") from exc
        if end < start:
            raise ActionError(_("The date window ends before it starts."), field="end") from exc
        if (end - start).days > MAX_WINDOW_DAYS:
            message = _("The date window is longer than %(max)d days.") % {"max": MAX_WINDOW_DAYS}
            raise ActionError(message, field="end") from exc
        raise ActionError(str(exc)) from exc
    return DateSuggestionsOut(
        format=fmt.code,
        states=result["states"],
        holiday_calendars=result["holiday_calendars"],
        deadline=result["deadline"],
        host=result["host"].iso2 if result["host"] else None,
        suggestions=[
            SuggestionOut(start=s.start, end=s.end, meets_deadline=s.meets_deadline, host=s.host, avoided=s.avoided)
            for s in result["suggestions"]
        ],
    )
