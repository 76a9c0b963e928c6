"""What the API keeps between requests: the first answer to each ``Idempotency-Key``."""

from __future__ import annotations

from django.db import models


class IdempotentRequest(models.Model):
    """One client write sent with an ``Idempotency-Key`` header, and the answer it got.

    ``principal`` names who sent it (an account, or the digest of a bearer token), so one client's
    key never replays another's answer. ``status`` 0 means "being handled": the row is written in
    the same transaction as the write itself, so a crash leaves neither behind.
    """

    principal = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]

    def __str__(self) -> str:
        return f"{self.principal} {self.key} → {self.status}"
