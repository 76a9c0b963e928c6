"""Progress towards a target, computed from the observations, never typed in (docs/decisions/0030).

For one state: B is the value in the base year, T the target, L the latest value at year t (after the
base year, not after the target year). The straight path from B (base year) to T (target year) says
how much of the gap should be closed by t; the data says how much was:

    needed   = (t - base year) / (target year - base year)      share of the time gone
    achieved = (L - B) / (T - B)                                share of the gap closed

achieved (T reached, in the target's direction); on track when achieved ≥ needed; off track
otherwise. The annual change achieved, (L - B) / (t - base year), is shown beside the annual change
still needed, (T - L) / (target year - t). Linear, not compound: many series are shares or can be
zero or negative, where a growth rate means nothing. Insufficient data: no base-year value, or fewer
than MIN_POINTS values from the base year to t.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kenes.development.charts import Point

MIN_POINTS = 3

STATUS_LABELS: dict[str, Promise] = {
    "achieved": _("achieved"),
    "on_track": _("on track"),
    "off_track": _("off track"),
    "insufficient": _("insufficient data"),
}


@dataclass(frozen=True)
class Progress:
    entity: str
    status: str
    base: float | None = None
    latest: float | None = None
    latest_year: int | None = None
    needed_share: float | None = None
    achieved_share: float | None = None
    annual_achieved: float | None = None
    annual_needed: float | None = None

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def progress(
    entity: str, series: dict[int, Point], base_year: int, year: int, target: float, direction: str
) -> Progress:
    base_point = series.get(base_year)
    window = [p for y, p in sorted(series.items()) if base_year <= y <= year]
    if base_point is None or len(window) < MIN_POINTS:
        return Progress(entity, "insufficient")
    latest = window[-1]
    b, t_value, l_value = base_point.value, target, latest.value
    elapsed = latest.year - base_year
    needed = elapsed / (year - base_year)
    annual_achieved = (l_value - b) / elapsed
    remaining = year - latest.year
    annual_needed = (t_value - l_value) / remaining if remaining else None
    reached = l_value >= t_value if direction == "increase" else l_value <= t_value
    achieved = (l_value - b) / (t_value - b) if t_value != b else (1.0 if reached else 0.0)
    if reached:
        status = "achieved"
    elif achieved >= needed:
        status = "on_track"
    else:
        status = "off_track"
    return Progress(entity, status, b, l_value, latest.year, needed, achieved, annual_achieved, annual_needed)
