"""The restricted channel of the Secretaries of the Security Councils: threat reports, the
assessments of the addressed states, the read log and requests for an extraordinary consultation.

A threat report is ``Protected``: restricted by default, read only by cleared accounts of the states
on its distribution with a fresh two-factor sign-in in this session (``access.policy``). Assessments,
read events and consultation requests are read through their report.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from kenes.access.levels import Classification
from kenes.access.models import Protected

FORMAT_CODE = "ca_security_council_secretaries"


class Category(models.TextChoices):
    TERRORISM = "terrorism", _("terrorism")
    VIOLENT_EXTREMISM = "violent_extremism", _("violent extremism")
    DRUG_TRAFFICKING = "drug_trafficking", _("drug trafficking")
    CYBER = "cyber_incident", _("cyber incident")
    BORDER = "border_incident", _("border incident")
    WATER_ENERGY = "water_energy_emergency", _("water or energy emergency")
    NATURAL_DISASTER = "natural_disaster", _("natural disaster")
    OTHER = "other", _("other")


class Severity(models.IntegerChoices):
    LOW = 1, _("low")
    MODERATE = 2, _("moderate")
    HIGH = 3, _("high")
    CRITICAL = 4, _("critical")


def _attachment_path(report: ThreatReport, filename: str) -> str:
    base = (filename or "attachment").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    name = get_valid_filename(base)[-100:] or "attachment"
    return f"security/{uuid.uuid4().hex}/{name}"


class ThreatReport(Protected):
    ACCESS_FORMAT: ClassVar[str] = "format"
    ACCESS_MEETING: ClassVar[str | None] = None

    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, default=Classification.RESTRICTED
    )
    format = models.ForeignKey("meetings.Format", on_delete=models.PROTECT, related_name="threat_reports")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices)
    affected_states = models.ManyToManyField(
        "states.State", blank=True, related_name="+", verbose_name=_("affected states")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    summary = models.TextField(_("summary"))
    details = models.TextField(_("details"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to=_attachment_path, blank=True, max_length=250)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("threat report")
        verbose_name_plural = _("threat reports")

    def __str__(self) -> str:
        return f"threat report {self.pk}"  # never the title: str() may end up in logs

    @property
    def attachment_name(self) -> str:
        return (self.attachment.name or "").rsplit("/", 1)[-1] if self.attachment else ""


class SeverityView(models.TextChoices):
    AGREED = "agreed", _("severity agreed")
    RAISED = "raised", _("severity raised")
    LOWERED = "lowered", _("severity lowered")


class Assessment(models.Model):
    """One addressed state's assessment of a report (one per state; a new one replaces it)."""

    report = models.ForeignKey(ThreatReport, on_delete=models.CASCADE, related_name="assessments")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    view = models.CharField(_("severity"), max_length=16, choices=SeverityView.choices)
    comments = models.TextField(_("comments"), blank=True)
    measures = models.TextField(_("recommended joint measures"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "state"], name="assessment_once_per_state")]

    def __str__(self) -> str:
        return f"assessment {self.pk}"


class ReadEvent(models.Model):
    """Who read or downloaded which restricted report, and when."""

    report = models.ForeignKey(ThreatReport, on_delete=models.CASCADE, related_name="reads")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=16)  # view, download, api
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"read {self.pk}"


class ConsultationRequest(models.Model):
    """An addressed state's request for an extraordinary consultation on a report."""

    report = models.ForeignKey(ThreatReport, on_delete=models.CASCADE, related_name="consultation_requests")
    state = models.ForeignKey("states.State", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    within_days = models.PositiveSmallIntegerField(default=14)
    created_at = models.DateTimeField(default=timezone.now)
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"consultation request {self.pk}"
