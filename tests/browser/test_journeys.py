"""Journeys through the real pages in Chromium, as every demo account and as an anonymous visitor.

Each journey signs in through the login page (and the TOTP page where the account needs it), opens
every page, checks what the account may and may not see, and leaves full-page screenshots in
test-artifacts/screenshots/ at laptop and phone size.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from kenes.people import demo
from tests.browser.fixtures import shoot, sign_in, watch

pytestmark = pytest.mark.browser

# Short name -> e-mail of every demo account; None is the anonymous visitor.
WHO: dict[str, str | None] = {
    "anonymous": None,
    "secretariat": "secretariat@demo.kenes.invalid",
    "kz": "delegate.kz@demo.kenes.invalid",
    "uz": "focal.uz@demo.kenes.invalid",
    "kg": "security.kg@demo.kenes.invalid",
    "ru": "guest.ru@demo.kenes.invalid",
    "cn": "guest.cn@demo.kenes.invalid",
}
MEMBERS = {"secretariat", "kz", "uz", "kg"}
GUESTS = {"ru", "cn"}

HOME_HEADING = "Consultative Meetings of the Heads of State of Central Asia"
NOT_FOUND = "Not found"
DEMO_MEETING = "DEMO — Foreign ministers' consultation (fictional)"
REVOKED_MEETING = "DEMO — Extraordinary leaders' session (fictional)"
PRESS = "DEMO press note (fictional)"
AGENDA = "DEMO draft agenda shared with guests (fictional)"
BRIEFING = "DEMO members-only briefing (fictional)"
KZ_NOTES = "DEMO Kazakhstan delegation's private notes (fictional)"
THREAT = "DEMO restricted threat summary (fictional)"


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    heading: str
    status: int = 200
    lands: str | None = None  # the path after redirects, when it differs from ``path``
    sees: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    phone: bool = False  # also screenshot at phone size


def visits_for(who: str) -> list[Visit]:
    """Every page, with what ``who`` must and must not see on it."""
    signed_in = WHO[who] is not None
    member = who in MEMBERS
    guest = who in GUESTS
    may_see_demo_meeting = member or guest

    meeting_list_sees = (DEMO_MEETING,) if may_see_demo_meeting else ()
    meeting_list_hidden = () if may_see_demo_meeting else (DEMO_MEETING,)
    if member:
        meeting_list_sees += (REVOKED_MEETING,)
    else:  # China's invitation to it was revoked; Russia was never invited.
        meeting_list_hidden += (REVOKED_MEETING,)

    if may_see_demo_meeting:
        demo_meeting = Visit(
            "meeting-demo",
            "/meetings/demo-fm-2027/",
            DEMO_MEETING,
            sees=(PRESS, AGENDA, "China", "Russia")
            + ((BRIEFING,) if member else ())
            + ((KZ_NOTES,) if who == "kz" else ()),
            hidden=(() if member else (BRIEFING,)) + (() if who == "kz" else (KZ_NOTES,)),
            phone=True,
        )
    else:
        demo_meeting = Visit(
            "meeting-demo", "/meetings/demo-fm-2027/", NOT_FOUND, status=404, hidden=(AGENDA, BRIEFING), phone=True
        )

    visits = [
        Visit("home", "/", HOME_HEADING, sees=("Members today", "Kazakhstan"), phone=True),
        Visit("states", "/states/", "States and their participation", sees=("Azerbaijan", "Turkmenistan"), phone=True),
        Visit("state-az", "/states/AZ/", "Azerbaijan", sees=("Participation timeline",)),
        Visit("formats", "/formats/", "Formats", sees=(HOME_HEADING,)),
        Visit("format-heads", "/formats/ca_heads_of_state/", HOME_HEADING, sees=("Meetings",)),
        Visit("meetings", "/meetings/", "Meetings", sees=meeting_list_sees, hidden=meeting_list_hidden, phone=True),
        Visit(
            "meeting-iv",
            "/meetings/ca_heads_of_state-IV/",
            f"{HOME_HEADING} IV",
            sees=("Cholpon-Ata", "Joint Statement"),
            phone=True,
        ),
        demo_meeting,
        Visit(
            "document-joint-statement",
            "/documents/ca_heads_of_state-IV-joint_statement/",
            "Joint Statement",
            sees=("Adoption",),
            phone=True,
        ),
        Visit("document-briefing", "/documents/demo-fm-2027-briefing/", BRIEFING, sees=(demo.DEMO_NOTE,))
        if member
        else Visit("document-briefing", "/documents/demo-fm-2027-briefing/", NOT_FOUND, status=404, hidden=(BRIEFING,)),
        Visit("document-threat", "/documents/demo-scs-threat-summary/", THREAT, sees=("Restricted",))
        if who == "kg"
        else Visit("document-threat", "/documents/demo-scs-threat-summary/", NOT_FOUND, status=404, hidden=(THREAT,)),
        Visit("password-reset", "/password-reset/", "Reset your password"),
    ]
    if signed_in:
        visits += [
            Visit("account", "/account/", "Your account", sees=(str(WHO[who]), "API tokens"), phone=True),
            Visit("login", "/login/", HOME_HEADING, lands="/"),
        ]
    else:
        visits += [
            Visit("account", "/account/", "Sign in", lands="/login/"),
            Visit("login", "/login/", "Sign in", sees=("Forgot your password?",), phone=True),
        ]
    return visits


def account_of(email: str) -> Any:
    from kenes.people.models import Account

    return Account.objects.get(email=email)


def sign_in_as(page: Page, who: str) -> None:
    """The shared sign-in as one of the README's accounts; the TOTP page is checked and shot."""
    email = WHO[who]
    assert email is not None
    if who in GUESTS:
        assert not account_of(email).requires_two_factor

    def second_factor(page: Page) -> None:
        expect(page.locator("h1")).to_have_text("Enter your code")
        shoot(page, who, "2fa", "laptop")

    sign_in(page, email, at_second_factor=second_factor)


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def check(page: Page, visit: Visit, who: str, viewport: str) -> None:
    response = page.goto(visit.path)
    assert response is not None
    where = f"{who} at {visit.path} ({viewport})"
    assert response.status == visit.status, where
    assert path_of(page) == (visit.lands or visit.path), where
    main = page.locator("main")
    if visit.heading:
        expect(page.locator("main h1"), where).to_contain_text(visit.heading)
    for text in visit.sees:
        expect(main, where).to_contain_text(text)
    for text in visit.hidden:
        expect(main, where).not_to_contain_text(text)
    header = page.locator("header")
    if WHO[who] is None:
        expect(header.get_by_role("link", name="Sign in", include_hidden=True), where).to_be_attached()
    else:
        expect(header.locator(".who"), where).to_be_attached()
    if viewport == "phone":  # wide tables scroll inside their own box; the page itself never scrolls sideways
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], f"{where}: the page is {widths[0]}px wide on a {widths[1]}px screen"
    shoot(page, who, visit.name, viewport)


@pytest.mark.parametrize("who", list(WHO))
def test_every_page(new_context: Callable[..., BrowserContext], who: str) -> None:
    laptop = new_context("laptop")
    page = laptop.new_page()
    problems = watch(page)
    if WHO[who] is not None:
        sign_in_as(page, who)
    visits = visits_for(who)
    for visit in visits:
        check(page, visit, who, "laptop")

    # The same session at phone size: the main pages, and the menu behind the ☰ button.
    phone = new_context("phone", storage_state=laptop.storage_state())
    small = phone.new_page()
    problems_small = watch(small)
    for visit in visits:
        if visit.phone:
            check(small, visit, who, "phone")
    small.goto("/")
    nav = small.locator("nav.nav")
    expect(nav).to_be_hidden()
    small.click("label.nav-button")
    expect(nav.get_by_role("link", name="States")).to_be_visible()
    expect(small.locator("#lang-select")).to_be_visible()
    shoot(small, who, "menu-open", "phone")

    assert problems == []
    assert problems_small == []


def test_every_journey_signs_in_as_a_demo_account() -> None:
    # One account per kind of actor walks every page here; tests/people/test_demo_accounts.py holds
    # the README's list to demo.ACCOUNTS.
    assert {email for email in WHO.values() if email} <= {spec.email for spec in demo.ACCOUNTS}


def test_guest_sees_shared_but_not_members_only(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context().new_page()
    sign_in_as(page, "cn")
    page.goto("/meetings/demo-fm-2027/")
    main = page.locator("main")
    expect(main).to_contain_text(AGENDA)
    expect(main).not_to_contain_text(BRIEFING)
    page.click(f"text={AGENDA}")
    expect(page.locator("main h1")).to_have_text(AGENDA)
    assert page.goto("/documents/demo-fm-2027-briefing/").status == 404  # type: ignore[union-attr]


def test_restricted_document_only_for_the_cleared_officer(new_context: Callable[..., BrowserContext]) -> None:
    officer = new_context().new_page()
    sign_in_as(officer, "kg")
    response = officer.goto("/documents/demo-scs-threat-summary/")
    assert response is not None and response.status == 200
    expect(officer.locator("main h1")).to_have_text(THREAT)
    expect(officer.locator(".marking").first).to_contain_text("Restricted")

    delegate = new_context().new_page()
    sign_in_as(delegate, "kz")
    response = delegate.goto("/documents/demo-scs-threat-summary/")
    assert response is not None and response.status == 404
    expect(delegate.locator("main h1")).to_have_text(NOT_FOUND)
    expect(delegate.locator("main")).not_to_contain_text(THREAT)


def switch_language(page: Page, code: str) -> None:
    with page.expect_navigation():
        page.select_option("#lang-select", code)


def test_language_switch(new_context: Callable[..., BrowserContext]) -> None:
    page = new_context().new_page()
    page.goto("/states/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    switch_language(page, "ru")
    assert path_of(page) == "/states/"
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#lang-select")).to_have_value("ru")
    page.goto("/meetings/")  # the choice sticks across pages
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#lang-select")).to_have_value("en")


def test_russian_interface(new_context: Callable[..., BrowserContext]) -> None:
    """Needs the Russian catalogue compiled (``./dev`` compiles src/kenes/locale/*.po)."""
    page = new_context().new_page()
    page.goto("/")
    switch_language(page, "ru")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("#lang-select")).to_have_value("ru")
    shoot(page, "anonymous", "home-ru", "laptop")
    expect(page.locator("header nav")).to_contain_text("Государства")


def test_api_token_journey(new_context: Callable[..., BrowserContext], live_server: Any) -> None:
    page = new_context().new_page()
    sign_in_as(page, "kz")
    page.goto("/account/")
    expect(page.locator("#new-token")).to_have_count(0)
    page.fill("#id_token_name", "ci")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()
    assert path_of(page) == "/account/"
    token = page.locator("#new-token").inner_text().strip()
    assert len(token) >= 20
    expect(page.locator("main table")).to_contain_text("ci")
    shoot(page, "kz", "account-new-token", "laptop")

    page.reload()  # shown once only
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(token)

    request = urllib.request.Request(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        body = json.load(response)
    assert body["email"] == WHO["kz"]
    assert body["state"] == "KZ"

    anonymous = urllib.request.Request(f"{live_server.url}/api/v1/me")
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(anonymous, timeout=10)
    assert refused.value.code == 401
