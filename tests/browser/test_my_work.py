"""A signed-in person lands on what waits for them (issue 15, item 4), in Russian and English, on a
laptop and a phone: Russia's focal point finds the invitation on the home page and follows it to
the meeting; Kazakhstan's delegate finds the texts awaiting its positions on "My work"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from kenes.people import demo
from tests.browser.fixtures import shoot, sign_in, watch

pytestmark = pytest.mark.browser

WORDS = {
    "ru": {"waits": "Что ждёт вас", "invitations": "Приглашения, ожидающие ответа", "mine": "Моя работа",
           "positions": "Тексты, ожидающие позиций вашей делегации"},
    "en": {"waits": "What waits for you", "invitations": "Invitations to answer", "mine": "My work",
           "positions": "Texts awaiting your delegation's positions"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_the_work_waiting_is_where_a_person_lands(
    new_context: Callable[..., BrowserContext], language: str, viewport: str
) -> None:
    words = WORDS[language]
    page = new_context(viewport).new_page()
    problems = watch(page)
    sign_in(page, "focal.ru@demo.kenes.invalid", language=language)
    panel = page.locator("section.work")
    expect(panel.locator("h2")).to_have_text(words["waits"])
    expect(panel.locator(".work-invitation h3")).to_contain_text(words["invitations"])
    shoot(page, f"focal-ru-{language}", "home-work", viewport)
    panel.locator(".work-invitation a").first.click()
    page.wait_for_url(f"**/meetings/{demo.DEMO_EXTRA_MEETING}/")

    delegate = new_context(viewport).new_page()
    problems += watch(delegate)
    sign_in(delegate, "delegate.kz@demo.kenes.invalid", language=language)
    if viewport == "phone":
        delegate.locator("label.nav-button").click()
    delegate.get_by_role("link", name=words["mine"], exact=True).click()
    expect(delegate.locator("h1")).to_have_text(words["mine"])
    expect(delegate.locator(".work-position h3")).to_contain_text(words["positions"])
    expect(delegate.locator(".work-position li").first).to_contain_text("DEMO")
    shoot(delegate, f"delegate-kz-{language}", "my-work", viewport)
    if viewport == "laptop":
        # The header keeps its two tiers: the sections on one row, "My work" with the bell above them.
        tops = delegate.eval_on_selector_all(
            ".nav > a:not(.bell):not(.who):not(.button):not(.work-link)",
            "links => links.map(a => Math.round(a.getBoundingClientRect().top))",
        )
        work_top = delegate.eval_on_selector(".nav .work-link", "a => Math.round(a.getBoundingClientRect().top)")
        assert len(set(tops)) == 1 and work_top < tops[0], (tops, work_top)
    assert problems == []
