"""The append-only, hash-chained audit log."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Events are only ever added: bulk changes and deletes are refused like single ones.

    On PostgreSQL a trigger (migration 0005) refuses ``UPDATE`` and ``DELETE`` of rows as well.
    """

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events cannot be deleted")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    def _update(self, values: Any) -> int:
        raise AppendOnlyError("audit events cannot be changed")

    _update.queryset_only = False  # type: ignore[attr-defined]

    def bulk_create(
        self,
        objs: Iterable[Any],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Any]:
        if update_conflicts:  # an "upsert" would overwrite the events it collides with
            raise AppendOnlyError("audit events cannot be changed")
        return super().bulk_create(objs, batch_size=batch_size, ignore_conflicts=ignore_conflicts)


class AuditEvent(models.Model):
    """One state change. ``hash`` covers every field and the previous event's hash.

    The hash covers ``actor_pk``, the acting account's id as written, not the reference ``actor``.
    The reference is ``PROTECT``: an account that has acted is deactivated, never deleted, and
    nothing done to accounts can change a hashed value.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_pk = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254)
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("audit events cannot be deleted")


class AuditHead(models.Model):
    """A single row: the number and hash of the last event, locked while an event is appended.

    The lock serialises writers (``SELECT … FOR UPDATE`` on PostgreSQL); the stored count lets
    ``verify_audit`` notice events removed from the end of the chain. ``signature`` is an HMAC of
    count and hash under ``KENES_AUDIT_KEY``, a key kept outside the database: whoever rewrites the
    chain and recomputes the head cannot sign the new head.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    signature = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit head")
