"""The issue-4 journey in Chromium: the secretariat writes a bracketed draft, Kazakhstan proposes to
delete an option, the chair accepts, the six members support every paragraph, the secretariat
circulates the clean text under silence with a deadline; the deadline passes, the background runner
adopts it, and Kazakhstan signs the frozen, hashed text.

The key steps are clicked through the pages; the positions of the members without a demo account
(and Kazakhstan's on the second paragraph) are stated through the actions, to keep the journey
short. The room is screenshotted in each state at laptop and phone size into
test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.fixtures import shoot, sign_in, watch
from tests.conftest import verified

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@demo.kenes.invalid"
DELEGATE_KZ = "delegate.kz@demo.kenes.invalid"
CODE = "demo-journey-statement"
TITLE = "DEMO — Joint statement on regular ministerial meetings (fictional journey)"
DRAFT = (
    "PP: Seeking coordinated approaches to regional questions (demo, fictional),\n\n"
    "OP: Ministers of foreign affairs meet [at least once every six months {KZ} | annually {TM}] (demo)."
)


def _account(email: str) -> Any:
    from kenes.people.models import Account

    return Account.objects.get(email=email)


def _settled(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def _both(page: Page, context: BrowserContext, new_context: Callable[..., BrowserContext], who: str, name: str) -> None:
    """The room as it is on the laptop, then the same address on a phone with the same session."""
    shoot(page, who, name, "laptop")
    phone = new_context("phone", storage_state=context.storage_state()).new_page()
    problems = watch(phone)
    phone.goto(page.url)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the phone"
    # the positions matrix scrolls inside its own box
    box = phone.locator(".matrix-wrap")
    if box.count():
        assert box.evaluate("e => e.clientWidth") <= 390
    shoot(phone, who, name, "phone")
    assert problems == [], problems
    phone.context.close()


@pytest.fixture
def other_members(live_data: None) -> dict[str, Any]:
    """Delegates of the members without a demo sign-in account (for positions stated directly)."""
    from kenes.people.actions import create_account
    from kenes.states.models import State

    out = {}
    for iso2 in ("TJ", "TM", "AZ"):
        out[iso2] = verified(
            create_account(
                "test", email=f"journey.{iso2.lower()}@test.kenes.invalid", full_name=f"Delegate {iso2} (test)",
                password=None, affiliation="state", state=State.objects.get(iso2=iso2), clearance="members",
                roles=[(None, "delegate")],
            )
        )  # fmt: skip
    for email in ("focal.uz@demo.kenes.invalid", "security.kg@demo.kenes.invalid"):
        account = _account(email)
        out[account.state.iso2] = verified(account)
    out["KZ"] = verified(_account(DELEGATE_KZ))
    return out


def test_a_negotiation_from_bracketed_draft_to_signed_text(
    new_context: Callable[..., BrowserContext], other_members: dict[str, Any]
) -> None:
    from kenes.texts import actions
    from kenes.texts.models import Text, TextStatus

    # --- the secretariat writes a bracketed draft ---------------------------------------------------
    sec_context = new_context("laptop")
    sec = sec_context.new_page()
    sec_problems = watch(sec)
    sign_in(sec, SECRETARIAT)
    sec.click("header nav >> text=Texts")
    expect(sec.locator("h1")).to_have_text("Texts")
    _both(sec, sec_context, new_context, "issue4-secretariat", "texts")
    sec.click("text=New draft")
    expect(sec.locator("h1")).to_have_text("New draft")
    _both(sec, sec_context, new_context, "issue4-secretariat", "new-draft")
    sec.fill("#id_title", TITLE)
    sec.fill("#id_code", CODE)
    sec.select_option("#id_format", "ca_foreign_ministers")
    sec.select_option("#id_meeting", "demo-fm-2027")
    sec.select_option("#id_classification", "participants")
    sec.fill("#id_draft", DRAFT)
    sec.click("main form button[type=submit]")
    expect(sec.locator(".msg.success")).to_contain_text("The draft is created.")
    room = f"/texts/{CODE}/"
    assert urlsplit(sec.url).path == room
    expect(sec.locator("h1")).to_have_text(TITLE)
    expect(sec.locator("#unit-OP1 .bracket")).to_have_count(1)
    expect(sec.locator("#unit-OP1 .sponsors").first).to_have_text("KZ")
    expect(sec.locator("#unit-OP1 .ustate")).to_have_text("bracketed")
    expect(sec.locator("#room-status")).to_contain_text("1 open bracket")
    _both(sec, sec_context, new_context, "issue4-secretariat", "room-draft")

    # --- Kazakhstan proposes to delete the "annually" option ------------------------------------------
    kz_context = new_context("laptop")
    kz = kz_context.new_page()
    kz_problems = watch(kz)
    sign_in(kz, DELEGATE_KZ)
    kz.goto(room)
    op1 = kz.locator("#unit-OP1")
    op1.locator("summary", has_text="Propose an amendment").click()
    kz.select_option("#id_am_kind_OP1", "delete")
    kz.select_option("#id_am_target_OP1", "0.1")
    kz.fill("#id_am_reason_OP1", "Demo: keep the 2022 proposal's wording.")
    kz.click("#unit-OP1 form[action$='/amend/'] button[type=submit]")
    expect(kz.locator("#unit-OP1 .msg.success")).to_contain_text("Your amendment is proposed.")
    _settled(kz)
    amendment = kz.locator("#unit-OP1 .amendment")
    expect(amendment).to_contain_text("delete")
    expect(amendment).to_contain_text("bracket 1, option 2")
    expect(amendment).to_contain_text("proposed")
    assert urlsplit(kz.url).path == room  # swapped in place
    _both(kz, kz_context, new_context, "issue4-kz", "room-amendment-proposed")

    # --- the chair accepts it: the bracket resolves -----------------------------------------------------
    sec.goto(room)
    sec.locator("#unit-OP1 .amendment button", has_text="Accept").click()
    expect(sec.locator("#unit-OP1 .msg.success")).to_contain_text("The amendment is accepted into the text.")
    _settled(sec)
    expect(sec.locator("#unit-OP1 .bracket")).to_have_count(0)
    expect(sec.locator("#unit-OP1 .unit-text").first).to_contain_text("at least once every six months")
    expect(sec.locator("#unit-OP1 .ustate")).to_have_text("pending")
    expect(sec.locator("#room-status")).to_contain_text("no open brackets")  # swapped out of band
    _both(sec, sec_context, new_context, "issue4-secretariat", "room-amendment-accepted")

    # --- every member supports every paragraph: Kazakhstan through the page, the others directly --------
    kz.goto(room)
    # by keyboard: open the form, choose "support", send it; the focus lands on the confirmation
    kz.locator("#unit-OP1 summary", has_text="State your position").focus()
    kz.keyboard.press("Enter")
    kz.locator("#unit-OP1 input[name=stance][value=support]").focus()
    kz.keyboard.press("Space")
    kz.locator("#unit-OP1 form[action$='/position/'] button[type=submit]").focus()
    kz.keyboard.press("Enter")
    expect(kz.locator("#unit-OP1 .msg.success")).to_contain_text("position is recorded")
    _settled(kz)
    expect(kz.locator("#unit-OP1 .msg.success")).to_be_focused()
    expect(kz.locator("#matrix tr", has_text="Kazakhstan").locator("td").nth(1)).to_contain_text("support")
    text = Text.objects.get(code=CODE)
    for unit in text.units.filter(removed=False):
        for iso2, account in other_members.items():
            if iso2 == "KZ" and unit.uid == "OP1":
                continue
            actions.state_position(account, unit, stance="support")
    kz.reload()
    expect(kz.locator("#room-status")).to_contain_text("clean: every paragraph agreed")
    expect(kz.locator("#matrix td.pos-support")).to_have_count(12)
    expect(kz.locator("#unit-PP1 .ustate")).to_have_text("agreed")
    _both(kz, kz_context, new_context, "issue4-kz", "room-agreed")

    # --- the secretariat circulates it under silence, with a deadline in Tashkent time ------------------
    sec.goto(room)
    deadline = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=18, minute=0)
    sec.fill("#id_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    sec.select_option("#id_timezone", "Asia/Tashkent")
    sec.click("#silence button:has-text('Circulate')")
    expect(sec.locator(".msg.success")).to_contain_text("circulated under silence procedure")
    panel = sec.locator("#silence")
    expect(panel).to_contain_text("Asia/Tashkent (UTC+05:00)")
    expect(panel).to_contain_text("UTC")
    expect(sec.locator("#room-status")).to_contain_text("under silence procedure")
    countdown = sec.locator(".countdown-left")
    first = countdown.inner_text()
    sec.wait_for_timeout(1200)
    assert countdown.inner_text() != first, "the countdown does not run"
    assert "left" in first
    _both(sec, sec_context, new_context, "issue4-secretariat", "room-silence")
    kz.reload()
    expect(kz.locator("#silence summary", has_text="Break silence")).to_be_visible()
    _both(kz, kz_context, new_context, "issue4-kz", "room-silence")

    # --- nobody breaks it: the deadline passes and the background runner adopts it ----------------------
    Text.objects.filter(pk=text.pk).update(silence_deadline=timezone.now() - dt.timedelta(seconds=1))
    assert actions.adopt_due_silences() == [CODE]
    adopted = Text.objects.get(pk=text.pk)
    assert adopted.status == TextStatus.ADOPTED and adopted.adopted_by == "silence"
    kz.reload()
    banner = kz.locator("#adoption")
    expect(banner).to_contain_text("Adopted — the text is frozen")
    expect(banner).to_contain_text("by silence procedure")
    expect(banner).to_contain_text(adopted.adopted_hashes["ru"])
    expect(banner.locator("a", has_text="Download the PDF")).to_have_attribute("href", f"/texts/{CODE}/pdf/")
    expect(kz.locator("#room-status a", has_text="PDF")).to_have_attribute("href", f"/texts/{CODE}/pdf/")
    expect(kz.locator("main")).not_to_contain_text("Propose an amendment")
    _both(kz, kz_context, new_context, "issue4-kz", "room-adopted")

    # --- Kazakhstan signs ---------------------------------------------------------------------------------
    kz.click("#adoption button:has-text('Sign for Kazakhstan')")
    expect(kz.locator(".msg.success")).to_contain_text("Your delegation signed the adopted text.")
    expect(kz.locator("#adoption .signatures")).to_contain_text("Kazakhstan")
    expect(kz.locator("#adoption .signatures")).to_contain_text(_account(DELEGATE_KZ).full_name)
    expect(kz.locator("#adoption button", has_text="Sign for")).to_have_count(0)
    _both(kz, kz_context, new_context, "issue4-kz", "room-signed")

    # --- the same room in Russian ---------------------------------------------------------------------------
    kz.select_option("#lang-select", "ru")
    expect(kz.locator("html")).to_have_attribute("lang", "ru")
    kz.goto(room)
    expect(kz.locator("#adoption h2")).to_have_text("Принят — текст заморожен")
    _both(kz, kz_context, new_context, "issue4-kz", "room-signed-ru")

    assert sec_problems == [], sec_problems
    assert kz_problems == [], kz_problems
