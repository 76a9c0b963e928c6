"""The language of a person's notices and e-mails (issue 15, item 5): the one they last chose to
read Kenes in, by the header's switcher, the language they sign in with, or ``PATCH /api/v1/me``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils.translation import gettext_lazy

from kenes.audit.models import AuditEvent
from kenes.people.models import Account
from kenes.people.notify import notify
from tests.conftest import login

pytestmark = pytest.mark.django_db
GIVEN = "Your state was given an instruction. Open Kenes to read it."
GIVEN_RU = "Вашему государству дано поручение. Откройте Kenes, чтобы ознакомиться с ним."


def _fresh(email: str) -> Account:
    account = Account.objects.get(email=email)
    account.preferred_language = ""
    account.save(update_fields=["preferred_language"])
    return account


def _bearer(account: Account) -> Client:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_header_switch_sets_the_language_of_later_notices() -> None:
    account = _fresh("focal.uz@demo.kenes.invalid")
    client = login(Client(), account)
    assert client.post("/i18n/setlang/", {"language": "ru", "next": "/"}).status_code == 302
    account.refresh_from_db()
    assert account.preferred_language == "ru"
    assert AuditEvent.objects.filter(verb="account.language_set", target_id=str(account.pk)).exists()
    notice = notify(account, "instruction.given", gettext_lazy(GIVEN), email=False)
    assert notice.text.startswith("Вашему государству дано поручение")
    page = client.get("/account/").content.decode()
    assert 'id="notice-language">Русский' in page


def test_signing_in_with_a_chosen_language_sets_it_and_the_browser_only_starts_it() -> None:
    account = _fresh("focal.kz@demo.kenes.invalid")
    client = Client(headers={"Accept-Language": "ru"})
    login(client, account)
    account.refresh_from_db()
    assert account.preferred_language == "ru"  # none was set: the browser's language is a start
    english_browser = Client(headers={"Accept-Language": "en"})
    login(english_browser, account, two_factor=False)  # the password step signs in; a code is used once
    account.refresh_from_db()
    assert account.preferred_language == "ru"  # the browser alone does not override a choice
    chosen = Client()
    chosen.cookies["django_language"] = "en"
    login(chosen, account, two_factor=False)
    account.refresh_from_db()
    assert account.preferred_language == "en"


def test_the_api_reads_and_sets_it() -> None:
    account = _fresh("delegate.kg@demo.kenes.invalid")
    client = _bearer(account)
    assert client.get("/api/v1/me").json()["language"] == "en"  # the site's default when none is set
    response = client.patch("/api/v1/me", json.dumps({"language": "ky"}), content_type="application/json")
    assert response.status_code == 200 and response.json()["language"] == "ky"
    account.refresh_from_db()
    assert account.preferred_language == "ky"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [({"language": "xx"}, 400, "language"), ({"language": "ru", "theme": "dark"}, 422, "theme"), ({}, 422, "language")],
)
def test_a_bad_language_is_refused_and_changes_nothing(body: dict[str, Any], status: int, field: str) -> None:
    account = _fresh("delegate.tj@demo.kenes.invalid")
    client = _bearer(account)
    client.cookies["django_language"] = "ru"
    response = client.patch("/api/v1/me", json.dumps(body), content_type="application/json")
    assert response.status_code == status
    assert field in json.dumps(response.json())
    account.refresh_from_db()
    assert account.preferred_language == ""


def test_the_language_is_refused_in_the_readers_language() -> None:
    account = _fresh("delegate.tm@demo.kenes.invalid")
    client = _bearer(account)
    response = client.patch(
        "/api/v1/me", json.dumps({"language": "xx"}), content_type="application/json", headers={"Accept-Language": "ru"}
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Неизвестный язык xx")


def test_nobody_sets_it_without_signing_in() -> None:
    response = Client().patch("/api/v1/me", json.dumps({"language": "ru"}), content_type="application/json")
    assert response.status_code == 401
