"""Two delegations in one negotiation room under the real ASGI server (uvicorn): a position stated
by one appears in the other's open room without a reload, and the block it shows equals a fresh
load of the page (issue 11, items 2 and 3)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import Browser, expect

from kenes.people.demo import DEMO_DRAFT_TEXT as ROOM
from tests.browser.fixtures import TIMEOUT_MS, watch
from tests.conftest import login, verified
from tests.services import uvicorn_server

pytestmark = pytest.mark.browser


def _unmasked(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken"', html)


def _session(email: str) -> str:
    from kenes.people.models import Account

    return str(login(Client(), Account.objects.get(email=email)).cookies["sessionid"].value)


def test_a_position_appears_in_the_other_delegations_room(browser: Browser, live_data: None) -> None:
    from kenes.people.models import Account
    from kenes.texts import actions
    from kenes.texts.models import Position, Text

    text = Text.objects.get(code=ROOM)
    unit = text.units.filter(removed=False).order_by("order").first()
    assert unit is not None
    kz = verified(Account.objects.get(email="delegate.kz@demo.kenes.invalid"))
    whole = Position.objects.filter(unit=unit, state=kz.state, bracket_index=Position.WHOLE_UNIT)
    current = whole.values_list("stance", flat=True).first()
    stance = "reservation" if current == "support" else "support"
    with uvicorn_server() as address:
        base = f"http://{address}"
        context = browser.new_context(base_url=base, locale="en-GB", timezone_id="Asia/Almaty")
        context.set_default_timeout(TIMEOUT_MS)
        try:
            context.add_cookies([{"name": "sessionid", "value": _session("focal.uz@demo.kenes.invalid"), "url": base}])
            page = context.new_page()
            problems = watch(page)
            with page.expect_response(lambda response: "/live/texts/" in response.url) as stream:
                page.goto(f"/texts/{ROOM}/")
            assert stream.value.status == 200
            matrix = page.locator("#matrix")
            before = matrix.inner_html()
            actions.state_position(kz, unit, stance=stance, note="Live canary note")  # another delegation
            expect(matrix).to_contain_text("Live canary note")  # the block came with the matrix out of band
            fresh = context.new_page()
            fresh.goto(f"/texts/{ROOM}/")
            for selector in ("#matrix", f"#unit-{unit.uid}", "#room-status"):
                live, loaded = (p.locator(selector).evaluate("element => element.outerHTML") for p in (page, fresh))
                assert _unmasked(live) == _unmasked(loaded), selector  # the CSRF token is masked anew each time
            assert matrix.inner_html() != before
            assert problems == [], problems
        finally:
            context.close()  # before the server stops: its streams end with the pages
