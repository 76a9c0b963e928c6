"""The search index: one row per object and language, written in the transaction that changes the
object (``kenes.search.index``). It is a finding aid only: what a reader may see is decided by the
access policy over the objects themselves (``kenes.search.engine``), never by these rows."""

from __future__ import annotations

from django.db import models


class Entry(models.Model):
    kind = models.CharField(max_length=16)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=8, blank=True)
    # The PostgreSQL text-search configuration of ``language`` (russian, english, simple).
    config = models.CharField(max_length=16, default="simple")
    title = models.CharField(max_length=400)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, default="")  # the object's page; codes and ids never change
    format_code = models.CharField(max_length=64, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    classification = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "language"], name="search_entry_one_per_language")
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}:{self.language}"
