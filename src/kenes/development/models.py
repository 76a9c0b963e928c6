"""Indicator data (issue 13): sources, indicators from the catalogue, observations, targets.

The numbers are public facts from open datasets, read without the access policy; a target is set by
the secretariat through ``actions.record_target`` and its progress is always computed, never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """One data file of the folder, with its licence and the caveat SOURCES.md gives for it."""

    file = models.CharField(max_length=120, unique=True)
    tag = models.CharField(max_length=40)
    licence = models.TextField()
    caveat = models.TextField(blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    rows = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(null=True, blank=True)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["file"]

    def __str__(self) -> str:
        return self.file


class Indicator(models.Model):
    """A row of catalogue.csv: the source's own code, title, unit and definition (English, verbatim)."""

    code = models.CharField(max_length=120, unique=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="indicators")
    source_tag = models.CharField(max_length=40, help_text="the rows' own source tag, e.g. GM-SG/EI")
    title = models.CharField(max_length=300)
    unit = models.CharField(max_length=200)
    sdg_indicator = models.CharField(max_length=60, blank=True)
    definition = models.TextField(blank=True)
    licence = models.TextField()
    theme = models.CharField(max_length=20)
    # Coverage, recomputed by every import.
    year_min = models.PositiveSmallIntegerField(null=True)
    year_max = models.PositiveSmallIntegerField(null=True)
    entity_count = models.PositiveSmallIntegerField(default=0)
    observation_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["theme", "title"]

    def __str__(self) -> str:
        return self.code

    @property
    def sdg_goals(self) -> list[int]:
        """The SDG goals of the UN series ("7.b.1, 12.a.1" → [7, 12]); none for the other sources."""
        goals = {int(part.strip().split(".")[0]) for part in self.sdg_indicator.split(",") if part.strip()}
        return sorted(goals)


class Observation(models.Model):
    """One value: ``value_text`` is the source cell verbatim, ``value`` the same parsed as a number."""

    # No index of its own: the unique (indicator, entity, year) index starts with it, and a second
    # index would be one more to maintain for every row an import writes.
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations", db_index=False)
    entity = models.CharField(max_length=3)
    year = models.PositiveSmallIntegerField()
    value = models.FloatField()
    value_text = models.CharField(max_length=40)

    class Meta:
        ordering = ["indicator", "entity", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "entity", "year"], name="observation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.entity} {self.year}"


class Direction(models.TextChoices):
    INCREASE = "increase", _("at least (increase to)")
    DECREASE = "decrease", _("at most (decrease to)")


class Target(models.Model):
    """A target the mechanism set: reach ``value`` by ``year`` from ``base_year``, for some states or
    the region, set by a decision or an instruction (one of the two)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    entities = models.JSONField(help_text="ISO3 codes, or ['C5'] for the five states together")
    base_year = models.PositiveSmallIntegerField(_("base year"))
    year = models.PositiveSmallIntegerField(_("target year"))
    value = models.FloatField(_("target value"))
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    decision = models.ForeignKey(
        "decisions.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="indicator_targets"
    )
    instruction = models.ForeignKey(
        "decisions.Instruction", null=True, blank=True, on_delete=models.PROTECT, related_name="indicator_targets"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False)

    class Meta:
        ordering = ["indicator", "year", "pk"]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.direction} {self.value} by {self.year}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("failed")


def _archive_path(run: ImportRun, filename: str) -> str:
    return f"indicator-imports/{run.created_at:%Y}/{run.token}.zip"


class ImportRun(models.Model):
    """A new vintage of the indicator folder uploaded by the secretariat as a ZIP archive and imported
    by the task queue (``vintages.run``): its progress while it runs, what changed once it is done."""

    token = models.CharField(max_length=32, unique=True)
    archive = models.FileField(upload_to=_archive_path, max_length=200)
    archive_name = models.CharField(max_length=200)
    prune = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="indicator_imports"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    current_file = models.CharField(max_length=200, blank=True)
    files = models.JSONField(default=list, help_text="per file: rows, added, changed, removed, examples")
    # A validation error, untranslated, so each reader sees it in their language (importer.shown_error).
    error = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return min(100, 100 * self.done_rows // self.total_rows) if self.total_rows else 0

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    def total(self, what: str) -> int:
        return sum(int(f.get(what, 0)) for f in self.files)

    def shown_error(self) -> str:
        """Why it failed, in the active language ("" when it did not)."""
        from kenes.development.importer import shown_error

        e = self.error
        return shown_error(e["file"], e["line"], e["column"], e["message"], e["params"]) if e else ""
