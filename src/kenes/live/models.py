"""The live-event outbox: an event is written here in the action's own transaction, then delivered.

With Redis as the bus (``KENES_REDIS_URL``), ``publish_on_commit`` adds a row inside the
transaction and drains the outbox after the commit; a row stays pending while Redis is down and is
delivered by the next drain (after any later commit, or by the scheduled task). See ``live.outbox``
and docs/decisions/0022-event-outbox.md.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """One live event, pending until ``delivered_at``; ``key`` is its id for the whole of its life."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=200)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    stream_id = models.CharField(max_length=64, blank=True)  # the Redis stream entry it became
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], condition=Q(delivered_at__isnull=True), name="live_outbox_pending"),
            models.Index(fields=["delivered_at"], name="live_outbox_delivered"),
        ]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")

    def __str__(self) -> str:
        return f"{self.channel} {self.payload.get('verb', '')} ({self.key})"
