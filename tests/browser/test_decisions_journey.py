"""The issue-5 journey in Chromium: the secretariat marks a paragraph of the adopted demo text as a
decision and gives Uzbekistan an instruction; Uzbekistan's focal point is notified and files a
report with an attachment; the secretariat accepts it and the instruction is done. A guest never
finds the members-only instruction. In Russian and in English, with the words the interface says in
each (``said``).

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

from tests.browser.fixtures import journey_languages, said, shoot, sign_in, watch

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


COORDINATORS = {"ru": "национальным координаторам", "en": "national coordinators"}
SIX_MONTHS = {"ru": "минимум раз в полгода", "en": "at least once every six months"}  # the data's own wordings


@pytest.mark.parametrize("language", journey_languages())
def test_from_an_adopted_unit_to_an_accepted_report(
    new_context: Callable[..., BrowserContext], settings: Any, tmp_path: Any, language: str
) -> None:
    def t(message: str, **kwargs: Any) -> str:
        return said(language, message, **kwargs)

    from django.utils import translation

    from kenes.formats import long_date
    from kenes.states.models import State

    with translation.override(language):
        uzbekistan = State.objects.get(iso2="UZ").name
        too_early = long_date(dt.date(2020, 1, 1))
    settings.MEDIA_ROOT = tmp_path  # the attachment uploaded below stays out of var/
    # Uzbekistan's focal point reads Kenes in this language: its notices will be in it too
    uz_context = new_context("laptop")
    uz = uz_context.new_page()
    uz_problems = watch(uz)
    sign_in(uz, FOCAL_UZ, language=language)
    # --- the secretariat opens the follow-up and marks a paragraph of the adopted text -------------------
    sec_context = new_context("laptop")
    sec = sec_context.new_page()
    sec_problems = watch(sec)
    sign_in(sec, SECRETARIAT, language=language)
    sec.locator("header nav").get_by_role("link", name=t("Follow-up"), exact=True).click()
    expect(sec.locator("h1")).to_have_text(t("Follow-up of decisions"))
    expect(sec.locator("main")).to_contain_text("DEMO: prepare a regional road-safety plan (fictional)")
    expect(sec.locator("main")).to_contain_text(t("proposal — adoption not recorded"))
    expect(sec.locator("#chart svg")).to_be_visible()
    _both(sec, sec_context, new_context, f"issue5-secretariat-{language}", "follow-up")

    sec.locator("main a", has_text=t("Mark a decision")).first.click()
    expect(sec.locator("h1")).to_have_text(t("Mark a decision"))
    sec.locator("main a", has_text="DEMO joint statement of the foreign ministers").click()
    expect(sec.locator(".units-list li", has_text="OP1")).to_contain_text(t("Decision — its instructions"))
    _both(sec, sec_context, new_context, f"issue5-secretariat-{language}", "mark-decision")
    sec.locator(".units-list li", has_text="OP2").locator("button").click()
    expect(sec.locator(".msg.success")).to_contain_text(
        t("The paragraph is marked as a decision. Now give its instructions.")
    )
    expect(sec.locator("h1")).to_have_text(t("Decision: paragraph %(uid)s", uid="OP2"))
    expect(sec.locator("blockquote.unit")).to_contain_text(COORDINATORS[language])

    # --- a due date before the decision is refused, then the instruction is given -------------------------
    sec.fill("#id_title", TITLE)
    sec.check("input[name=assignee_kind][value=states]")
    sec.check("input[name=state][value=UZ]")
    sec.fill("input[name=ministry_UZ]", "Ministry of Foreign Affairs")
    sec.select_option("select[name=focal_UZ]", label="Dilnoza Demo-Focal")
    sec.check("input[name=schedule][value=due]")
    sec.fill("input[name=due_date]", "2020-01-01")
    sec.click("#new-instruction button[type=submit]")
    expect(sec.locator("#new-instruction .msg.error")).to_contain_text(too_early)
    expect(sec.locator("#id_title")).to_have_value(TITLE)  # what was typed is kept
    shoot(sec, f"issue5-secretariat-{language}", "decision-error", "laptop")  # the answer to a POST: no phone replay
    due = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    sec.fill("input[name=due_date]", due)
    sec.click("#new-instruction button[type=submit]")
    expect(sec.locator(".msg.success")).to_contain_text(t("The instruction is given."))
    expect(sec.locator("h1")).to_have_text(TITLE)
    expect(sec.locator(".status-line")).to_contain_text(t("not started", context="instruction status"))
    expect(sec.locator(".status-line")).to_contain_text(t("Members only"))
    instruction_path = urlsplit(sec.url).path
    assert re.fullmatch(r"/instructions/\d+/", instruction_path), instruction_path
    _both(sec, sec_context, new_context, f"issue5-secretariat-{language}", "instruction")

    # --- Uzbekistan's focal point is notified and files a report with an attachment ------------------------
    uz.goto("/")
    uz.click("header .bell")
    uz.get_by_text(t("Your state was given an instruction. Open Kenes to read it.")).first.click()  # the newest
    assert urlsplit(uz.url).path == instruction_path
    uz.fill("#id_body", "The ministry set up a working group and drafted the first report (journey test).")
    uz.check("input[name=progress][value=done]")
    uz.set_input_files("#id_attachment", {"name": "report.pdf", "mimeType": "application/pdf",
                                          "buffer": b"%PDF-1.4 journey test"})  # fmt: skip
    uz.click("#report-form button[type=submit]")
    expect(uz.locator(".msg.success")).to_contain_text(t("Your report is filed. The secretariat will review it."))
    report = uz.locator(".report", has_text="journey test")
    expect(report).to_contain_text(t("awaiting review", context="report review"))
    expect(report.locator("a", has_text="report.pdf")).to_be_visible()
    expect(uz.locator(".status-line")).to_contain_text(t("in progress", context="instruction status"))
    _both(uz, uz_context, new_context, f"issue5-focal-uz-{language}", "report-filed")

    # --- the secretariat accepts it: the instruction is done --------------------------------------------
    sec.goto(instruction_path)
    report = sec.locator(".report", has_text="journey test")
    report.locator("textarea[name=comment]").fill("Thank you, accepted (journey test).")
    report.locator("button[value=accept]").click()
    expect(sec.locator(".msg.success")).to_contain_text(t("The report is accepted."))
    expect(sec.locator(".report", has_text="journey test")).to_contain_text(t("accepted", context="report review"))
    expect(sec.locator(".status-line")).to_contain_text(t("done", context="instruction status"))
    expect(sec.locator(".timeline")).to_contain_text(t("Report of %(state)s accepted", state=uzbekistan))
    _both(sec, sec_context, new_context, f"issue5-secretariat-{language}", "report-accepted")

    uz.goto(instruction_path)
    expect(uz.locator(".report", has_text="journey test")).to_contain_text("Thank you, accepted")

    # --- a guest never finds the members-only instruction ----------------------------------------------
    guest_context = new_context("laptop")
    guest = guest_context.new_page()
    sign_in(guest, GUEST_CN, language=language)
    response = guest.goto(instruction_path)
    assert response is not None and response.status == 404
    guest.goto("/instructions/")
    expect(guest.locator("main")).not_to_contain_text(TITLE)
    expect(guest.locator("main")).to_contain_text(SIX_MONTHS[language])
    _both(guest, guest_context, new_context, f"issue5-guest-cn-{language}", "follow-up")

    # --- the public reads the real proposal, in English and in Russian --------------------------------------
    if language == "en":  # once: it reads the proposal in both languages itself
        public_context = new_context("laptop")
        public = public_context.new_page()
        public_problems = watch(public)
        public.goto("/instructions/")
        public.locator("main a", has_text="at least once every six months").first.click()
        expect(public.locator(".proposal-note")).to_contain_text(
            "adoption as a decision is not recorded in the sources"
        )
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
