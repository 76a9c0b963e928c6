"""Negotiated texts: language versions sharing units, amendments, positions, versions, silence,
adoption and signatures."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kenes.access.models import Protected
from kenes.meetings.models import Format, Meeting
from kenes.states.models import State


class TextKind(models.TextChoices):
    JOINT_STATEMENT = "joint_statement", _("joint statement")
    CONCEPT = "concept", _("concept")
    ROADMAP = "roadmap", _("roadmap")
    COMMUNIQUE = "communique", _("communiqué")
    AGREEMENT = "agreement", _("agreement")
    TREATY = "treaty", _("treaty")
    MINUTES = "minutes", _("minutes")


class TextStatus(models.TextChoices):
    DRAFTING = "drafting", _("under negotiation")
    SILENCE = "silence", _("under silence procedure")
    ADOPTED = "adopted", _("adopted")


class AdoptedBy(models.TextChoices):
    CONSENSUS = "consensus", _("consensus at a meeting")
    SILENCE = "silence", _("silence procedure")


class Text(Protected):
    ACCESS_FORMAT: ClassVar[str] = "format"
    ACCESS_MEETING: ClassVar[str | None] = "meeting"

    code = models.SlugField(max_length=120, unique=True)
    format = models.ForeignKey(Format, on_delete=models.PROTECT, related_name="texts")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="texts")
    kind = models.CharField(_("kind"), max_length=20, choices=TextKind.choices)
    title = models.CharField(_("title"), max_length=300)
    working_language = models.CharField(_("working language"), max_length=8, default="ru")
    languages = models.CharField(_("language versions"), max_length=50, default="ru;en")
    status = models.CharField(max_length=12, choices=TextStatus.choices, default=TextStatus.DRAFTING)
    version = models.PositiveIntegerField(default=1)
    silence_deadline = models.DateTimeField(null=True, blank=True)
    silence_timezone = models.CharField(max_length=64, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.CharField(max_length=12, choices=AdoptedBy.choices, blank=True)
    adopted_hashes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "code"]
        verbose_name = _("text")
        verbose_name_plural = _("texts")

    def __str__(self) -> str:
        return self.title

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(";") if code]

    @property
    def is_frozen(self) -> bool:
        return self.status == TextStatus.ADOPTED


class UnitKind(models.TextChoices):
    PREAMBLE = "preamble", _("preambular paragraph")
    OPERATIVE = "operative", _("operative paragraph")


class Unit(models.Model):
    """A paragraph, shared by every language version; ``uid`` is stable for the text's lifetime."""

    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="units")
    uid = models.CharField(max_length=32)
    kind = models.CharField(max_length=12, choices=UnitKind.choices, default=UnitKind.OPERATIVE)
    order = models.PositiveIntegerField()
    revision = models.PositiveIntegerField(default=1, help_text="Bumped whenever the unit's content changes.")
    removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["text", "order"]
        constraints = [models.UniqueConstraint(fields=["text", "uid"], name="unit_uid_unique")]

    def __str__(self) -> str:
        return self.uid


class UnitVersion(models.Model):
    """The unit's content in one language, in the bracket syntax (see ``brackets``)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=8)
    content = models.TextField(blank=True)
    out_of_date = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "language"], name="unit_language_unique")]

    def __str__(self) -> str:
        return f"{self.unit.uid}/{self.language}"


class AmendmentKind(models.TextChoices):
    REPLACE = "replace", _("replace")
    INSERT = "insert", _("insert after")
    DELETE = "delete", _("delete")


class AmendmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted into the text")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REJECTED = "rejected", _("rejected")


class Amendment(models.Model):
    """A delegation's proposal to a unit, to one option of a bracket, or to another amendment."""

    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="amendments")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="amendments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    bracket_index = models.PositiveSmallIntegerField(null=True, blank=True)
    option_index = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=8, choices=AmendmentKind.choices)
    language = models.CharField(max_length=8)
    content = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=AmendmentStatus.choices, default=AmendmentStatus.PROPOSED)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_in_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["unit__order", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.state.iso2} {self.kind} {self.unit.uid}"


class Stance(models.TextChoices):
    SUPPORT = "support", _("support")
    RESERVATION = "reservation", _("reservation")
    OBJECTION = "objection", _("objection")


class Position(models.Model):
    """A member delegation's position on a unit (or one option of it), for the unit's revision."""

    WHOLE_UNIT = -1

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="positions")
    # -1 for a position on the whole unit; otherwise the bracket and option it concerns.
    bracket_index = models.SmallIntegerField(default=WHOLE_UNIT)
    option_index = models.SmallIntegerField(default=WHOLE_UNIT)
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    stance = models.CharField(max_length=12, choices=Stance.choices)
    note = models.TextField(blank=True)
    revision = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "state", "bracket_index", "option_index"], name="position_once")
        ]

    def __str__(self) -> str:
        return f"{self.state.iso2} {self.stance} {self.unit.uid}"


class Comment(models.Model):
    """A remark on a unit by any participating delegation, guests included; it never blocks."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="comments")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class PrivateNote(Protected):
    """A delegation's own note or red line on a text: ``owner_state`` is always set."""

    ACCESS_FORMAT: ClassVar[str] = "text__format"
    ACCESS_MEETING: ClassVar[str | None] = "text__meeting"

    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="private_notes")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="private_notes")
    body = models.TextField()
    red_line = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class TextVersion(models.Model):
    """A snapshot of the whole rolling text after each change."""

    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="text_versions")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    actor_label = models.CharField(max_length=254)
    reason = models.CharField(max_length=200)
    snapshot = models.JSONField()
    open_brackets = models.PositiveIntegerField()

    class Meta:
        ordering = ["text", "number"]
        constraints = [models.UniqueConstraint(fields=["text", "number"], name="text_version_unique")]

    def __str__(self) -> str:
        return f"{self.text.code} v{self.number}"


class SilenceBreak(models.Model):
    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="silence_breaks")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField()
    deadline = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)


class Signature(models.Model):
    text = models.ForeignKey(Text, on_delete=models.CASCADE, related_name="signatures")
    state = models.ForeignKey(State, on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signer_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(auto_now_add=True)
    hashes = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["text", "state"], name="signature_once")]
