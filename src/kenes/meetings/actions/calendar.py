"""A reader's personal calendar token: issue a new one, revoke it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kenes.audit import log as audit


def rotate_calendar_token(actor: Any) -> str:
    """A new secret address for the actor's calendar feed; the old one stops working at once.

    Like an API token, only the SHA-256 of the secret is stored: the address is returned (and
    shown) once, and a copy of the database opens no one's feed."""
    import secrets

    from kenes.people.models import Account, feed_digest

    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Account.objects.filter(pk=actor.pk).update(calendar_token=feed_digest(token))
        audit.record(actor, "calendar.feed_rotated", actor)
    actor.calendar_token = feed_digest(token)
    return token


def revoke_calendar_token(actor: Any) -> None:
    from kenes.people.models import Account

    with transaction.atomic():
        Account.objects.filter(pk=actor.pk).update(calendar_token=None)
        audit.record(actor, "calendar.feed_revoked", actor)
    actor.calendar_token = None
