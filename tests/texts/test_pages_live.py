"""The room updates in place (issue 11, item 3): the page follows its text's stream and re-fetches
a changed paragraph through the room's own view, so the access policy decides what comes back."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from kenes.live.bus import get_bus
from kenes.people.demo import DEMO_TEXT
from kenes.texts.models import Text
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_room_follows_its_stream_from_the_id_of_its_snapshot(accounts: dict[str, Any]) -> None:
    text = Text.objects.get(code=DEMO_TEXT)
    before = get_bus().last_id(f"text:{text.pk}")
    page = login(Client(), accounts["kz"]).get(f"/texts/{DEMO_TEXT}/").content.decode()
    connect = re.search(r'sse-connect="([^"]+)"', page)
    assert connect is not None
    assert connect.group(1) == f"/live/texts/{DEMO_TEXT}/events?after={before}"
    uid = text.units.filter(removed=False).order_by("order").values_list("uid", flat=True)[0]
    assert f'hx-trigger="sse:unit-{uid}, kenes:retry"' in page
    assert "django_htmx/ext/hx-sse-2" in page


def test_a_changed_paragraph_is_fetched_through_the_room(accounts: dict[str, Any]) -> None:
    text = Text.objects.get(code=DEMO_TEXT)
    uid = text.units.filter(removed=False).order_by("order").values_list("uid", flat=True)[0]
    member = login(Client(), accounts["kz"])
    block = member.get(f"/texts/{DEMO_TEXT}/", {"unit": uid}, headers={"HX-Request": "true"})
    body = block.content.decode()
    assert block.status_code == 200 and body.startswith('<article class="unit') and f'id="unit-{uid}"' in body
    assert 'id="room-status"' in body and "hx-swap-oob" in body  # the counts beside it, out of band
    gone = member.get(f"/texts/{DEMO_TEXT}/", {"unit": "no-such-unit"}, headers={"HX-Request": "true"})
    assert gone.status_code == 200 and gone["HX-Refresh"] == "true"
    # A guest of the meeting may not read this members-only text: the same 404 as the page.
    guest = login(Client(), accounts["ru"])
    assert guest.get(f"/texts/{DEMO_TEXT}/", {"unit": uid}, headers={"HX-Request": "true"}).status_code == 404
    assert Client().get(f"/texts/{DEMO_TEXT}/", {"unit": uid}, headers={"HX-Request": "true"}).status_code == 404
