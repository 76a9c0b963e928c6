"""The audit log is append-only and hash-chained; verify_audit notices any tampering."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from kenes.audit import log
from kenes.audit.models import AppendOnlyError, AuditEvent


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _raw(sql: str, params: list[Any]) -> None:
    """Tamper as someone who owns the database: on PostgreSQL that means turning off the trigger
    that refuses changes first (undone with the test's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Triggers off until the test's transaction ends; only a database superuser may.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_intact_log_verifies() -> None:
    assert AuditEvent.objects.count() > 10  # reference load, demo accounts, demo material
    assert "intact" in _verify()


@pytest.mark.django_db
def test_changed_row_is_named() -> None:
    victim = AuditEvent.objects.order_by("seq")[3]
    _raw("UPDATE audit_auditevent SET verb = %s WHERE id = %s", ["tampered", victim.pk])
    with pytest.raises(CommandError, match=rf"event #{victim.seq}\b.*changed"):
        _verify()


@pytest.mark.django_db
def test_removed_row_is_named() -> None:
    victim = AuditEvent.objects.order_by("seq")[5]
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=rf"#{victim.seq} is missing"):
        _verify()


@pytest.mark.django_db
def test_removed_last_row_is_noticed() -> None:
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError, match="removed or added"):
        _verify()


@pytest.mark.django_db
def test_inserted_row_is_named() -> None:
    """A row slipped in with a plausible hash still breaks the chain."""
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    second = AuditEvent.objects.order_by("seq")[1]
    # Shift every later event up by one to make room, as an intruder would have to.
    _raw("UPDATE audit_auditevent SET seq = seq + 1000000 WHERE seq >= %s", [second.seq])
    _raw("UPDATE audit_auditevent SET seq = seq - 1000000 + 1 WHERE seq >= 1000000", [])
    _raw(
        "INSERT INTO audit_auditevent (seq, created_at, actor_label, verb, target_type, target_id, data,"
        " prev_hash, hash) VALUES (%s, %s, 'intruder', 'forged', '', '', '{}', %s, %s)",
        [second.seq, second.created_at, second.prev_hash, "f" * 64],
    )
    with pytest.raises(CommandError, match=rf"#{second.seq}\b"):
        _verify()


@pytest.mark.django_db
def test_events_cannot_be_changed_or_deleted_through_the_orm() -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.verb = "x"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_record_outside_a_transaction_is_refused(live_data: None) -> None:
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        log.record("test", "nothing")


@pytest.mark.django_db
def test_each_event_links_to_the_one_before() -> None:
    with transaction.atomic():
        first = log.record("test", "one")
        second = log.record("test", "two")
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    assert log.compute_hash(second) == second.hash
