"""Security review, finding 4: an API token never outlives or outgrows the second factor."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.access.levels import Classification
from kenes.people.actions import create_account, create_token
from kenes.people.models import Account, Affiliation, ApiToken, Role
from kenes.states.models import State

MEMBERS_DOC = "/api/v1/documents/demo-fm-2027-briefing"


def _bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _kz_at_participants() -> Account:
    return create_account(
        "test", email="raised.kz@test.invalid", full_name="Test person (fictional)", password=None,
        affiliation=Affiliation.STATE, state=State.objects.get(iso2="KZ"), clearance=Classification.PARTICIPANTS,
        roles=[(None, Role.DELEGATE)],
    )  # fmt: skip


@pytest.mark.django_db
def test_a_token_reads_at_most_the_clearance_it_was_made_at() -> None:
    account = _kz_at_participants()
    _token, old = create_token("test", account, "made at participants")
    assert _bearer(old).get(MEMBERS_DOC).status_code == 404
    # The clearance is raised and an authenticator enrolled: the old token stays at participants.
    Account.objects.filter(pk=account.pk).update(clearance=Classification.MEMBERS)
    TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    account.refresh_from_db()
    assert _bearer(old).get(MEMBERS_DOC).status_code == 404
    assert _bearer(old).get("/api/v1/documents/demo-fm-2027-agenda").status_code == 200
    _token, new = create_token("test", account, "made at members")
    assert _bearer(new).get(MEMBERS_DOC).status_code == 200


@pytest.mark.django_db
def test_a_raised_clearance_without_an_authenticator_stops_the_token() -> None:
    account = _kz_at_participants()
    _token, raw = create_token("test", account, "before the raise")
    assert _bearer(raw).get("/api/v1/me").status_code == 200
    Account.objects.filter(pk=account.pk).update(clearance=Classification.MEMBERS)
    assert _bearer(raw).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_a_second_factor_reset_revokes_the_tokens(accounts: dict[str, Any]) -> None:
    _token, raw = create_token("test", accounts["kz"], "laptop")
    assert _bearer(raw).get(MEMBERS_DOC).status_code == 200
    call_command("reset_two_factor", accounts["kz"].email, "--operator", "it-desk")
    assert _bearer(raw).get(MEMBERS_DOC).status_code == 401
    assert not ApiToken.objects.filter(account=accounts["kz"], revoked_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_password_reset_revokes_the_tokens(accounts: dict[str, Any]) -> None:
    _token, raw = create_token("test", accounts["ru"], "script")
    assert _bearer(raw).get("/api/v1/me").status_code == 200
    client = Client()
    client.post("/password-reset/", {"email": accounts["ru"].email})
    link = re.search(re.escape(settings.KENES_BASE_URL) + r"(/password-reset/\S+/)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    target = form.redirect_chain[-1][0] if form.redirect_chain else link.group(1)
    response = client.post(target, {"new_password1": "new-demo-password-77", "new_password2": "new-demo-password-77"})
    assert response.status_code == 302
    assert _bearer(raw).get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_saving_an_account_without_a_new_password_keeps_its_tokens(accounts: dict[str, Any]) -> None:
    _token, raw = create_token("test", accounts["ru"], "script")
    account = Account.objects.get(pk=accounts["ru"].pk)
    account.full_name = "Ivan Demo-Guest (renamed)"
    account.save()
    assert _bearer(raw).get("/api/v1/me").status_code == 200
