"""The main pages under the real Content-Security-Policy, in Chromium: nothing is refused.

Every page is opened with a listener for ``securitypolicyviolation`` events and console errors
(Chromium reports a refused inline script, style or eval as one of each); a page that needs
anything the policy forbids fails here. The scripts that used to be inline still work: the
language switch, the confirmation before cancelling a meeting, the API docs (Swagger UI, served
from the app's own static files).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from tests.browser.fixtures import shoot, sign_in, watch

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@demo.kenes.invalid"
MEETING = "/meetings/demo-fm-2027/"
TEXT_ROOM = "/texts/demo-fm-2027-coordinated-approaches/"

# The violation events reach this list through an init script, which the policy does not govern.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " refused " + (e.blockedURI || "inline") +
    " at " + (e.sourceFile || document.location.pathname) + ":" + e.lineNumber);
});
"""


def guard(page: Page) -> list[str]:
    """Problems of the pages this tab opens: policy violations, console errors, failed loads."""
    problems = watch(page)
    page.add_init_script(RECORD_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        # A 404 page logs its own status as a console error; only the policy's and scripts' count.
        if message.type == "error" and "status of 404" not in message.text:
            problems.append(f"console: {message.text}")

    page.on("console", on_console)
    return problems


def violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


PAGES = [
    "/",
    "/meetings/",
    MEETING,
    "/formats/ca_foreign_ministers/plan/",
    "/calendar/",
    TEXT_ROOM,
    "/instructions/",
    "/account/",
    "/no-such-page/",
]


def test_main_pages_break_no_policy(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context().new_page()
    problems = guard(page)
    sign_in(page, SECRETARIAT)
    for path in PAGES:
        response = page.goto(path)
        assert response is not None
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        problems.extend(f"{path}: {v}" for v in violations(page))
    shoot(page, "secretariat", "csp-404", "laptop")
    assert problems == []


def test_api_docs_render_under_the_policy(new_context: Callable[..., BrowserContext], live_server: Any) -> None:
    page = new_context().new_page()
    problems = guard(page)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Kenes API")
    expect(page.locator(".opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    shoot(page, "anonymous", "api-docs", "laptop")
    assert [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")] == []
    assert problems + violations(page) == []


def test_scripts_moved_out_of_the_html_still_work(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context().new_page()
    problems = guard(page)
    sign_in(page, SECRETARIAT)

    # Cancelling a meeting asks first; saying no sends nothing.
    page.goto(MEETING)
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.locator("form[data-confirm] button").click()
    page.wait_for_timeout(300)
    assert asked and "Cancel this meeting?" in asked[0]
    assert urlsplit(page.url).path == MEETING
    expect(page.locator("#status")).not_to_contain_text("Cancelled")
    shoot(page, "secretariat", "csp-meeting", "laptop")

    # The language switch sends its form on change.
    page.select_option("#lang-select", "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.select_option("#lang-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(TEXT_ROOM)
    page.wait_for_load_state("networkidle")
    shoot(page, "secretariat", "csp-text-room", "laptop")
    assert problems + violations(page) == []
