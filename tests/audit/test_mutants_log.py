"""The audit log's rules by example, as ``./dev mutate`` found them untested (docs/mutation.md):
what an event records about its actor and target, that its hash covers every field, the head's
signature under the audit key, and exactly what ``verify`` reports for each kind of tampering."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from kenes.audit import log
from kenes.audit.models import AuditEvent, AuditHead
from kenes.meetings.models import Document
from tests.conftest import verified

pytestmark = pytest.mark.django_db


def _raw(sql: str, params: list[Any]) -> None:
    """Tamper as someone who owns the database (see test_audit.py)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


def _record(actor: Any, verb: str, target: Any = None, **data: Any) -> AuditEvent:
    with transaction.atomic():
        return log.record(actor, verb, target, **data)


def test_an_event_records_the_account_the_target_and_plain_data(accounts: dict[str, Any]) -> None:
    before = AuditHead.objects.get(pk=1)
    kz = verified(accounts["kz"])
    document = Document.objects.get(code="demo-fm-2027-press")
    event = _record(kz, "test.looked", document, day=dt.date(2026, 5, 1), states=("KZ", "UZ"), note="Ж")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.seq, stored.prev_hash) == (before.seq + 1, before.hash)
    assert (stored.actor, stored.actor_pk, stored.actor_label) == (accounts["kz"], kz.pk, kz.email)
    assert (stored.verb, stored.target_type, stored.target_id) == ("test.looked", "meetings.document", str(document.pk))
    assert stored.data == {"day": "2026-05-01", "states": ["KZ", "UZ"], "note": "Ж"}
    assert stored.created_at.microsecond == 0
    assert stored.hash == log.compute_hash(stored)
    head = AuditHead.objects.get(pk=1)
    assert (head.seq, head.hash, head.signature) == (stored.seq, stored.hash, log.sign_head(stored.seq, stored.hash))
    assert log.verify().ok


def test_an_operator_or_the_system_is_named_and_no_account_is_linked() -> None:
    by_command = _record("load_demo", "test.loaded")
    assert (by_command.actor, by_command.actor_pk, by_command.actor_label) == (None, None, "load_demo")
    assert (by_command.target_type, by_command.target_id, by_command.data) == ("", "", {})
    by_nobody = _record(None, "test.scheduled")
    assert (by_nobody.actor, by_nobody.actor_label) == (None, "system")


def test_a_change_without_the_second_factor_is_not_recorded_but_a_sign_in_is(accounts: dict[str, Any]) -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        _record(accounts["kz"], "test.changed")
    assert AuditEvent.objects.count() == count
    signed_in = _record(accounts["kz"], "account.signed_in")
    assert signed_in.actor == accounts["kz"] and AuditEvent.objects.count() == count + 1


def test_the_hash_covers_every_field_of_the_event(accounts: dict[str, Any]) -> None:
    event = _record("test", "test.hashed", Document.objects.get(code="demo-fm-2027-press"), note="one")
    changes = {
        "seq": event.seq + 1,
        "created_at": event.created_at + dt.timedelta(seconds=1),
        "actor_pk": 12345,
        "actor_label": "someone else",
        "verb": "test.other",
        "target_type": "meetings.meeting",
        "target_id": "0",
        "data": {"note": "two"},
        "prev_hash": "f" * 64,
    }
    for name, value in changes.items():
        copy = AuditEvent.objects.get(pk=event.pk)
        setattr(copy, name, value)
        assert log.compute_hash(copy) != event.hash, name
    assert log.compute_hash(AuditEvent.objects.get(pk=event.pk)) == event.hash


def test_the_head_is_signed_with_the_audit_key_alone() -> None:
    head_hash = "a" * 64
    expected = hmac.new(settings.KENES_AUDIT_KEY.encode(), f"kenes-audit-head:7:{head_hash}".encode(), hashlib.sha256)
    assert log.sign_head(7, head_hash) == expected.hexdigest()
    assert log.sign_head(7, head_hash, key=settings.KENES_AUDIT_KEY) == expected.hexdigest()
    empty = hmac.new(b"", f"kenes-audit-head:7:{head_hash}".encode(), hashlib.sha256).hexdigest()
    assert log.sign_head(7, head_hash, key="") == empty  # an explicit key, even empty, is the key
    assert log.sign_head(8, head_hash) != log.sign_head(7, head_hash)
    assert log.sign_head(7, "b" * 64) != log.sign_head(7, head_hash)


# --- What verify reports ------------------------------------------------------------------------


def _last() -> AuditEvent:
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    return event


def test_an_intact_log_reports_its_length_and_head() -> None:
    last = _last()
    verdict = log.verify()
    assert verdict == log.Verdict(True, last.seq, f"audit log intact: {last.seq} events, head {last.hash[:16]}…")


def test_a_changed_event_is_named_with_the_count_before_it() -> None:
    victim = AuditEvent.objects.order_by("seq")[4]
    _raw("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["forged", victim.pk])
    assert log.verify() == log.Verdict(
        False, victim.seq - 1, f"event #{victim.seq} was changed after it was written", victim.seq
    )


def test_a_missing_event_is_named_with_the_one_that_follows() -> None:
    victim = AuditEvent.objects.order_by("seq")[4]
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    assert log.verify() == log.Verdict(
        False, victim.seq - 1, f"event #{victim.seq} is missing (next is #{victim.seq + 1})", victim.seq
    )


def test_an_event_rewritten_with_its_own_hash_breaks_the_link_of_the_next() -> None:
    victim, following = list(AuditEvent.objects.order_by("seq"))[4:6]
    victim.verb = "forged"
    new_hash = log.compute_hash(victim)
    _raw("UPDATE audit_auditevent SET verb = %s, hash = %s WHERE id = %s", ["forged", new_hash, victim.pk])
    assert log.verify() == log.Verdict(
        False, following.seq - 1, f"event #{following.seq} does not link to the event before it", following.seq
    )


def test_events_cut_from_the_end_or_a_head_set_back_are_noticed() -> None:
    last = _last()
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    count = last.seq - 1
    message = f"the log ends at event #{count} but its head records #{last.seq}: events were removed or added"
    assert log.verify() == log.Verdict(False, count, message, count + 1)


def test_an_event_appended_behind_the_heads_back_is_noticed() -> None:
    last = _last()
    AuditHead.objects.filter(pk=1).update(seq=last.seq - 1, hash=last.prev_hash)
    message = f"the log ends at event #{last.seq} but its head records #{last.seq - 1}: events were removed or added"
    assert log.verify() == log.Verdict(False, last.seq, message, last.seq)


def test_a_head_signed_without_the_key_is_refused() -> None:
    last = _last()
    AuditHead.objects.filter(pk=1).update(signature=log.sign_head(last.seq, last.hash, key="a guess"))
    verdict = log.verify()
    assert (verdict.ok, verdict.count, verdict.first_bad_seq) == (False, last.seq, None)
    assert verdict.message == (
        "the head's signature does not match the audit key (KENES_AUDIT_KEY): the chain and its head"
        " were rewritten in the database, or the key was changed"
    )
