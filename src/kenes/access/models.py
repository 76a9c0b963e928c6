"""The fields every protected object carries; the rules that read them live in ``policy``."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kenes.access.levels import Classification


class Protected(models.Model):
    """Abstract base of anything whose reading is governed by the access policy.

    ``ACCESS_FORMAT`` and ``ACCESS_MEETING`` name the lookups from the model to the format and
    meeting that give it its audience (``None`` where the object has no meeting).
    """

    ACCESS_FORMAT: ClassVar[str] = "format"
    ACCESS_MEETING: ClassVar[str | None] = "meeting"

    classification = models.CharField(
        _("classification"), max_length=16, choices=Classification.choices, default=Classification.MEMBERS
    )
    distribution = models.ManyToManyField(
        "states.State",
        blank=True,
        related_name="+",
        verbose_name=_("distribution"),
        help_text=_("For restricted material: the states it is distributed to."),
    )
    owner_state = models.ForeignKey(
        "states.State",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("private to delegation"),
        help_text=_("Set for a delegation's private material: only that delegation sees it."),
    )
    is_demo = models.BooleanField(_("demo material"), default=False)

    class Meta:
        abstract = True
