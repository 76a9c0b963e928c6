"""The secretariat is offered "Circulate" and "Adopt by consensus" only when the action would accept
them (a clean text); the server-error page is in the reader's language."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import translation

from kenes.people import demo
from kenes.people.demo_accounts import MEMBER_STATES
from kenes.people.models import Account
from tests.conftest import verified

pytestmark = pytest.mark.django_db


def _clean_up(code: str) -> None:
    from kenes.texts import actions
    from kenes.texts.models import Text

    chair = verified(Account.objects.get(email="secretariat@demo.kenes.invalid"))
    text = Text.objects.get(code=code)
    for unit in text.units.filter(removed=False).order_by("order"):
        for language in ("ru", "en"):
            content = unit.versions.get(language=language).content
            if "[" in content:
                plain = content.split("[", 1)[0] + content.split("[", 1)[1].split("|", 1)[0].strip() + "."
                actions.edit_unit(chair, unit, language=language, content=plain)
    for unit in text.units.filter(removed=False):
        for iso2 in MEMBER_STATES:
            delegate: Any = verified(Account.objects.get(email=f"delegate.{iso2.lower()}@demo.kenes.invalid"))
            actions.state_position(delegate, unit, stance="support")


def test_circulate_is_offered_only_for_a_clean_text(signed_in: Any) -> None:
    client = signed_in("secretariat")
    room = f"/texts/{demo.DEMO_MEMBERS_TEXT}/"
    page = client.get(room).content.decode()
    assert "Only a clean text is adopted or circulated" in page
    assert 'action="/texts/' not in page.split('id="silence"', 1)[1].split("</section>", 1)[0]
    _clean_up(demo.DEMO_MEMBERS_TEXT)
    page = client.get(room).content.decode()
    panel = page.split('id="silence"', 1)[1].split("</section>", 1)[0]
    assert f'action="/texts/{demo.DEMO_MEMBERS_TEXT}/silence/"' in panel
    assert "Circulate" in panel and "Adopt by consensus" in panel
    assert "Only a clean text is adopted or circulated" not in panel


def test_the_server_error_page_is_translated() -> None:
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with translation.override("ru"):
        response = server_error(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert 'lang="ru"' in body and "Ошибка сервера" in body and "Server error" not in body


def test_the_version_log_names_no_command(signed_in: Any) -> None:
    client = signed_in("secretariat")
    client.cookies["django_language"] = "ru"
    page = client.get(f"/texts/{demo.DEMO_DRAFT_TEXT}/").content.decode()
    versions = page.split('id="versions"', 1)[1]
    assert "load_demo" not in versions
    assert "подготовка демо-данных" in versions
