"""The header at 1280 px in every UI language (issue 14): the Russian one wrapped and cut the signed-in
person's name. Measured in the browser, as the security officer, who has the most links."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import BrowserContext, expect

from tests.browser.fixtures import shoot, sign_in, watch

pytestmark = pytest.mark.browser

MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  const who = document.querySelector("header .who");
  const links = [...document.querySelectorAll("header nav.nav > a, header nav.nav .bell, header nav.nav button")];
  const box = who.getBoundingClientRect();
  return {
    width,
    whoCut: who.scrollWidth > who.clientWidth + 1 || box.right > width || box.left < 0,
    wrapped: links.filter(a => a.getClientRects().length > 1).map(a => a.textContent.trim()),
    outside: links.filter(a => a.getBoundingClientRect().right > width).map(a => a.textContent.trim()),
    tops: links.map(a => {
      const r = a.getBoundingClientRect();
      return [a.textContent.trim().slice(0, 12), Math.round(r.top), Math.round(r.bottom)];
    }),
    pageWidth: document.documentElement.scrollWidth,
  };
}"""


def _rows(boxes: list[tuple[int, int]]) -> int:
    """Lines of links: a box that overlaps the previous line's vertical span is on the same line."""
    lines: list[tuple[int, int]] = []
    for top, bottom in sorted(boxes):
        if lines and top < lines[-1][1]:
            lines[-1] = (lines[-1][0], max(bottom, lines[-1][1]))
        else:
            lines.append((top, bottom))
    return len(lines)


def test_the_header_fits_a_laptop_in_every_language(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context("laptop").new_page()
    problems = watch(page)
    sign_in(page, "security.kg@demo.kenes.invalid")
    site = urlsplit(page.url)
    for language in [code for code, _name in settings.LANGUAGES]:  # one sign-in, each language in turn
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": f"{site.scheme}://{site.netloc}/"}]
        )
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        found = page.evaluate(MEASURE)
        shoot(page, f"security-kg-{language}", "header", "laptop")
        rows = _rows([(top, bottom) for _text, top, bottom in found["tops"]])
        assert found["width"] == 1280
        assert not found["whoCut"], f"{language}: the signed-in person's name is cut"
        assert found["wrapped"] == [], f"{language}: a link breaks over two lines"
        assert found["outside"] == [], f"{language}: a link is past the right edge"
        assert rows <= 2, f"{language}: the header takes {rows} rows: {found['tops']}"
        assert found["pageWidth"] <= found["width"], language
    assert problems == []
