"""The account actions' refusals: what the user is told, and that no account, role, token or
second factor changed (nothing written, no audit event)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.people import actions
from kenes.people.models import Account, ApiToken, FormatRole
from kenes.states.models import State
from tests.conftest import verified
from tests.refusing import refused


def _account(actor: Any, **changes: Any) -> Any:
    arguments: dict[str, Any] = {
        "email": "new.kz@example.test", "full_name": "New delegate (fictional)", "password": None,
        "affiliation": "state", "state": State.objects.get(iso2="KZ"), "clearance": "members",
        "roles": [(None, "delegate")],
    }  # fmt: skip
    arguments.update(changes)
    return lambda: actions.create_account(actor, **arguments)


@pytest.mark.django_db
def test_account_creation_refusals(accounts: dict[str, Any]) -> None:
    counts = [Account, FormatRole]
    refused(_account(accounts["secretariat"]), 400, "Only an administrator may manage accounts.", counts=counts)
    refused(_account("test", affiliation="press"), 400, "Unknown affiliation.", field="affiliation", counts=counts)
    refused(_account("test", clearance="secret"), 400, "Unknown clearance.", field="clearance", counts=counts)
    refused(_account("test", roles=[(None, "ambassador")]), 400, "Unknown role.", field="roles", counts=counts)
    body = refused(_account("test", password="password"), 400, _weak("password"), field="password", counts=counts)
    assert "too common" in body["detail"]


def _weak(password: str) -> str:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
    except ValidationError as exc:
        return " ".join(exc.messages)
    raise AssertionError(f"{password!r} passes the password rules")


@pytest.mark.django_db
def test_tokens_are_ones_own(accounts: dict[str, Any]) -> None:
    kz, uz = verified(accounts["kz"]), verified(accounts["uz"])
    refused(
        lambda: actions.create_token(uz, kz, "not mine"),
        400,
        "You may only create tokens for your own account.",
        counts=[ApiToken],
    )
    token, _raw = actions.create_token(kz, kz, "mine")
    refused(lambda: actions.revoke_token(uz, token), 400, "You may only revoke your own tokens.", watch=[token])
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


@pytest.mark.django_db
def test_an_authenticator_is_confirmed_once_by_its_owner_within_the_throttle(accounts: dict[str, Any]) -> None:
    kz, uz = verified(accounts["kz"]), verified(accounts["uz"])
    device = actions.start_totp(kz)
    refused(lambda: actions.confirm_totp(uz, device, "123456"), 400, "This authenticator cannot be confirmed.",
            watch=[device])  # fmt: skip
    confirmed = TOTPDevice.objects.get(user=kz, confirmed=True)
    refused(lambda: actions.confirm_totp(kz, confirmed, "123456"), 400, "This authenticator cannot be confirmed.",
            watch=[confirmed])  # fmt: skip
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=10,
                                                   throttling_failure_timestamp=timezone.now())  # fmt: skip
    device.refresh_from_db()
    refused(
        lambda: actions.confirm_totp(kz, device, "123456"),
        400,
        "Too many wrong codes. Wait a little and try again.",
        field="code",
        watch=[device],
    )
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
