"""Journeys (c), (d) and (e) of issue 14 on the demo's own draft, with exactly the
README's accounts: Kazakhstan and Turkmenistan propose to delete one option of each bracket, the
chair accepts both, the six member delegations state their positions on every paragraph in the
room until the text is clean; the secretariat circulates it under silence; the deadline is made due
and the task the worker schedules adopts it; the adopted text's PDF carries the agreed wording.
In Russian and in English, with the words the interface says in each (``said``); the adopted room
is then read in the other language.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string
from playwright.sync_api import BrowserContext, Page, expect

from kenes.people import demo
from kenes.people.demo_accounts import MEMBER_STATES
from tests.browser.fixtures import journey_languages, said, shoot, sign_in, watch

pytestmark = pytest.mark.browser

SECRETARIAT = "secretariat@demo.kenes.invalid"
ROOM = f"/texts/{demo.DEMO_DRAFT_TEXT}/"
WHO = "journey-cde"


def _sign_in(context: BrowserContext, base: str, email: str, language: str = "ru") -> Page:
    """A new page of ``context``, signed in as the README says, in ``language``."""
    page = context.new_page()
    sign_in(page, email, language=language)
    return page


def _settled(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def _both(page: Page, context: BrowserContext, new_context: Callable[..., BrowserContext], name: str) -> None:
    who = f"{WHO}-{page.locator('html').get_attribute('lang')}"
    shoot(page, who, name, "laptop")
    phone = new_context("phone", storage_state=context.storage_state()).new_page()
    problems = watch(phone)
    phone.goto(page.url)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than the phone"
    shoot(phone, who, name, "phone")
    assert _real(problems) == [], problems
    phone.context.close()


def _real(problems: list[str]) -> list[str]:
    """The problems left when the room's live stream, cut by leaving the page, is not counted."""
    return [p for p in problems if not ("/live/" in p and "ERR_ABORTED" in p)]


def _propose_deletion(page: Page, uid: str, target: str, reason: str, language: str) -> None:
    unit = page.locator(f"#unit-{uid}")
    unit.locator("summary", has_text=said(language, "Propose an amendment")).click()
    page.select_option(f"#id_am_kind_{uid}", "delete")
    page.select_option(f"#id_am_target_{uid}", target)
    page.fill(f"#id_am_reason_{uid}", reason)
    unit.locator("form[action$='/amend/'] button[type=submit]").click()
    expect(page.locator(f"#unit-{uid} .msg.success")).to_contain_text(said(language, "Your amendment is proposed."))
    _settled(page)


@pytest.mark.parametrize("language", journey_languages())
def test_six_members_agree_the_demo_draft_it_is_adopted_by_silence_and_printed(
    new_context: Callable[..., BrowserContext], live_server: Any, language: str
) -> None:
    def t(message: str, **kwargs: Any) -> str:
        return said(language, message, **kwargs)

    from kenes.schedules import SCHEDULES
    from kenes.texts.models import Text, TextStatus

    text = Text.objects.get(code=demo.DEMO_DRAFT_TEXT)
    uids = list(text.units.filter(removed=False).order_by("order").values_list("uid", flat=True))
    assert uids == ["PP1", "PP2", "OP1", "OP2"]

    # --- (c) two delegations propose, the chair accepts: no bracket is left ------------------------------
    members: dict[str, tuple[BrowserContext, Page]] = {}
    for iso2 in ("KZ", "TM"):
        context = new_context()
        members[iso2] = (
            context,
            _sign_in(context, live_server.url, f"delegate.{iso2.lower()}@demo.kenes.invalid", language),
        )
    kz = members["KZ"][1]
    problems = watch(kz)
    kz.goto(ROOM)
    expect(kz.locator("#room-status")).to_contain_text(t("%(n)s open bracket", plural="%(n)s open brackets", n=2))
    _propose_deletion(kz, "OP1", "0.1", "Демо: формулировка предложения 2022 года.", language)
    _both(kz, members["KZ"][0], new_context, "room-amendment-proposed")
    tm = members["TM"][1]
    tm.goto(ROOM)
    _propose_deletion(tm, "OP2", "0.1", "Демо: сначала дорожная карта.", language)

    sec_context = new_context()
    sec = _sign_in(sec_context, live_server.url, SECRETARIAT, language)
    problems += watch(sec)
    sec.goto(ROOM)
    for uid in ("OP1", "OP2"):
        sec.locator(f"#unit-{uid} .amendment button", has_text=t("Accept")).click()
        expect(sec.locator(f"#unit-{uid} .msg.success")).to_contain_text(t("The amendment is accepted into the text."))
        _settled(sec)
        expect(sec.locator(f"#unit-{uid} .bracket")).to_have_count(0)
    expect(sec.locator("#unit-OP1 .unit-text").first).to_contain_text("не реже одного раза в полгода")
    expect(sec.locator("#unit-OP2 .unit-text").first).to_contain_text("проект дорожной карты")
    expect(sec.locator("#room-status")).to_contain_text(t("no open brackets"))
    _both(sec, sec_context, new_context, "room-amendments-accepted")

    # --- (c) each of the six member delegations supports every paragraph in the room --------------------
    for iso2 in MEMBER_STATES:
        if iso2 not in members:
            context = new_context()
            members[iso2] = (
                context,
                _sign_in(context, live_server.url, f"delegate.{iso2.lower()}@demo.kenes.invalid", language),
            )
        page = members[iso2][1]
        page.goto(ROOM)
        for uid in uids:
            unit = page.locator(f"#unit-{uid}")
            unit.locator("summary", has_text=t("State your position")).click()
            unit.locator("input[name=stance][value=support]").check()
            unit.locator("form[action$='/position/'] button[type=submit]").click()
            expect(page.locator(f"#unit-{uid} .msg.success")).to_be_visible()
            _settled(page)
    last = members[MEMBER_STATES[-1]]
    last[1].reload()
    expect(last[1].locator("#room-status")).to_contain_text(t("clean: every paragraph agreed"))
    expect(last[1].locator("#matrix td.pos-support")).to_have_count(len(MEMBER_STATES) * len(uids))
    _both(last[1], last[0], new_context, "room-clean")

    # --- (d) the chair circulates it under silence ----------------------------------------------------------
    sec.goto(ROOM)
    sec.select_option("#id_timezone", "Asia/Tashkent")
    sec.locator("#silence button", has_text=t("Circulate")).first.click()
    expect(sec.locator(".msg.success")).to_contain_text(t("The text is circulated under silence procedure."))
    expect(sec.locator("#room-status")).to_contain_text(t("under silence procedure"))
    _both(sec, sec_context, new_context, "room-silence")

    # ... nobody breaks it; the deadline is made due and the task the worker runs every minute adopts it
    task = import_string(next(item.func for item in SCHEDULES if item.func.endswith("adopt_due_silences_task")))
    assert task() == []  # not yet due
    Text.objects.filter(pk=text.pk).update(silence_deadline=timezone.now() - dt.timedelta(seconds=1))
    assert task() == [demo.DEMO_DRAFT_TEXT]
    adopted = Text.objects.get(pk=text.pk)
    assert adopted.status == TextStatus.ADOPTED and adopted.adopted_by == "silence"
    kz.goto(ROOM)
    banner = kz.locator("#adoption")
    expect(banner).to_contain_text(t("Adopted — the text is frozen"))
    expect(banner).to_contain_text(adopted.adopted_hashes["ru"])
    _both(kz, members["KZ"][0], new_context, "room-adopted")

    # --- (e) the PDF: the agreed Russian wording, no bracket, no rejected option ------------------------------
    link = banner.locator("a", has_text=t("Download the PDF"))
    response = kz.request.get(link.get_attribute("href") or "")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    from pypdf import PdfReader

    words = " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(response.body())).pages
    )
    assert "не реже одного раза в полгода" in words
    assert "проект дорожной карты" in words
    assert "ежегодно" not in words and "перечень приоритетных вопросов" not in words
    assert "[" not in words

    # --- the adopted room in the other language ---------------------------------------------------------
    other = "en" if language == "ru" else "ru"
    kz.select_option("#lang-select", other)
    expect(kz.locator("html")).to_have_attribute("lang", other)
    kz.goto(ROOM)
    expect(kz.locator("#adoption h2")).to_have_text(said(other, "Adopted — the text is frozen"))
    expect(kz.locator("#adoption")).to_contain_text(said(other, "silence procedure"))
    _both(kz, members["KZ"][0], new_context, f"room-adopted-{other}")
    assert _real(problems) == [], problems
