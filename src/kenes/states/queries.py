"""Read functions for states and participation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from kenes.states.models import Mechanism, Participation, ParticipationStatus, State


def members_on(mechanism: Mechanism | int, day: dt.date | None = None) -> QuerySet[State]:
    """The member states of ``mechanism`` on ``day`` (today by default), in one query."""
    day = day or timezone.localdate()
    mechanism_id = mechanism if isinstance(mechanism, int) else mechanism.pk
    return State.objects.filter(
        pk__in=Participation.objects.on(day)
        .filter(mechanism_id=mechanism_id, status=ParticipationStatus.MEMBER)
        .values("state_id")
    )


def status_on(mechanism: Mechanism, state: State, day: dt.date | None = None) -> str | None:
    """The participation status of ``state`` in ``mechanism`` on ``day``, or None."""
    day = day or timezone.localdate()
    row = Participation.objects.on(day).filter(mechanism=mechanism, state=state).first()
    return row.status if row else None


def states_with_participation() -> QuerySet[State]:
    return State.objects.prefetch_related("participations__mechanism", "participations__sources")


def by_name(states: Iterable[State]) -> list[State]:
    """States in the alphabetical order of their names in the reader's language (Китай before
    Кыргызстан in Russian, China before Kazakhstan in English)."""
    return sorted(states, key=lambda state: state.name.casefold())
