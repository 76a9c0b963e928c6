"""Classification levels and clearances, ordered ``public`` < ``participants`` < ``members`` < ``restricted``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    PARTICIPANTS = "participants", _("Participants")
    MEMBERS = "members", _("Members only")
    RESTRICTED = "restricted", _("Restricted")


ORDER = [
    Classification.PUBLIC,
    Classification.PARTICIPANTS,
    Classification.MEMBERS,
    Classification.RESTRICTED,
]


def rank(level: str) -> int:
    return ORDER.index(Classification(level))


def levels_up_to(level: str) -> list[str]:
    """Every level at or below ``level``."""
    return [str(item) for item in ORDER[: rank(level) + 1]]
