"""Appending to and verifying the audit log."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from kenes.access.actors import require_strong_auth
from kenes.audit.models import AuditEvent, AuditHead

GENESIS = "0" * 64
# The events of signing in itself, recorded before (or without) the second factor.
SIGN_IN_VERBS = ("account.",)


def _canonical(event: AuditEvent) -> bytes:
    payload = {
        "seq": event.seq,
        "created_at": event.created_at.isoformat(),
        "actor_id": event.actor_pk,
        "actor_label": event.actor_label,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def sign_head(seq: int, head_hash: str, key: str | None = None) -> str:
    """The HMAC of the chain's head under ``KENES_AUDIT_KEY``, a key that is not in the database."""
    secret = (key if key is not None else settings.KENES_AUDIT_KEY).encode()
    return hmac.new(secret, f"kenes-audit-head:{seq}:{head_hash}".encode(), hashlib.sha256).hexdigest()


def record(actor: Any, verb: str, target: models.Model | None = None, **data: Any) -> AuditEvent:
    """Append one event; must run inside the action's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the action's transaction")
    if not verb.startswith(SIGN_IN_VERBS):
        # Every change is audited, so this is the one place no change can pass without the second
        # factor, whichever surface forgot to ask (security review, finding 1). Raising here rolls
        # the action's transaction back.
        require_strong_auth(actor)
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    account = actor if getattr(actor, "pk", None) and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        seq=head.seq + 1,
        created_at=timezone.now().replace(microsecond=0),
        actor=account,
        actor_pk=account.pk if account is not None else None,
        actor_label=getattr(account, "email", None) or str(actor or "system"),
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=json.loads(json.dumps(data, default=str)),
        prev_hash=head.hash,
    )
    event.hash = compute_hash(event)
    event.save()
    head.seq, head.hash = event.seq, event.hash
    head.signature = sign_head(head.seq, head.hash)
    head.save(update_fields=["seq", "hash", "signature"])
    return event


@dataclass
class Verdict:
    ok: bool
    count: int
    message: str
    first_bad_seq: int | None = None


def verify() -> Verdict:
    """Walk the chain: sequence without gaps, each hash recomputed, each link to the one before;
    then the head: it names the last event and carries a valid signature under the audit key."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return Verdict(False, count, f"event #{expected_seq} is missing (next is #{event.seq})", expected_seq)
        if event.prev_hash != prev:
            return Verdict(False, count, f"event #{event.seq} does not link to the event before it", event.seq)
        if compute_hash(event) != event.hash:
            return Verdict(False, count, f"event #{event.seq} was changed after it was written", event.seq)
        prev = event.hash
        expected_seq += 1
        count += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != count or head_hash != prev:
        return Verdict(
            False,
            count,
            f"the log ends at event #{count} but its head records #{head_seq}: events were removed or added",
            count + 1 if head_seq > count else count,
        )
    if head is not None and not hmac.compare_digest(head.signature, sign_head(head.seq, head.hash)):
        return Verdict(
            False,
            count,
            "the head's signature does not match the audit key (KENES_AUDIT_KEY): the chain and its head"
            " were rewritten in the database, or the key was changed",
            None,
        )
    return Verdict(True, count, f"audit log intact: {count} events, head {prev[:16]}…")
