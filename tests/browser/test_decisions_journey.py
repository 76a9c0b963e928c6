"""The issue-5 journey in Chromium: the secretariat marks a paragraph of the adopted demo text as a
decision and gives Uzbekistan an instruction; Uzbekistan's focal point is notified and files a
report with an attachment; the secretariat accepts it and the instruction is done. A guest never
finds the members-only instruction.

Every new page is screenshotted at laptop and phone size into test-artifacts/screenshots/.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.fixtures import shoot, sign_in, watch

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@demo.kenes.invalid"
FOCAL_UZ = "focal.uz@demo.kenes.invalid"
GUEST_CN = "guest.cn@demo.kenes.invalid"
TITLE = "Report annually on the roadmap (journey test)"


def _both(page: Page, context: BrowserContext, new_context: Callable[..., BrowserContext], who: str, name: str) -> None:
    """Screenshot the page (laptop), then the same address on a phone with the same session."""
    shoot(page, who, name, "laptop")
    phone = new_context("phone", storage_state=context.storage_state()).new_page()
    problems = watch(phone)
    phone.goto(page.url)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the phone"
    shoot(phone, who, name, "phone")
    assert problems == [], problems
    phone.context.close()


def test_from_an_adopted_unit_to_an_accepted_report(
    new_context: Callable[..., BrowserContext], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path  # the attachment uploaded below stays out of var/
    # --- the secretariat opens the follow-up and marks a paragraph of the adopted text -------------------
    sec_context = new_context("laptop")
    sec = sec_context.new_page()
    sec_problems = watch(sec)
    sign_in(sec, SECRETARIAT)
    sec.click("header nav a:has-text('Follow-up')")
    expect(sec.locator("h1")).to_have_text("Follow-up of decisions")
    expect(sec.locator("main")).to_contain_text("DEMO: prepare a regional road-safety plan (fictional)")
    expect(sec.locator("main")).to_contain_text("proposal — adoption not recorded")
    expect(sec.locator("#chart svg")).to_be_visible()
    _both(sec, sec_context, new_context, "issue5-secretariat", "follow-up")

    sec.click("main a:has-text('Mark a decision')")
    expect(sec.locator("h1")).to_have_text("Mark a decision")
    sec.click("main a:has-text('DEMO joint statement of the foreign ministers')")
    expect(sec.locator(".units-list li", has_text="OP1")).to_contain_text("Decision — its instructions")
    _both(sec, sec_context, new_context, "issue5-secretariat", "mark-decision")
    sec.locator(".units-list li", has_text="OP2").locator("button").click()
    expect(sec.locator(".msg.success")).to_contain_text("marked as a decision")
    expect(sec.locator("h1")).to_have_text("Decision: paragraph OP2")
    expect(sec.locator("blockquote.unit")).to_contain_text("national coordinators")

    # --- a due date before the decision is refused, then the instruction is given -------------------------
    sec.fill("#id_title", TITLE)
    sec.check("input[name=assignee_kind][value=states]")
    sec.check("input[name=state][value=UZ]")
    sec.fill("input[name=ministry_UZ]", "Ministry of Foreign Affairs")
    sec.select_option("select[name=focal_UZ]", label="Dilnoza Demo-Focal")
    sec.check("input[name=schedule][value=due]")
    sec.fill("input[name=due_date]", "2020-01-01")
    sec.click("#new-instruction button[type=submit]")
    expect(sec.locator("#new-instruction .msg.error")).to_contain_text("is before the decision")
    expect(sec.locator("#id_title")).to_have_value(TITLE)  # what was typed is kept
    shoot(sec, "issue5-secretariat", "decision-error", "laptop")  # the answer to a POST: no phone replay
    due = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    sec.fill("input[name=due_date]", due)
    sec.click("#new-instruction button[type=submit]")
    expect(sec.locator(".msg.success")).to_contain_text("The instruction is given.")
    expect(sec.locator("h1")).to_have_text(TITLE)
    expect(sec.locator(".status-line")).to_contain_text("not started")
    expect(sec.locator(".status-line")).to_contain_text("Members only")
    instruction_path = urlsplit(sec.url).path
    assert re.fullmatch(r"/instructions/\d+/", instruction_path), instruction_path
    _both(sec, sec_context, new_context, "issue5-secretariat", "instruction")

    # --- Uzbekistan's focal point is notified and files a report with an attachment ------------------------
    uz_context = new_context("laptop")
    uz = uz_context.new_page()
    uz_problems = watch(uz)
    sign_in(uz, FOCAL_UZ)
    uz.click("header .bell")
    uz.click("text=Your state was given an instruction.")
    assert urlsplit(uz.url).path == instruction_path
    uz.fill("#id_body", "The ministry set up a working group and drafted the first report (journey test).")
    uz.check("input[name=progress][value=done]")
    uz.set_input_files("#id_attachment", {"name": "report.pdf", "mimeType": "application/pdf",
                                          "buffer": b"%PDF-1.4 journey test"})  # fmt: skip
    uz.click("#report-form button[type=submit]")
    expect(uz.locator(".msg.success")).to_contain_text("Your report is filed.")
    report = uz.locator(".report", has_text="journey test")
    expect(report).to_contain_text("awaiting review")
    expect(report.locator("a", has_text="report.pdf")).to_be_visible()
    expect(uz.locator(".status-line")).to_contain_text("in progress")
    _both(uz, uz_context, new_context, "issue5-focal-uz", "report-filed")

    # --- the secretariat accepts it: the instruction is done --------------------------------------------
    sec.goto(instruction_path)
    report = sec.locator(".report", has_text="journey test")
    report.locator("textarea[name=comment]").fill("Thank you, accepted (journey test).")
    report.locator("button[value=accept]").click()
    expect(sec.locator(".msg.success")).to_contain_text("The report is accepted.")
    expect(sec.locator(".report", has_text="journey test")).to_contain_text("accepted")
    expect(sec.locator(".status-line")).to_contain_text("done")
    expect(sec.locator(".timeline")).to_contain_text("Report of Uzbekistan accepted")
    _both(sec, sec_context, new_context, "issue5-secretariat", "report-accepted")

    uz.goto(instruction_path)
    expect(uz.locator(".report", has_text="journey test")).to_contain_text("Thank you, accepted")

    # --- a guest never finds the members-only instruction ----------------------------------------------
    guest_context = new_context("laptop")
    guest = guest_context.new_page()
    sign_in(guest, GUEST_CN)
    response = guest.goto(instruction_path)
    assert response is not None and response.status == 404
    guest.goto("/instructions/")
    expect(guest.locator("main")).not_to_contain_text(TITLE)
    expect(guest.locator("main")).to_contain_text("at least once every six months")
    _both(guest, guest_context, new_context, "issue5-guest-cn", "follow-up")

    # --- the public reads the real proposal, in English and in Russian --------------------------------------
    public_context = new_context("laptop")
    public = public_context.new_page()
    public_problems = watch(public)
    public.goto("/instructions/")
    public.locator("main a", has_text="at least once every six months").first.click()
    expect(public.locator(".proposal-note")).to_contain_text("adoption as a decision is not recorded in the sources")
    expect(public.locator("main")).not_to_contain_text("File a progress report")
    _both(public, public_context, new_context, "issue5-public", "proposal")
    public.select_option("#lang-select", "ru")
    expect(public.locator(".proposal-note")).to_contain_text(
        "принятие в качестве решения в источниках не зафиксировано"
    )
    expect(public.locator("h1")).to_contain_text("минимум раз в полгода")  # the data's own Russian wording
    public.goto("/instructions/")
    expect(public.locator("h1")).to_have_text("Выполнение решений")
    expect(public.locator("header nav")).to_contain_text("Контроль исполнения")
    _both(public, public_context, new_context, "issue5-public-ru", "follow-up")
    assert public_problems == [], public_problems

    assert sec_problems == [] and uz_problems == [], sec_problems + uz_problems
    sec_context.close()
    uz_context.close()
