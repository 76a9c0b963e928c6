"""Journey (a) in Chromium with the README's accounts: the secretariat plans the next
foreign-ministers meeting from the suggestions (titled in Russian and English), invites Russia and
China as guests, China's focal point accepts, the secretariat builds the agenda, and China's delegate
sees only the participants-level item, numbered 1; in Russian and in English, with the words the
interface says in each (``said``).

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

FM = "ca_foreign_ministers"
SECRETARIAT = "secretariat@demo.kenes.invalid"
GUEST_CN = "guest.cn@demo.kenes.invalid"
FOCAL_CN = "focal.cn@demo.kenes.invalid"
TITLE_RU = "ДЕМО — Совещание министров иностранных дел (вымышленное, тест)"
TITLE_EN = "DEMO — Foreign ministers' meeting (fictional, journey test)"
OPEN_ITEM = "DEMO Regional transport corridors (fictional)"
CLOSED_ITEM = "DEMO Members' consultation on water sharing (fictional)"


def _nauryz_year() -> int:
    """The year of the next spring whose window, 15 March to 30 April, is still ahead: the meeting
    planned in it must be to come, for China's focal point to accept the invitation to it."""
    from django.utils import timezone

    today = timezone.localdate()
    return today.year if today < dt.date(today.year, 3, 1) else today.year + 1


def _settled(page: Page) -> None:
    """Wait until HTMX has swapped and settled, so the new content's handlers are in place."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def _path(page: Page) -> str:
    return urlsplit(page.url).path


def _both(page: Page, context: BrowserContext, new_context: Callable[..., BrowserContext], who: str, name: str) -> None:
    """Screenshot the page as it is (laptop), then the same address on a phone with the same session."""
    shoot(page, who, name, "laptop")
    phone = new_context("phone", storage_state=context.storage_state()).new_page()
    problems = watch(phone)
    phone.goto(page.url)
    # nothing may stick out sideways on a 390px screen
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the phone"
    shoot(phone, who, name, "phone")
    assert problems == [], problems
    phone.context.close()


def _state(iso2: str, language: str) -> str:
    from django.utils import translation

    from kenes.states.models import State

    with translation.override(language):
        return State.objects.get(iso2=iso2).name


@pytest.mark.parametrize("language", journey_languages())
def test_plan_invite_accept_and_what_the_guest_sees(new_context: Callable[..., BrowserContext], language: str) -> None:
    def t(message: str, **kwargs: Any) -> str:
        return said(language, message, **kwargs)

    from django.utils import formats, translation

    from kenes.meetings.scheduling import holidays_on

    kz, ru, cn = (_state(iso2, language) for iso2 in ("KZ", "RU", "CN"))
    title = TITLE_RU if language == "ru" else TITLE_EN
    # --- the secretariat sets the cadence and plans the next meeting from the suggestions ---------------
    sec_context = new_context("laptop")
    sec = sec_context.new_page()
    sec_problems = watch(sec)
    sign_in(sec, SECRETARIAT, language=language)

    sec.goto(f"/formats/{FM}/")
    expect(sec.locator("#rules")).to_contain_text(t("no cadence set"))
    sec.click("#edit-rules > summary")
    sec.fill("#id_cadence_months", "6")
    sec.select_option("#id_chair_rule", "rotation")
    sec.fill("#id_rotation_order", "KZ;KG;TJ;TM;UZ")
    sec.click("#edit-rules button[type=submit]")
    expect(sec.locator(".msg.success")).to_contain_text(t("The rules are saved."))
    expect(sec.locator("#rules")).to_contain_text(
        t("at least once every month", plural="at least once every %(n)s months", n=6)
    )
    expect(sec.locator("#rules")).to_contain_text(kz)
    expect(sec.locator("#compliance .chip")).to_have_text(t("overdue"))
    _both(sec, sec_context, new_context, f"issue3-secretariat-{language}", "format-rules")

    sec.get_by_role("link", name=t("Plan next meeting")).first.click()
    expect(sec.locator("h1")).to_have_text(t("Plan next meeting"))
    year = _nauryz_year()
    sec.fill("#id_start", f"{year}-03-15")
    sec.fill("#id_end", f"{year}-04-30")
    sec.fill("#id_days", "2")
    sec.click(".plan-form button[type=submit]")
    sec.wait_for_url(re.compile(rf"start={year}-03-15"))  # HTMX pushed the query into the address
    suggestions = sec.locator("#suggestions .suggestion")
    with translation.override(language):
        nauryz = dict(holidays_on(dt.date(year, 3, 21), ("UZ",)))["UZ"]
        nauryz_days = [formats.date_format(dt.date(year, 3, d), "DATE_FORMAT") for d in (21, 22, 23)]
    expect(suggestions.first).to_contain_text(str(year))
    expect(sec.locator("#suggestions")).to_contain_text(nauryz)
    _settled(sec)
    expect(sec.locator("#suggestions")).to_contain_text(f"{t('Host in rotation')}: {kz}")
    for text in suggestions.locator("h3").all_inner_texts():
        assert not any(day in text for day in nauryz_days), f"a suggestion falls on Nauryz: {text}"
    _both(sec, sec_context, new_context, f"issue3-secretariat-{language}", "plan")

    suggestions.first.locator("a", has_text=t("Plan this date")).click()
    expect(sec.locator("h1")).to_have_text(t("New meeting"))
    expect(sec.locator("#id_city_en")).to_have_value("Astana")
    expect(sec.locator("#id_country")).to_have_value("KZ")
    expect(sec.locator("#id_chair_state")).to_have_value("KZ")
    expect(sec.locator("#id_timezone")).to_have_value("Asia/Almaty")
    expect(sec.locator("#id_classification")).to_have_value("participants")
    expect(sec.locator("main")).not_to_contain_text("()")  # the sources number no ministers' meeting
    expect(sec.locator("main")).to_contain_text(
        t(
            "The sources do not number this format's meetings, so a new one gets no number: give it a title, "
            "or it is named by its format and date."
        )
    )
    sec.fill("#id_title_ru", TITLE_RU)
    sec.fill("#id_title_en", TITLE_EN)
    _both(sec, sec_context, new_context, f"issue3-secretariat-{language}", "new-meeting")
    sec.click("main form button[type=submit]")
    expect(sec.locator(".msg.success")).to_contain_text(t("The meeting is planned."))
    expect(sec.locator("main h1")).to_have_text(title)
    meeting_path = _path(sec)
    assert meeting_path.startswith(f"/meetings/{FM}-"), meeting_path
    expect(sec.locator("#status")).to_contain_text(t("planned"))
    expect(sec.locator("main")).to_contain_text("Asia/Almaty")

    # --- the secretariat invites Russia and China as guests ------------------------------------------------
    for iso2 in ("RU", "CN"):
        sec.select_option("#id_invite_state", iso2)
        sec.select_option("#id_invite_standing", "guest")
        sec.locator("#invitations button", has_text=t("Invite")).click()
        expect(sec.locator(".msg.success")).to_contain_text(t("The invitation is sent."))
    expect(sec.locator(".invitation", has_text=ru)).to_contain_text(t("pending"))
    china = sec.locator(".invitation", has_text=cn)
    expect(china).to_contain_text(t("pending"))
    expect(china).to_contain_text(t("guest"))
    expect(sec.locator("#invitations")).to_contain_text(t("Guests take part without a say in decisions."))

    # --- China's focal point is notified and accepts ------------------------------------------------------
    focal_context = new_context("laptop")
    focal = focal_context.new_page()
    focal_problems = watch(focal)
    sign_in(focal, FOCAL_CN, language=language)
    expect(focal.locator("header .badge")).to_be_visible()
    focal.click("header .bell")
    expect(focal.locator("h1")).to_have_text(t("Notifications"))
    _both(focal, focal_context, new_context, f"issue3-focal-cn-{language}", "notifications")
    focal.locator(f"main a[href='{meeting_path}']").first.click()
    expect(focal.locator("h1")).to_have_text(t("An invitation for your delegation"))
    assert _path(focal) == meeting_path
    expect(focal.locator("main")).not_to_contain_text(t("Agenda"))
    _both(focal, focal_context, new_context, f"issue3-focal-cn-{language}", "invitation")
    focal.locator("main button", has_text=t("Accept")).first.click()
    expect(focal.locator(".msg.success")).to_contain_text(t("You accepted the invitation."))
    expect(focal.locator(".invitation", has_text=cn)).to_contain_text(t("accepted"))
    # ... and, as an accepted guest, keeps China's delegation list
    focal.fill("#id_full_name_0", "Wang Demo-Minister (fictional)")
    focal.fill("#id_position_title_0", "Minister of Foreign Affairs")
    focal.select_option("#id_role_0", "head")
    focal.fill("#id_full_name_1", "Zhang Demo-Adviser (fictional)")
    focal.select_option("#id_role_1", "adviser")
    focal.click("#own-delegation button[type=submit]")
    expect(focal.locator(".msg.success")).to_contain_text(t("Your delegation's list is saved."))
    expect(focal.locator("#delegations .delegation", has_text=cn)).to_contain_text(t("head of delegation"))
    focal.click("#own-delegation > summary")
    _both(focal, focal_context, new_context, f"issue3-focal-cn-{language}", "meeting")

    # --- the secretariat builds the agenda: a participants item, then a members-only one put first -------
    sec.goto(meeting_path)
    expect(sec.locator(".invitation", has_text=cn)).to_contain_text(t("accepted"))
    sec.click("#add-item > summary")
    sec.fill("#id_item_title", OPEN_ITEM)
    sec.fill("#id_item_presenter", "Kazakhstan")
    sec.select_option("#id_item_classification", "participants")
    sec.click("#add-item button[type=submit]")
    expect(sec.locator("#agenda .msg.success")).to_contain_text(t("The item is added to the agenda."))
    _settled(sec)
    sec.click("#add-item > summary")
    sec.fill("#id_item_title", CLOSED_ITEM)
    sec.select_option("#id_item_classification", "members")
    sec.click("#add-item button[type=submit]")
    expect(sec.locator("#agenda .agenda-item")).to_have_count(2)
    _settled(sec)
    # move the members-only item to the top (HTMX swaps the agenda in place)
    sec.locator("#agenda .agenda-item", has_text=CLOSED_ITEM).locator("button", has_text=t("Up")).click()
    expect(sec.locator("#agenda .msg.success")).to_contain_text(t("The agenda is reordered."))
    expect(sec.locator("#agenda .agenda-item").first).to_contain_text(CLOSED_ITEM)
    _settled(sec)
    sec.locator("#agenda .agenda-item", has_text=OPEN_ITEM).locator("select").select_option("under_discussion")
    expect(sec.locator("#agenda .msg.success")).to_contain_text(t("The item's status is changed."))
    expect(sec.locator("#agenda .agenda-item", has_text=OPEN_ITEM)).to_contain_text(t("under discussion"))
    assert _path(sec) == meeting_path  # no page change: the agenda was swapped in place
    _both(sec, sec_context, new_context, f"issue3-secretariat-{language}", "meeting")

    # --- China's delegate sees only the participants-level item, numbered 1 ------------------------------
    guest_context = new_context("laptop")
    guest = guest_context.new_page()
    guest_problems = watch(guest)
    sign_in(guest, GUEST_CN, language=language)
    guest.goto(meeting_path)
    items = guest.locator("#agenda .agenda-item")
    expect(items).to_have_count(1)
    expect(items.first.locator(".agenda-num")).to_have_text("1")
    expect(items.first).to_contain_text(OPEN_ITEM)
    expect(guest.locator("main")).not_to_contain_text(CLOSED_ITEM)
    expect(guest.locator("main")).not_to_contain_text(t("Add an item"))
    expect(guest.locator("main")).to_contain_text(t("Guests take part without a say in decisions."))
    _both(guest, guest_context, new_context, f"issue3-guest-cn-{language}", "meeting")

    # --- the cadence dashboard ----------------------------------------------------------------------------
    sec.locator("header nav").get_by_role("link", name=t("Cadence"), exact=True).click()
    expect(sec.locator("h1")).to_have_text(t("Cadence"))
    expect(sec.locator("tr", has_text="Five-party foreign ministers")).to_contain_text(t("overdue"))
    _both(sec, sec_context, new_context, f"issue3-secretariat-{language}", "cadence")

    # --- the meeting carries its title in the other language too -----------------------------------------
    other = "en" if language == "ru" else "ru"
    sec.select_option("#lang-select", other)
    expect(sec.locator("html")).to_have_attribute("lang", other)
    sec.goto(meeting_path)
    expect(sec.locator("main h1")).to_have_text(TITLE_EN if other == "en" else TITLE_RU)
    expect(sec.locator("#agenda h2")).to_have_text(said(other, "Agenda"))
    _both(sec, sec_context, new_context, f"issue3-secretariat-{language}", f"meeting-{other}")

    assert sec_problems == [], sec_problems
    assert focal_problems == [], focal_problems
    assert guest_problems == [], guest_problems
