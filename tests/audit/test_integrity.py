"""The audit log holds up against its own database: accounts, bulk queries, raw SQL and a rewrite
with every hash recomputed (security review, issue 16, finding 7); sign-ins and the like are in it."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.audit import log
from kenes.audit.models import AppendOnlyError, AuditEvent, AuditHead
from kenes.people import actions
from kenes.people.demo import DEMO_PASSWORD
from kenes.people.models import Account
from tests.conftest import login, totp_now

# The append-only trigger exists on PostgreSQL only (tests/conftest.py: not collected on SQLite).
postgresql_only = pytest.mark.postgresql


def _as_owner(sql: str, params: list[Any]) -> None:
    """Raw SQL as someone who owns the database and has switched off the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Triggers off until the test's transaction ends; only a database superuser may.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def _rewrite(events: list[AuditEvent]) -> None:
    """Write ``events`` back as they are now in memory (verb, hash, prev_hash)."""
    for event in events:
        _as_owner(
            "UPDATE audit_auditevent SET verb = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [event.verb, event.prev_hash, event.hash, event.pk],
        )


def _events(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("seq"))


# --- accounts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deleting_an_account_that_acted_is_refused_and_the_chain_stays_intact() -> None:
    account = actions.create_account(
        "test", email="leaver@example.test", full_name="Leaver", password=None, affiliation="secretariat"
    )
    with transaction.atomic():
        event = log.record(account, "test.acted")
    assert event.actor_pk == account.pk

    with pytest.raises(ProtectedError), transaction.atomic():
        account.delete()

    assert Account.objects.filter(pk=account.pk).exists()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id == event.actor_pk == account.pk
    assert log.verify().ok


# --- the ORM ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_bulk_update_and_delete_are_refused() -> None:
    before = AuditEvent.objects.count()
    first = AuditEvent.objects.order_by("seq").first()
    assert first is not None
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update(verb="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=first.pk).update(verb="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=first.pk).delete()
    first.verb = "rewritten"
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([first], ["verb"])
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([first], update_conflicts=True, unique_fields=["seq"], update_fields=["verb"])
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.get(pk=first.pk).verb != "rewritten"
    assert log.verify().ok


# --- the database -------------------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db
def test_database_refuses_raw_update_and_delete() -> None:
    victim = AuditEvent.objects.order_by("seq")[2]
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("UPDATE audit_auditevent SET verb = 'tampered' WHERE id = %s", [victim.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.get(pk=victim.pk).verb == victim.verb
    assert log.verify().ok
    # Appending still works, and TRUNCATE (how the test suite empties tables) is not a row change.
    with transaction.atomic():
        log.record("test", "still.appending")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as at the end of a real transaction
            cursor.execute("TRUNCATE audit_auditevent")
        assert not AuditEvent.objects.exists()
        transaction.set_rollback(True)
    assert AuditEvent.objects.filter(verb="still.appending").exists()


# --- the signed head ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_append_signs_the_head() -> None:
    with transaction.atomic():
        event = log.record("test", "signed")
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (event.seq, event.hash)
    assert head.signature == log.sign_head(event.seq, event.hash)
    assert log.verify().ok


@pytest.mark.django_db
def test_rewritten_chain_with_recomputed_head_is_detected() -> None:
    """Everything an intruder with the database but not the key can recompute is recomputed."""
    events = list(AuditEvent.objects.order_by("seq"))
    start = len(events) - 4
    prev = events[start - 1].hash
    for event in events[start:]:
        if event is events[start]:
            event.verb = "forged"
        event.prev_hash = prev
        event.hash = log.compute_hash(event)
        prev = event.hash
    _rewrite(events[start:])
    last = events[-1]
    forged_signature = log.sign_head(last.seq, last.hash, key="a guess at the key")
    AuditHead.objects.filter(pk=1).update(hash=last.hash, signature=forged_signature)

    verdict = log.verify()
    assert not verdict.ok
    assert "signature" in verdict.message
    with pytest.raises(CommandError, match=r"AUDIT LOG BROKEN.*signature"):
        call_command("verify_audit", stdout=StringIO())


@pytest.mark.django_db
def test_one_changed_event_with_its_hash_recomputed_breaks_the_link_to_the_next() -> None:
    victim, following = list(AuditEvent.objects.order_by("seq"))[5:7]
    victim.verb = "forged"
    victim.hash = log.compute_hash(victim)
    _rewrite([victim])

    verdict = log.verify()
    assert not verdict.ok
    assert verdict.first_bad_seq == following.seq
    with pytest.raises(CommandError, match=rf"event #{following.seq} does not link"):
        call_command("verify_audit", stdout=StringIO())


@pytest.mark.django_db
def test_another_audit_key_does_not_verify_the_head() -> None:
    assert log.verify().ok
    with override_settings(KENES_AUDIT_KEY="another-installation-key-0123456789abcdef"):
        verdict = log.verify()
    assert not verdict.ok
    assert "KENES_AUDIT_KEY" in verdict.message


# --- authentication events ----------------------------------------------------------------------


@pytest.mark.django_db
def test_failed_sign_in_records_the_email_never_the_password(accounts: dict[str, Any]) -> None:
    email = accounts["ru"].email
    Client().post("/login/", {"username": email.upper(), "password": "Wrong-Password-9731"})
    Client().post("/login/", {"username": "nobody@example.test", "password": "Other-Wrong-4415"})

    failed = _events("account.login_failed")[-2:]
    assert [event.data["email"] for event in failed] == [email, "nobody@example.test"]
    assert failed[0].target_id == str(accounts["ru"].pk) and failed[1].target_id == ""
    dumped = json.dumps([event.data for event in failed]) + "".join(e.actor_label for e in failed)
    assert "Wrong-Password-9731" not in dumped and "Other-Wrong-4415" not in dumped
    assert log.verify().ok


@pytest.mark.django_db
def test_each_sign_in_is_one_event_and_sign_out_is_recorded(accounts: dict[str, Any]) -> None:
    for name, two_factor in (("ru", False), ("kz", True)):
        account = accounts[name]
        before = len(_events("account.logged_in"))
        client = login(Client(), account)
        signed_in = _events("account.logged_in")[before:]
        assert [(e.actor_pk, e.data["two_factor"]) for e in signed_in] == [(account.pk, two_factor)]

        assert client.post("/logout/").status_code == 302
        out = _events("account.logged_out")[-1]
        assert out.actor_pk == account.pk and out.target_id == str(account.pk)
    assert log.verify().ok


@pytest.mark.django_db
def test_admin_sign_in_is_recorded_once() -> None:
    admin = Account.objects.create_superuser("root@example.test", DEMO_PASSWORD, full_name="Root")
    device = TOTPDevice.objects.create(user=admin, name="Authenticator", confirmed=True)
    before = len(_events("account.logged_in"))
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": admin.email,
            "password": DEMO_PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": totp_now(admin),
            "next": "/admin/",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert client.get("/admin/").status_code == 200
    signed_in = _events("account.logged_in")[before:]
    assert [(e.actor_pk, e.data["two_factor"]) for e in signed_in] == [(admin.pk, True)]


@pytest.mark.django_db
def test_completed_password_reset_is_recorded(accounts: dict[str, Any]) -> None:
    account = accounts["ru"]
    client = Client()
    client.post("/password-reset/", {"email": account.email})
    link = re.search(r"https?://[^/\s]+(/password-reset/\S+/)", mail.outbox[-1].body)
    assert link
    form = client.get(link.group(1), follow=True)
    target = form.redirect_chain[-1][0]
    assert not _events("account.password_reset")
    password = "brand-new-password-4417"
    assert client.post(target, {"new_password1": password, "new_password2": password}).status_code == 302

    reset = _events("account.password_reset")
    assert [(e.actor_pk, e.target_id) for e in reset] == [(account.pk, str(account.pk))]
    assert password not in json.dumps(reset[0].data)
    account.refresh_from_db()
    assert account.check_password(password)
    assert log.verify().ok


@pytest.mark.django_db
def test_superuser_creation_and_promotion_are_recorded(
    accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "root-password-for-tests-8812")
    call_command("createsuperuser", interactive=False, email="first.admin@example.test", full_name="First Admin")
    admin = Account.objects.get(email="first.admin@example.test")
    created = _events("account.superuser_created")
    assert [(e.target_id, e.data["email"]) for e in created] == [(str(admin.pk), admin.email)]

    promoted = accounts["ru"]
    promoted.is_superuser = True
    promoted.save()
    promoted.save()  # saving again is no second promotion
    granted = _events("account.superuser_granted")
    assert [e.target_id for e in granted] == [str(promoted.pk)]
    assert log.verify().ok
