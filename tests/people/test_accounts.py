"""Sign-in by e-mail, TOTP two-factor, lock-out, password reset, API tokens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.audit.models import AuditEvent
from kenes.people.demo import DEMO_PASSWORD
from kenes.people.models import ApiToken
from tests.conftest import login, totp_now


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2(accounts: dict[str, Any]) -> None:
    assert identify_hasher(accounts["kz"].password).algorithm == "argon2"


@pytest.mark.django_db
def test_guest_signs_in_with_password_only(accounts: dict[str, Any]) -> None:
    client = Client()
    response = client.post("/login/", {"username": "GUEST.CN@demo.kenes.invalid", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200
    assert AuditEvent.objects.filter(verb="account.logged_in", actor=accounts["cn"]).exists()


@pytest.mark.django_db
def test_wrong_password_is_a_clear_error(accounts: dict[str, Any]) -> None:
    response = Client().post("/login/", {"username": accounts["kz"].email, "password": "nope"})
    assert response.status_code == 200
    assert "The e-mail or the password is wrong." in response.content.decode()


@pytest.mark.django_db
def test_members_clearance_needs_the_second_factor(accounts: dict[str, Any]) -> None:
    client = Client()
    response = client.post("/login/", {"username": accounts["kz"].email, "password": DEMO_PASSWORD})
    assert response["Location"].startswith("/account/2fa/")
    # Until the code is given, every page sends the account back to the code prompt.
    assert client.get("/meetings/").status_code == 302
    bad = client.post("/account/2fa/", {"code": "000000"})
    assert bad.status_code == 400
    assert "The code is not valid" in bad.content.decode()
    throttled = client.post("/account/2fa/", {"code": totp_now(accounts["kz"])})
    assert throttled.status_code == 429  # even the right code waits after a wrong one
    assert "Too many wrong codes" in throttled.content.decode()
    TOTPDevice.objects.filter(user=accounts["kz"]).update(throttling_failure_timestamp=None)
    good = client.post("/account/2fa/", {"code": totp_now(accounts["kz"]), "next": "/meetings/"})
    assert good.status_code == 302 and good["Location"] == "/meetings/"
    assert client.get("/meetings/").status_code == 200


@pytest.mark.django_db
def test_account_without_device_must_enrol(accounts: dict[str, Any]) -> None:
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kenes.people.actions import create_account

    account = create_account(
        "test",
        email="new.officer@example.test",
        full_name="New Officer",
        password="a-long-enough-password-1",
        affiliation="state",
        state=accounts["kz"].state,
        clearance="members",
    )
    client = Client()
    response = client.post("/login/", {"username": account.email, "password": "a-long-enough-password-1"})
    assert response["Location"].startswith("/account/2fa/setup/")
    page = client.get("/account/2fa/setup/")
    assert b"<svg" in page.content  # the QR code
    device = TOTPDevice.objects.get(user=account, confirmed=False)
    assert client.post("/account/2fa/setup/", {"code": "123"}).status_code == 400
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    assert client.post("/account/2fa/setup/", {"code": code, "next": "/"}).status_code == 302
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert AuditEvent.objects.filter(verb="account.two_factor_enabled", actor=account).exists()


@pytest.mark.django_db
def test_lock_out_after_repeated_failures(accounts: dict[str, Any]) -> None:
    client = Client()
    email = accounts["ru"].email
    for _ in range(5):
        client.post("/login/", {"username": email, "password": "wrong-password"})
    locked = client.post("/login/", {"username": email, "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Another account from the same address is not locked out.
    assert Client().post("/login/", {"username": accounts["cn"].email, "password": DEMO_PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_password_reset_by_email(accounts: dict[str, Any]) -> None:
    client = Client()
    assert client.post("/password-reset/", {"email": accounts["ru"].email}).status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(re.escape(settings.KENES_BASE_URL) + r"(/password-reset/\S+/)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    target = form.redirect_chain[-1][0] if form.redirect_chain else link.group(1)
    short = client.post(target, {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 200  # refused, explained on the page
    response = client.post(target, {"new_password1": "new-demo-password-77", "new_password2": "new-demo-password-77"})
    assert response.status_code == 302
    assert (
        Client().post("/login/", {"username": accounts["ru"].email, "password": "new-demo-password-77"}).status_code
        == 302
    )


@pytest.mark.django_db
def test_reset_for_unknown_email_reveals_nothing() -> None:
    response = Client().post("/password-reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_tokens_are_created_shown_once_and_revoked(accounts: dict[str, Any]) -> None:
    client = login(Client(), accounts["cn"])
    assert client.post("/account/tokens/", {"name": ""}).status_code == 302
    assert not ApiToken.objects.filter(account=accounts["cn"]).exists()
    client.post("/account/tokens/", {"name": "reporting"})
    page = client.get("/account/").content.decode()
    raw = re.search(r'id="new-token">(kenes_[^<]+)<', page)
    assert raw
    assert raw.group(1) not in client.get("/account/").content.decode()  # shown once
    token = ApiToken.objects.get(account=accounts["cn"])
    assert token.digest != raw.group(1)
    api = Client(headers={"Authorization": f"Bearer {raw.group(1)}"})
    assert api.get("/api/v1/me").json()["email"] == accounts["cn"].email
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/me").status_code == 401
    # Another account cannot revoke it (the token does not exist for them).
    other = login(Client(), accounts["ru"])
    assert other.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404


@pytest.mark.django_db
def test_create_token_command(accounts: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("create_token", accounts["uz"].email)
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("kenes_")
    me = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").json()
    assert me["email"] == accounts["uz"].email
    assert me["effective_clearance"] == "members"  # a token counts as strong authentication
    with pytest.raises(CommandError, match="no active account"):
        call_command("create_token", "nobody@example.test")


@pytest.mark.django_db
def test_logout_needs_post(signed_in: Any) -> None:
    client = signed_in("ru")
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/account/").status_code == 302


@pytest.mark.django_db
def test_no_token_before_two_factor_is_set_up(accounts: dict[str, Any]) -> None:
    from kenes.people.actions import create_account

    account = create_account(
        "test",
        email="fresh@example.test",
        full_name="Fresh",
        password=None,
        affiliation="state",
        state=accounts["kz"].state,
        clearance="members",
    )
    with pytest.raises(CommandError, match="two-factor"):
        call_command("create_token", account.email)
    assert not ApiToken.objects.filter(account=account).exists()


@pytest.mark.django_db
def test_admin_needs_the_second_factor_and_hides_what_the_policy_hides(accounts: dict[str, Any]) -> None:
    from kenes.people.models import Account

    admin = Account.objects.get(pk=accounts["secretariat"].pk)
    Account.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    unverified = login(Client(), admin, two_factor=False)
    assert unverified.get("/admin/meetings/document/").status_code == 302
    client = login(Client(), admin)
    page = client.get("/admin/meetings/document/").content.decode()
    assert "demo-fm-2027-briefing" in page
    assert "demo-scs-threat-summary" not in page  # restricted: not on the secretariat's distribution
    assert "demo-fm-2027-kz-notes" not in page  # private to Kazakhstan's delegation
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


@pytest.mark.django_db
def test_create_account_command() -> None:
    from kenes.people.models import Account

    call_command(
        "create_account", "New.Person@Example.test", "--name", "New Person", "--affiliation", "state",
        "--state", "tj", "--clearance", "members", "--role", "delegate", "--role", "focal_point:ca_foreign_ministers",
    )  # fmt: skip
    account = Account.objects.get(email="new.person@example.test")
    assert account.state is not None and account.state.iso2 == "TJ"
    assert sorted(account.roles.values_list("role", flat=True)) == ["delegate", "focal_point"]
    assert AuditEvent.objects.filter(verb="account.created", target_id=str(account.pk)).exists()
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_account", "new.person@example.test", "--name", "X", "--affiliation", "secretariat")
    with pytest.raises(CommandError, match="unknown state"):
        call_command("create_account", "x@example.test", "--name", "X", "--affiliation", "state", "--state", "ZZ")
    with pytest.raises(CommandError, match="exactly one state"):
        call_command("create_account", "y@example.test", "--name", "Y", "--affiliation", "state")
    assert not Account.objects.filter(email__in=["x@example.test", "y@example.test"]).exists()


@pytest.mark.django_db
def test_reset_two_factor_command(accounts: dict[str, Any]) -> None:
    call_command("reset_two_factor", accounts["kz"].email, "--operator", "it-desk")
    assert not TOTPDevice.objects.filter(user=accounts["kz"]).exists()
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.verb == "account.two_factor_reset" and event.actor_label == "operator:it-desk"
    client = Client()
    response = client.post("/login/", {"username": accounts["kz"].email, "password": DEMO_PASSWORD})
    assert response["Location"].startswith("/account/2fa/setup/")


@pytest.mark.django_db
def test_admin_edits_format_rules_through_the_action(accounts: dict[str, Any]) -> None:
    from kenes.meetings.models import Format
    from kenes.people.models import Account

    Account.objects.filter(pk=accounts["secretariat"].pk).update(is_staff=True)
    client = login(Client(), accounts["secretariat"])
    fmt = Format.objects.get(code="ca_foreign_ministers")
    url = f"/admin/meetings/format/{fmt.pk}/change/"
    form = {
        "cadence_months": "6", "rules_basis": "test", "chair_rule": "host", "rotation_order": "",
        "decision_rule": "consensus", "invitable": "guest", "default_classification": "participants",
        "working_languages": "ru;en",
    }  # fmt: skip
    assert client.get(url).status_code == 200
    assert client.post(url, form).status_code == 302
    fmt.refresh_from_db()
    assert fmt.cadence_months == 6 and fmt.rules_version == 2
    assert AuditEvent.objects.filter(verb="format.rules_changed", target_id=str(fmt.pk)).exists()
    bad = client.post(url, {**form, "cadence_months": "0"}, follow=True)
    assert "1 to 60 months" in bad.content.decode()
    fmt.refresh_from_db()
    assert fmt.cadence_months == 6 and fmt.rules_version == 2
