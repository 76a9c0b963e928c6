"""Dates of reduced precision, as the reference data gives them (``2020``, ``2020-10``, ``2020-10-05``).

A reduced date is kept as written and never padded to the first of a month; ``sort_key`` only
orders rows and is not shown as a date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        match = _PATTERN.match(text.strip())
        if not match:
            raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"month out of range: {text!r}")
        if day is not None:
            dt.date(year, month or 1, day)  # raises ValueError for 2023-02-30
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    @property
    def is_exact(self) -> bool:
        return self.day is not None

    def as_date(self) -> dt.date | None:
        """The calendar day, only when the source gives one."""
        if self.day is None or self.month is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def sort_key(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def __str__(self) -> str:
        if self.day and self.month:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"
