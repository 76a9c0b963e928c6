"""The focal-point directory (issue 15, item 7): the member states' focal points, for the
secretariat and member delegations; a guest or an anonymous reader learns nothing (404, 401)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kenes.people.actions import create_token
from kenes.people.models import Account, Role

pytestmark = pytest.mark.django_db


def _bearer(account: Any) -> Client:
    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _focal_points(iso2: str) -> list[str]:
    return list(Account.objects.filter(state__iso2=iso2, roles__role=Role.FOCAL_POINT).values_list("email", flat=True))


def test_a_member_delegation_finds_every_member_states_focal_point(accounts: dict[str, Any], signed_in: Any) -> None:
    uz, ru = _focal_points("UZ"), _focal_points("RU")
    assert uz and ru
    listed = _bearer(accounts["kz"]).get("/api/v1/focal-points")
    assert listed.status_code == 200
    emails = {row["email"]: row for row in listed.json()}
    assert set(uz) <= set(emails) and {row["state"] for row in emails.values()} >= {"KZ", "UZ", "KG", "TJ", "TM"}
    assert not set(ru) & set(emails)  # a guest state's focal point is not a member's
    page = signed_in("kz").get("/focal-points/").content.decode()
    assert all(email in page for email in uz) and not any(email in page for email in ru)
    assert signed_in("secretariat").get("/focal-points/").status_code == 200


def test_guests_and_anonymous_readers_learn_nothing(accounts: dict[str, Any], signed_in: Any) -> None:
    for name in ("ru", "cn"):
        assert signed_in(name).get("/focal-points/").status_code == 404
        assert _bearer(accounts[name]).get("/api/v1/focal-points").status_code == 404
        assert "/focal-points/" not in signed_in(name).get("/work/").content.decode()
    assert Client().get("/focal-points/").status_code == 302
    assert Client().get("/api/v1/focal-points").status_code == 401


def test_the_directory_in_russian(signed_in: Any) -> None:
    client = signed_in("kz")
    assert "/focal-points/" in client.get("/work/").content.decode()
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    page = client.get("/focal-points/").content.decode()
    assert "Контактные лица" in page and "Узбекистан" in page
