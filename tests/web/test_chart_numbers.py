"""Every chart in every UI language is valid SVG whose coordinates are plain numbers: a localised
decimal comma (``y1="192,0"`` in Russian) made points vanish and clipped the axis."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kenes.people import demo
from tests.conftest import login

pytestmark = pytest.mark.django_db

SVG = re.compile(r"<svg\b(?:(?!<svg\b).)*?</svg>", re.S)
NUMBER = re.compile(r"-?\d+(\.\d+)?")
NUMERIC = {"x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "dy", "width", "height"}
PAGES = ("/instructions/", f"/texts/{demo.DEMO_DRAFT_TEXT}/")


def _charts(html: str) -> list[ET.Element]:
    found = [ET.fromstring(svg) for svg in SVG.findall(html) if 'role="img"' in svg and "chart" in svg]
    return found


def _check(svg: ET.Element) -> int:
    checked = 0
    for element in svg.iter():
        for name, value in element.attrib.items():
            if name in NUMERIC:
                assert NUMBER.fullmatch(value), f"{element.tag} {name}={value!r}"
                checked += 1
            elif name == "viewBox":
                assert all(NUMBER.fullmatch(v) for v in value.split()), value
            elif name == "points":
                for pair in value.split():
                    x, y = pair.split(",")
                    assert NUMBER.fullmatch(x) and NUMBER.fullmatch(y), pair
                    checked += 1
    return checked


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_chart_has_plain_numbers(accounts: dict[str, Any], language: str) -> None:
    client = login(Client(), accounts["secretariat"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    seen = 0
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f'lang="{language}"' in html
        for svg in _charts(html):
            assert _check(svg) > 0
            seen += 1
    assert seen == len(PAGES), "a page lost its chart"
