"""Kazakhstan's delegate finds the member states' focal points from "My work" (issue 15, item 7),
in Russian and English, on a laptop and a phone."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.fixtures import shoot, sign_in, watch

pytestmark = pytest.mark.browser

WORDS = {
    "ru": {"link": "Контактные лица государств-членов", "title": "Контактные лица", "uz": "Узбекистан"},
    "en": {"link": "Focal points of the member states", "title": "Focal points", "uz": "Uzbekistan"},
}


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_a_delegate_finds_the_focal_points(
    new_context: Callable[..., BrowserContext], language: str, viewport: str
) -> None:
    words = WORDS[language]
    page = new_context(viewport).new_page()
    problems = watch(page)
    sign_in(page, "delegate.kz@demo.kenes.invalid", language=language)
    page.goto("/work/")
    page.get_by_role("link", name=words["link"]).click()
    expect(page.locator("h1")).to_have_text(words["title"])
    expect(page.locator("#fp-UZ")).to_have_text(words["uz"])
    expect(page.locator("section.card", has=page.locator("#fp-UZ"))).to_contain_text("focal.uz@demo.kenes.invalid")
    shoot(page, f"delegate-kz-{language}", "focal-points", viewport)
    assert problems == []
