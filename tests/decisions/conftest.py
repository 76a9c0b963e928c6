"""Fixtures for decisions and instructions: every member delegation, focal points, an adopted text."""

from __future__ import annotations

from typing import Any

import pytest

from kenes.meetings.models import Format, Meeting
from kenes.texts import actions as text_actions
from kenes.texts.models import Text
from tests.conftest import verified

FM = "ca_foreign_ministers"
PASSWORD = "a-long-password-123"


def _account(email: str, iso2: str | None, role: str, clearance: str = "members", **extra: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kenes.people.actions import create_account
    from kenes.states.models import State

    account = create_account(
        "test", email=email, full_name=email.split("@")[0].replace(".", " ").title(), password=PASSWORD,
        affiliation="state" if iso2 else "secretariat", state=State.objects.get(iso2=iso2) if iso2 else None,
        clearance=clearance, roles=[(None, role)], **extra,
    )  # fmt: skip
    if account.requires_two_factor:
        TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    return account


@pytest.fixture
def people(accounts: dict[str, Any]) -> dict[str, Any]:
    """The demo accounts (as after 2FA), delegates of TJ, TM, AZ and a focal point of Kazakhstan."""
    out = {name: verified(accounts[name]) for name in ("secretariat", "kz", "uz", "kg", "ru", "cn")}
    for iso2 in ("TJ", "TM", "AZ"):
        out[iso2.lower()] = verified(_account(f"delegate.{iso2.lower()}@example.test", iso2, "delegate"))
    out["focal_kz"] = verified(_account("focal.kz@example.test", "KZ", "focal_point"))
    out["focal_cn"] = verified(_account("focal.cn@example.test", "CN", "focal_point", clearance="participants"))
    return out


def adopt(people: dict[str, Any], *, code: str, classification: str = "members", units: list[str] | None = None,
          fmt: str = FM, meeting: str | None = "demo-fm-2027") -> Text:  # fmt: skip
    """A text adopted by consensus: created, every member supports every unit, adopted."""
    text = text_actions.create_text(
        people["secretariat"], fmt=Format.objects.get(code=fmt),
        meeting=Meeting.objects.get(code=meeting) if meeting else None, code=code,
        title=f"TEST statement {code} (fictional)", kind="joint_statement", classification=classification,
        languages=["ru", "en"],
        units=[{"kind": "operative", "content": content} for content in
               (units or ["Instruct the ministers to meet at least once every six months (test).",
                          "Instruct the states to report on transport (test)."])],
    )  # fmt: skip
    for unit in text.units.all():
        for name in ("kz", "uz", "kg", "tj", "tm", "az"):
            text_actions.state_position(people[name], unit, stance="support")
    return text_actions.adopt_by_consensus(people["secretariat"], Text.objects.get(pk=text.pk))


@pytest.fixture
def adopted(people: dict[str, Any]) -> Text:
    return adopt(people, code="test-adopted")


@pytest.fixture
def public_adopted(people: dict[str, Any]) -> Text:
    return adopt(people, code="test-public", classification="public")
