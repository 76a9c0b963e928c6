"""Dates for the reader come from one helper (issue 14): Django's named formats per language, a long
form in running text, one short form in tables; ISO 8601 only where a machine reads it."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from kenes import formats
from kenes.meetings.models import Meeting
from tests.conftest import login

SRC = Path(formats.__file__).resolve().parent.parent
NAMED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
}
PARTS = {"D", "Y", "H:i", "H:i:s"}  # a weekday, a year or a time beside a named date
MACHINE = {"c", "Y-m-d", "Y-m"}  # for datetime="", input values and links
DATE_FILTER = re.compile(r"""\|date:(["'])(?P<format>.*?)\1""")
IN_ATTRIBUTE = re.compile(r"""(datetime|value|href|content)="[^"]*$""")


def test_templates_name_their_date_formats() -> None:
    wrong = []
    for path in SRC.rglob("templates/**/*.html"):
        html = path.read_text()
        for match in DATE_FILTER.finditer(html):
            shape = match["format"]
            if shape in NAMED or shape in PARTS:
                continue
            if shape in MACHINE and IN_ATTRIBUTE.search(html[max(0, match.start() - 120) : match.start()]):
                continue
            wrong.append(f"{path.relative_to(SRC)}: {shape}")
    assert wrong == []


def _iso_in_message(node: ast.AST) -> bool:
    """``_("…%(day)s") % {"day": d.isoformat()}``: an ISO date put into a sentence for a reader."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and isinstance(node.right, ast.Dict)):
        return False
    call = node.left
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in {"_", "gettext"}):
        return False
    return any(
        isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == "isoformat"
        for value in node.right.values
        for inner in ast.walk(value)
    )


def test_no_sentence_carries_an_iso_date() -> None:
    found = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if _iso_in_message(node):
                found.append(f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}")
    assert found == []


@pytest.mark.parametrize(
    ("language", "long", "short", "month", "day"),
    [
        ("ru", "21 июля 2022 г.", "21.07.2022", "Июль 2022 г.", "21 июля"),
        ("en", "21 July 2022", "21 Jul 2022", "July 2022", "21 July"),
    ],
)
def test_the_long_and_short_forms(language: str, long: str, short: str, month: str, day: str) -> None:
    with translation.override(language):
        assert date_format(dt.date(2022, 7, 21), "MONTH_DAY_FORMAT") == day
        assert formats.long_date(dt.date(2022, 7, 21)) == long
        assert formats.short_date(dt.date(2022, 7, 21)) == short
        assert formats.partial_date("2022-07") == month
        assert formats.partial_date("2022") == "2022"
        assert formats.partial_date("2022-07-21", long=True) == long
        assert formats.date_range("2022-07-20", "2022-07-21") == f"{formats.short_date(dt.date(2022, 7, 20))} – {short}"
        assert formats.date_range("2022-07-21", "2022-07-21") == short


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_no_language_writes_the_month_first(language: str) -> None:
    day = dt.date(2026, 3, 4)
    with translation.override(language):
        for shown in (formats.short_date(day), formats.long_date(day)):
            assert "03/04" not in shown and "3/4" not in shown, shown
            assert "2026-03-04" not in shown, shown


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "shown"), [("ru", "21.07.2022"), ("en", "21 Jul 2022")])
def test_meeting_dates_in_the_readers_form(accounts: dict[str, Any], language: str, shown: str) -> None:
    meeting = Meeting.objects.get(code="ca_heads_of_state-IV")
    client = login(Client(), accounts["secretariat"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(f"/meetings/{meeting.code}/").content.decode()
    assert shown in page
    cadence = client.get("/cadence/").content.decode()
    with translation.override(language):
        assert formats.short_date(timezone.localdate()) in cadence
