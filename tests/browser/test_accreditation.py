"""The secretariat accredits a delegate on the meeting page (issue 15, item 7), in Russian and
English, on a laptop and a phone, signed in as the README's secretariat account."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from kenes.meetings import actions
from kenes.meetings.models import Accreditation, DelegationMember, Meeting
from kenes.states.models import State
from tests.browser.fixtures import shoot, sign_in, watch

pytestmark = pytest.mark.browser

MEETING = "demo-fm-2027"
WORDS = {
    "ru": {"accredit": "Аккредитовать", "done": "Участник аккредитован.", "status": "аккредитация подтверждена"},
    "en": {"accredit": "Accredit", "done": "The member is accredited.", "status": "accredited"},
}


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_the_secretariat_accredits_a_delegate(
    new_context: Callable[..., BrowserContext], language: str, viewport: str
) -> None:
    actions.save_delegation(
        "test", Meeting.objects.get(code=MEETING), state=State.objects.get(iso2="UZ"),
        members=[{"full_name": "Dilnoza Demo-Minister (fictional)", "position_title": "Minister", "role": "head"}],
    )  # fmt: skip
    page = new_context(viewport).new_page()
    problems = watch(page)
    sign_in(page, "secretariat@demo.kenes.invalid", language=language)
    page.goto(f"/meetings/{MEETING}/#delegations")
    member = page.locator("#delegations li", has_text="Dilnoza Demo-Minister")
    shoot(page, f"secretariat-{language}", "accreditation-before", viewport)
    member.get_by_role("button", name=WORDS[language]["accredit"]).click()
    expect(page.locator(".msg").first).to_contain_text(WORDS[language]["done"])
    expect(page.locator("#delegations li", has_text="Dilnoza Demo-Minister").locator(".accreditation")).to_have_text(
        WORDS[language]["status"]
    )
    shoot(page, f"secretariat-{language}", "accreditation-after", viewport)
    assert DelegationMember.objects.get(full_name__startswith="Dilnoza").accreditation == Accreditation.APPROVED
    assert problems == []
