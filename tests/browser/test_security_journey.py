"""The issue-6 journey (issue 14's (g)) in Chromium: Kyrgyzstan's security officer files a restricted
threat report for Uzbekistan, assesses it, downloads its PDF (every field in it), asks for an
extraordinary consultation and convenes it on the first workable day proposed; the meeting is
restricted with the report on its agenda; in Russian and in English (``said``). A guest and the
uncleared secretariat get 404 and never see the title.

Every new page is screenshotted at laptop and phone size into test-artifacts/screenshots/.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.fixtures import journey_languages, said, shoot, sign_in, watch

pytestmark = pytest.mark.browser

OFFICER_KG = "security.kg@demo.kenes.invalid"
SECRETARIAT = "secretariat@demo.kenes.invalid"
GUEST_CN = "guest.cn@demo.kenes.invalid"
TITLE = "Fictional journey report: a simulated cyber incident"


def _both(page: Page, context: BrowserContext, new_context: Callable[..., BrowserContext], who: str, name: str) -> None:
    shoot(page, who, name, "laptop")
    phone = new_context("phone", storage_state=context.storage_state()).new_page()
    problems = watch(phone)
    phone.goto(page.url)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the phone"
    shoot(phone, who, name, "phone")
    assert problems == [], problems
    phone.context.close()


def _pdf_words(page: Page, link: str) -> str:
    """The text of the PDF behind the page's link, downloaded with the page's session, spaces folded."""
    from pypdf import PdfReader

    response = page.request.get(page.locator("main a", has_text=link).get_attribute("href") or "")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.body())).pages
    return " ".join(" ".join((p.extract_text() or "").split()) for p in pages)


@pytest.mark.parametrize("language", journey_languages())
def test_from_report_to_assessment_to_extraordinary_consultation(
    new_context: Callable[..., BrowserContext], settings: Any, tmp_path: Any, language: str
) -> None:
    def t(message: str, **kwargs: Any) -> str:
        return said(language, message, **kwargs)

    settings.MEDIA_ROOT = tmp_path
    context = new_context("laptop")
    kg = context.new_page()
    problems = watch(kg)
    sign_in(kg, OFFICER_KG, language=language)
    kg.locator("header nav").get_by_role("link", name=t("Security"), exact=True).click()
    expect(kg.locator("h1")).to_have_text(t("Security consultations"))
    expect(kg.locator(".marking").first).to_contain_text(t("RESTRICTED"))
    expect(kg.locator("main")).to_contain_text("DEMO restricted threat report")
    _both(kg, context, new_context, f"issue6-officer-kg-{language}", "security-list")

    # --- a distribution naming a guest state cannot even be chosen; a bad form keeps what was typed ---
    kg.locator("main a", has_text=t("File a threat report")).click()
    expect(kg.locator("input[name=distribution][value=RU]")).to_have_count(0)
    kg.fill("#id_title", TITLE)
    kg.select_option("#id_category", "cyber_incident")
    kg.select_option("#id_severity", "3")
    kg.fill("#id_occurred_at", "2026-11-01T10:30")
    kg.fill("#id_place", "Fictional data centre")
    kg.fill("#id_summary", "A fictional, simulated cyber incident for the journey test.")
    kg.click("main button[type=submit]")
    expect(kg.locator(".msg.error")).to_contain_text(t("Choose the states the report is distributed to."))
    expect(kg.locator("#id_title")).to_have_value(TITLE)
    shoot(kg, f"issue6-officer-kg-{language}", "report-form-error", "laptop")
    kg.check("input[name=distribution][value=UZ]")
    kg.click("main button[type=submit]")
    expect(kg.locator(".msg.success")).to_contain_text(t("The report is filed and distributed."))
    expect(kg.locator("h1")).to_have_text(TITLE)
    expect(kg.locator(".marking").first).to_contain_text("KG, UZ")
    expect(kg.locator(".marking").last).to_contain_text(t("RESTRICTED"))
    report_path = urlsplit(kg.url).path
    assert re.fullmatch(r"/security/\d+/", report_path), report_path
    _both(kg, context, new_context, f"issue6-officer-kg-{language}", "report")

    # --- the assessment ---
    kg.select_option("#id_view", "raised")
    kg.fill("#id_comments", "Fictional comment: the incident may spread.")
    kg.fill("#id_measures", "Fictional measure: a joint response team.")
    kg.locator("button", has_text=t("Save the assessment")).click()
    expect(kg.locator(".msg.success")).to_contain_text(t("Your assessment is recorded."))
    expect(kg.locator("main")).to_contain_text(t("severity raised"))

    # --- (g) the report's PDF, watermarked for its reader: every field's value is in it ---
    words = _pdf_words(kg, t("Download PDF (watermarked)"))
    for value in (TITLE, "Fictional data centre", "A fictional, simulated cyber incident", t("RESTRICTED")):
        assert value in words, value

    # --- the read log of the author's state ---
    kg.locator("main a", has_text=t("Read log")).click()
    expect(kg.locator("h1")).to_have_text(t("Read log"))
    expect(kg.locator("table")).to_contain_text(OFFICER_KG)
    _both(kg, context, new_context, f"issue6-officer-kg-{language}", "read-log")
    kg.goto(report_path)

    # --- the extraordinary consultation ---
    kg.fill("#id_within_days", "10")
    kg.locator("button", has_text=t("Request an extraordinary consultation")).click()
    expect(kg.locator(".msg.success")).to_contain_text(
        t("The request is made; the secretariat is alerted. Choose a day below.")
    )
    convene = kg.locator("ul.slots button").first
    expect(convene).to_be_visible()
    _both(kg, context, new_context, f"issue6-officer-kg-{language}", "consultation-slots")
    convene.click()
    expect(kg.locator(".msg.success")).to_contain_text(t("The extraordinary consultation is planned."))
    meeting_path = urlsplit(kg.url).path
    assert meeting_path.startswith("/meetings/"), meeting_path
    expect(kg.locator("main")).to_contain_text(TITLE)  # on the agenda
    _both(kg, context, new_context, f"issue6-officer-kg-{language}", "consultation-meeting")

    # --- the report in the other language ---
    other = "en" if language == "ru" else "ru"
    kg.select_option("#lang-select", other)
    expect(kg.locator("html")).to_have_attribute("lang", other)
    kg.goto(report_path)
    expect(kg.locator(".marking").first).to_contain_text(said(other, "RESTRICTED"))
    _both(kg, context, new_context, f"issue6-officer-kg-{language}", f"report-{other}")
    kg.select_option("#lang-select", language)
    assert problems == [], problems

    # --- the secretariat is alerted, without the report; it cannot open either page ---
    sec_context = new_context("laptop")
    sec = sec_context.new_page()
    sign_in(sec, SECRETARIAT, language=language)
    expect(sec.locator("header nav").get_by_role("link", name=t("Security"), exact=True)).to_have_count(0)
    sec.goto("/notifications/")
    expect(sec.locator("main")).to_contain_text(t("A request for an extraordinary consultation was made."))
    assert TITLE not in sec.content()
    shoot(sec, f"issue6-secretariat-{language}", "notification", "laptop")
    for path in (report_path, meeting_path):
        response = sec.goto(path)
        assert response is not None and response.status == 404
        assert TITLE not in sec.content()

    # --- a guest: 404 ---
    cn_context = new_context("laptop")
    cn = cn_context.new_page()
    sign_in(cn, GUEST_CN, language=language)
    response = cn.goto(report_path)
    assert response is not None and response.status == 404
    assert TITLE not in cn.content()
