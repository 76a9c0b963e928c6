"""Journey (b) with exactly the README's accounts, in Russian and in English: Russia's focal point
finds the invitation in its notifications and accepts it; Russia's delegate then sees the meeting
and its participants' material, and nothing of the members' material."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from kenes.people import demo
from tests.browser.fixtures import shoot, sign_in, watch

pytestmark = pytest.mark.browser

FOCAL_RU = "focal.ru@demo.kenes.invalid"
GUEST_RU = "guest.ru@demo.kenes.invalid"
MEETING = f"/meetings/{demo.DEMO_EXTRA_MEETING}/"
AGENDA = "DEMO agenda of the extraordinary session (fictional)"
WORDS = {
    "ru": {
        "invited": "Ваша делегация приглашена на встречу. Откройте Kenes, чтобы ответить.",
        "heading": "Приглашение для вашей делегации",
        "accept": "Принять",
        "accepted": "Вы приняли приглашение.",
    },
    "en": {
        "invited": "Your delegation is invited to a meeting. Open Kenes to answer.",
        "heading": "An invitation for your delegation",
        "accept": "Accept",
        "accepted": "You accepted the invitation.",
    },
}


def _sign_in(context: BrowserContext, base: str, email: str, language: str) -> Page:
    """A new page of ``context``, signed in as the README says, in ``language``."""
    page = context.new_page()
    sign_in(page, email, language=language)
    return page


def _both(page: Page, context: BrowserContext, new_context: Callable[..., BrowserContext], who: str, name: str) -> None:
    shoot(page, who, name, "laptop")
    phone = new_context("phone", storage_state=context.storage_state())
    small = phone.new_page()
    small.goto(page.url)
    shoot(small, who, name, "phone")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_guest_focal_point_accepts_and_its_delegate_sees_the_meeting(
    new_context: Callable[..., BrowserContext], live_server: Any, language: str
) -> None:
    words = WORDS[language]
    focal_context = new_context()
    focal = _sign_in(focal_context, live_server.url, FOCAL_RU, language)
    problems = watch(focal)
    expect(focal.locator("html")).to_have_attribute("lang", language)
    expect(focal.locator("header .bell .badge")).to_be_visible()
    focal.click("header .bell")
    link = focal.locator(f"main a[href='{MEETING}']")
    expect(link).to_have_text(words["invited"])
    _both(focal, focal_context, new_context, f"journey-b-{language}-focal-ru", "notifications")
    link.click()
    expect(focal.locator("main h1")).to_have_text(words["heading"])
    _both(focal, focal_context, new_context, f"journey-b-{language}-focal-ru", "invitation")
    focal.locator("main button", has_text=words["accept"]).first.click()
    expect(focal.locator(".msg.success")).to_contain_text(words["accepted"])
    expect(focal.locator("main")).to_contain_text(AGENDA)
    _both(focal, focal_context, new_context, f"journey-b-{language}-focal-ru", "meeting-accepted")

    delegate_context = new_context()
    delegate = _sign_in(delegate_context, live_server.url, GUEST_RU, language)
    delegate.goto(MEETING)
    expect(delegate.locator("main")).to_contain_text(AGENDA)
    _both(delegate, delegate_context, new_context, f"journey-b-{language}-guest-ru", "meeting")
    assert delegate.goto(f"/documents/{demo.DEMO_MEETING}-briefing/").status == 404  # type: ignore[union-attr]
    assert problems == []
