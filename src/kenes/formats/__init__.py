"""Dates for the reader, in one place: Django's named formats per language (this package holds the
ones Django gets wrong for us, ``FORMAT_MODULE_PATH``), a long form in running text, one short form
in tables, reduced-precision dates from the sources as precise as they are written.

Templates use ``|date:"DATE_FORMAT"`` / ``"SHORT_DATE_FORMAT"`` / ``"DATETIME_FORMAT"`` /
``"SHORT_DATETIME_FORMAT"`` / ``"MONTH_DAY_FORMAT"`` / ``"YEAR_MONTH_FORMAT"``; Python code these
functions. Machine forms (``datetime=""``, input values, URLs, SVG, CSV, API) stay ISO 8601.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone

from kenes.states.dates import PartialDate


def long_date(day: dt.date) -> str:
    """3 December 2026 · 3 декабря 2026 г."""
    return formats.date_format(day, "DATE_FORMAT")


def short_date(day: dt.date) -> str:
    """3 Dec 2026 · 03.12.2026: the one form of tables and lists."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def long_datetime(moment: dt.datetime) -> str:
    """A moment in the current time zone, in running text."""
    return formats.date_format(timezone.localtime(moment) if timezone.is_aware(moment) else moment, "DATETIME_FORMAT")


def partial_date(text: str, *, long: bool = False) -> str:
    """A source's date as precise as it is written: ``2022``, July 2022, 21.07.2022 (or the long form)."""
    if not text:
        return ""
    try:
        parsed = PartialDate.parse(text)
    except ValueError:
        return text
    if parsed.precision == "year":
        return str(parsed.year)
    if parsed.precision == "month":
        return formats.date_format(dt.date(parsed.year, parsed.month or 1, 1), "YEAR_MONTH_FORMAT")
    day = parsed.as_date()
    assert day is not None
    return long_date(day) if long else short_date(day)


def date_range(start_text: str, end_text: str, *, long: bool = False) -> str:
    """First – last day of a meeting, or the one day; empty when the sources give no date."""
    first = partial_date(start_text, long=long)
    if end_text and end_text != start_text:
        return f"{first} – {partial_date(end_text, long=long)}"
    return first
