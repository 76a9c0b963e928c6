"""The scheduling assistant: ranked candidate dates for a meeting of a format.

A candidate span of ``days`` working days avoids weekends, the public holidays of every state
that would attend (the ``holidays`` package), and other meetings of the same states; it is
preferred when it meets the cadence deadline and earlier rather than later. Each suggestion says
what it avoided nearby, so the secretariat can see why a date was offered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import holidays

MAX_WINDOW_DAYS = 400
MAX_SPAN_DAYS = 7


@dataclass(frozen=True)
class Busy:
    """Another meeting that some of the same states attend."""

    label: str
    start: dt.date
    end: dt.date


@dataclass
class Suggestion:
    start: dt.date
    end: dt.date
    meets_deadline: bool | None
    host: str | None
    avoided: list[str] = field(default_factory=list)
    score: float = 0.0


class SchedulingError(ValueError):
    pass


@lru_cache(maxsize=256)
def _holidays(code: str, year: int) -> dict[dt.date, str]:
    # A code the package does not cover (an organisation such as EU or GCC) has no public holidays.
    if code not in holidays.list_supported_countries():
        return {}
    return dict(holidays.country_holidays(code, years=year).items())


@lru_cache(maxsize=64)
def _holiday_language(code: str, reader: str) -> str | None:
    """The ``holidays`` package's language for a reader: the reader's own ("ru"), its variant for
    the state ("ru_KG"), else English ("en_US"); None for a code the package does not cover."""
    if code not in holidays.list_supported_countries():
        return None
    supported = holidays.country_holidays(code).supported_languages
    for language in (reader, f"{reader}_{code}", "en_US"):
        if language in supported:
            return language
    return None


@lru_cache(maxsize=512)
def _named_holidays(code: str, year: int, language: str) -> dict[dt.date, str]:
    return dict(holidays.country_holidays(code, years=year, language=language).items())


def holiday_name(code: str, day: dt.date, reader: str) -> tuple[str, str] | None:
    """``(name, language code)`` of ``code``'s public holiday on ``day`` in the reader's language
    where the package has it (Tajik, Turkmen and Kyrgyz calendars in Russian), else in English."""
    language = _holiday_language(code, reader.split("-")[0])
    if language is None:
        return None
    name = _named_holidays(code, day.year, language).get(day)
    return (name, language.split("_")[0]) if name else None


def holidays_on(day: dt.date, codes: Iterable[str]) -> list[tuple[str, str]]:
    """``[(state code, holiday name)]`` for every state that has a public holiday on ``day``."""
    return [(code, _holidays(code, day.year)[day]) for code in codes if day in _holidays(code, day.year)]


def _span(start: dt.date, days: int) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range(days)]


def _why_not(day: dt.date, codes: tuple[str, ...], busy: list[Busy]) -> list[str]:
    reasons = []
    if day.weekday() >= 5:
        reasons.append(f"{day.isoformat()}: weekend")
    for code, name in holidays_on(day, codes):
        reasons.append(f"{day.isoformat()}: {name} ({code})")
    for other in busy:
        if other.start <= day <= other.end:
            reasons.append(f"{day.isoformat()}: {other.label}")
    return reasons


def suggest(
    *,
    start: dt.date,
    end: dt.date,
    days: int,
    holiday_codes: Iterable[str],
    busy: Iterable[Busy] = (),
    deadline: dt.date | None = None,
    host: str | None = None,
    limit: int = 8,
) -> list[Suggestion]:
    """Ranked, non-overlapping candidate spans of ``days`` days inside ``[start, end]``."""
    if days < 1 or days > MAX_SPAN_DAYS:
        raise SchedulingError(f"a meeting lasts 1 to {MAX_SPAN_DAYS} days")
    if end < start:
        raise SchedulingError("the window ends before it starts")
    if (end - start).days > MAX_WINDOW_DAYS:
        raise SchedulingError(f"the window is longer than {MAX_WINDOW_DAYS} days")
    codes = tuple(sorted(set(holiday_codes)))
    busy_list = list(busy)
    blocked: dict[dt.date, list[str]] = {}
    day = start - dt.timedelta(days=3)
    while day <= end + dt.timedelta(days=3):
        reasons = _why_not(day, codes, busy_list)
        if reasons:
            blocked[day] = reasons
        day += dt.timedelta(days=1)

    candidates: list[Suggestion] = []
    first = start
    while first + dt.timedelta(days=days - 1) <= end:
        span = _span(first, days)
        if not any(d in blocked for d in span):
            last = span[-1]
            near = [
                r
                for d in sorted(blocked)
                if first - dt.timedelta(days=3) <= d <= last + dt.timedelta(days=3)
                for r in blocked[d]
            ]
            meets = None if deadline is None else last <= deadline
            # Earlier is better; a span that meets the cadence deadline beats any that does not.
            score = -(first - start).days / max(1, (end - start).days)
            if meets:
                score += 10
            candidates.append(Suggestion(first, last, meets, host, near, score))
        first += dt.timedelta(days=1)

    chosen: list[Suggestion] = []
    for candidate in sorted(candidates, key=lambda c: (-c.score, c.start)):
        if any(not (candidate.end < c.start or candidate.start > c.end) for c in chosen):
            continue
        chosen.append(candidate)
        if len(chosen) >= limit:
            break
    return chosen
