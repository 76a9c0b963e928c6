"""The reader's journey in Chromium: read the news, open a release, subscribe, confirm from the
received mail, receive the weekly review, leave with its unsubscribe link. Mail goes through an
aiosmtpd server started by the test; pages are screenshotted into test-artifacts/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import BrowserContext, expect

from kenes.press import actions, digest
from kenes.press.models import Subscriber, SubscriberStatus
from tests.browser.fixtures import shoot, watch
from tests.press.test_digest import Inbox, smtp  # noqa: F401  (the SMTP fixture)

pytestmark = pytest.mark.browser


def _path(text: str, kind: str) -> str:
    found = re.search(rf"https?://[^/\s]+(/news/{kind}/\S+?/)", text)
    assert found, text
    return found.group(1)


def test_read_subscribe_confirm_receive_unsubscribe(new_context: Callable[..., BrowserContext], smtp: Inbox) -> None:  # noqa: F811
    call_command("load_press", verbosity=0)
    page = new_context().new_page()
    problems = watch(page)
    page.goto("/news/?year=2022")
    shoot(page, "reader", "news", "laptop")
    page.get_by_role("link", name=re.compile("Heads of State of Central Asia IV")).first.click()
    expect(page.locator("h1")).to_contain_text("Central Asia IV")
    expect(page.locator('script[type="application/ld+json"]')).to_have_count(1)
    shoot(page, "reader", "release", "laptop")

    page.get_by_role("link", name="Subscribe to the weekly review").first.click()
    page.get_by_role("textbox", name="E-mail").fill("journey@example.test")
    page.get_by_role("checkbox", name=re.compile("I agree")).check()
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("status")).to_contain_text("confirmation link")
    [confirmation] = smtp.to("journey@example.test")
    body = confirmation.get_body(("plain",))
    assert body is not None
    page.goto(_path(body.get_content(), "subscribe/confirm"))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("Confirmed")
    assert Subscriber.objects.get(email="journey@example.test").status == SubscriberStatus.CONFIRMED

    release = actions.create_release("journey", headline="Ministers agree a timetable (journey test)", language="en")
    actions.publish_release("journey", release)
    digest.send_digest(digest.week_of(timezone.localdate()) + dt.timedelta(days=7), sync=True)
    review = smtp.to("journey@example.test")[-1]
    text = review.get_body(("plain",))
    assert text is not None and "Ministers agree a timetable (journey test)" in text.get_content()
    page.goto(_path(text.get_content(), "unsubscribe"))
    page.get_by_role("button", name="Unsubscribe from the weekly review").click()
    expect(page.get_by_role("status")).to_contain_text("unsubscribed")
    shoot(page, "reader", "unsubscribed", "laptop")
    assert Subscriber.objects.get(email="journey@example.test").status == SubscriberStatus.UNSUBSCRIBED
    assert problems == []
