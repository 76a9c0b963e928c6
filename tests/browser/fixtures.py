"""Browser fixtures: one Chromium for the whole session, a fresh context per journey (registered
for every test directory by ``pytest_plugins`` in tests/conftest.py).

Playwright's sync API is used directly (no pytest-playwright). Playwright must never download a
browser: the system Chromium is launched by path.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import polib
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
VIEWPORTS: dict[str, dict[str, Any]] = {
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
# Long enough for a slow CI machine, short enough that a hang fails the journey quickly.
TIMEOUT_MS = 15_000
# expect() has its own clock (5 s by default), which a loaded CI machine overran while Swagger UI
# parsed its bundle; assertions wait as long as actions do.
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def new_context(browser: Browser, live_server: Any, live_data: None) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts against the live server (English, laptop size unless asked); all closed afterwards."""
    made: list[BrowserContext] = []

    def make(viewport: str = "laptop", **options: Any) -> BrowserContext:
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", timezone_id="Asia/Almaty", **VIEWPORTS[viewport], **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def watch(page: Page) -> list[str]:
    """Collect script errors and failed sub-resource loads (CSS, JS) of a page; the list fills as it browses."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} for {response.url}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    page.on("requestfailed", lambda request: None if _stream_left(request) else problems.append(
        f"failed: {request.url} ({request.failure})"))  # fmt: skip
    return problems


def _stream_left(request: Any) -> bool:
    """A live stream (Server-Sent Events) is cut when the page is left: the browser reports it aborted."""
    return "/live/" in request.url and "ERR_ABORTED" in str(request.failure or "")


def shoot(page: Page, who: str, name: str, viewport: str) -> Path:
    """A full-page PNG at test-artifacts/screenshots/<who>-<name>-<viewport>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "home"
    path = SCREENSHOTS / f"{who}-{slug}-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(
    page: Page,
    email: str,
    *,
    password: str | None = None,
    language: str | None = None,
    at_second_factor: Callable[[Page], None] | None = None,
) -> None:
    """Sign in as the README says: the login page with the demo password, then the TOTP page when
    the account's clearance asks for it (``at_second_factor`` looks at that page first); ends on the
    home page with the account's name in the header. ``language`` is chosen first, by its cookie."""
    from kenes.people import demo
    from kenes.people.models import Account
    from tests.conftest import totp_now

    account = Account.objects.get(email=email)
    page.goto("/login/")
    if language is not None:
        site = urlsplit(page.url)
        # The whole site's cookie: given the page's address, the cookie's path would be /login/.
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": f"{site.scheme}://{site.netloc}/"}]
        )
        page.reload()
    page.fill("#id_username", email)
    page.fill("#id_password", demo.DEMO_PASSWORD if password is None else password)
    page.click("main button[type=submit]")
    if account.requires_two_factor:
        page.wait_for_url(lambda url: urlsplit(url).path == "/account/2fa/")
        if at_second_factor is not None:
            at_second_factor(page)
        page.fill("#id_code", totp_now(account))
        page.click("main button[type=submit]")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    expect(page.locator("header .who")).to_contain_text(account.full_name)
    if language is not None:
        expect(page.locator("html")).to_have_attribute("lang", language)


def said(language: str, message: str, *, context: str = "", plural: str = "", n: int = 1, **params: Any) -> str:
    """What the interface says for ``message`` in ``language``, from the catalogues, so a journey
    reads the same words in Russian and English. The message must be one of ours: a typo would
    otherwise pass in English and read as the untranslated source in Russian."""
    from django.utils import translation

    from kenes.i18n_compile import LOCALE

    key = (context, message)
    if key not in _MESSAGES:
        _MESSAGES.update(
            {(e.msgctxt or "", e.msgid): e.msgid for e in polib.pofile(str(LOCALE / "ru/LC_MESSAGES/django.po"))}
        )
    assert key in _MESSAGES, f"not a message of the interface: {key}"
    with translation.override(language):
        if plural:
            text = (
                translation.npgettext(context, message, plural, n)
                if context
                else translation.ngettext(message, plural, n)
            )
        else:
            text = translation.pgettext(context, message) if context else translation.gettext(message)
    if plural and not params:
        params = {"n": n}
    return text % params if params else text


_MESSAGES: dict[tuple[str, str], str] = {}


def journey_languages() -> list[str]:
    """The languages a journey runs in: Russian and English on the embedded database; Russian only
    on the PostgreSQL pass, where the language changes no query and the time is better spent."""
    import os

    return ["ru"] if os.environ.get("KENES_DATABASE_URL", "").startswith("postgres") else ["ru", "en"]
