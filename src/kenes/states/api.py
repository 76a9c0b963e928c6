"""API: states and their dated participation."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from kenes.api.schemas import Key, SourceOut, errors
from kenes.states.models import Mechanism, Participation, State
from kenes.states.queries import members_on

router = Router(tags=["states"])


class ParticipationOut(Schema):
    mechanism: str
    status: str
    from_date: str | None
    until_date: str | None
    sources: list[str]


class StateOut(Schema):
    iso2: str
    iso3: str
    name_en: str
    name: str
    capital_en: str
    languages: list[str]
    timezone: str
    holidays_code: str
    participation: list[ParticipationOut]
    sources: list[SourceOut]


def _state_out(state: State) -> StateOut:
    return StateOut(
        iso2=state.iso2,
        iso3=state.iso3,
        name_en=state.name_en,
        name=state.name,
        capital_en=state.capital_en,
        languages=state.languages,
        timezone=state.timezone,
        holidays_code=state.holidays_code,
        participation=[
            ParticipationOut(
                mechanism=p.mechanism.code,
                status=p.status,
                from_date=p.from_text or None,
                until_date=p.until_text or None,
                sources=[s.code for s in p.sources.all()],
            )
            for p in state.participations.all()
        ],
        sources=[SourceOut.model_validate(s, from_attributes=True) for s in state.sources.all()],
    )


def _states() -> object:
    return State.objects.prefetch_related(
        "sources",
        Prefetch(
            "participations",
            queryset=Participation.objects.select_related("mechanism")
            .prefetch_related("sources")
            .order_by("from_sort"),
        ),
    )


@router.get("/states", response={200: list[StateOut], **errors()})
def list_states(request: HttpRequest) -> list[StateOut]:
    return [_state_out(s) for s in _states()]  # type: ignore[attr-defined]


@router.get("/states/{iso2}", response={200: StateOut, **errors(404, 422)})
def get_state(request: HttpRequest, iso2: Key) -> StateOut:
    return _state_out(get_object_or_404(_states(), iso2=iso2.upper()))  # type: ignore[arg-type]


class MembersOut(Schema):
    mechanism: str
    date: dt.date
    members: list[str]


@router.get("/mechanisms/{code}/members", response={200: MembersOut, **errors(404, 422)})
def mechanism_members(request: HttpRequest, code: Key, date: dt.date | None = None) -> MembersOut:
    """The member states of a mechanism on a date (today by default)."""
    mechanism = get_object_or_404(Mechanism, code=code)
    from django.utils import timezone

    day = date or timezone.localdate()
    return MembersOut(
        mechanism=code, date=day, members=sorted(members_on(mechanism, day).values_list("iso2", flat=True))
    )
