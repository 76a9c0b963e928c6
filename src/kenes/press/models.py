"""The press service: releases with language versions, managed tags, read counts and the digest.

A ``Release`` is one id shared by its language versions (``ReleaseVersion``). Releases are not
``Protected``: they are public once published; before that only the secretariat reads them, a rule
written in ``kenes.access.policy`` (``visible_releases``) like every other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kenes.meetings.models import Document, Format, Meeting
from kenes.states.models import Source


class ReleaseKind(models.TextChoices):
    PRESS_RELEASE = "press_release", _("press release")
    NEWS = "news", _("news story")
    STATEMENT = "statement", _("statement")


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SCHEDULED = "scheduled", _("scheduled")
    PUBLISHED = "published", _("published")
    CORRECTED = "corrected", _("corrected")


PUBLIC_STATUSES = (ReleaseStatus.PUBLISHED, ReleaseStatus.CORRECTED)


class SourceKind(models.TextChoices):
    PRESS_SERVICE = "press_service", _("the press service")
    REPORTED_BY = "reported_by", _("as reported by")


class Origin(models.TextChoices):
    SECRETARIAT = "secretariat", _("written by the secretariat")
    REFERENCE = "reference", _("compiled from the reference data")


class TagKind(models.TextChoices):
    PERSON = "person", _("person")
    TOPIC = "topic", _("topic")
    FORMAT = "format", _("format")
    STATE = "state", _("state")


class Tag(models.Model):
    """One entry of the managed vocabulary: releases are tagged only with existing tags."""

    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=TagKind.choices)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)

    class Meta:
        ordering = ["kind", "name_en"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("ru") and self.name_ru:
            return self.name_ru
        return self.name_en


class Release(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ReleaseKind.choices, default=ReleaseKind.PRESS_RELEASE)
    status = models.CharField(max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    working_language = models.CharField(_("working language"), max_length=8, default="ru")
    format = models.ForeignKey(Format, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    documents = models.ManyToManyField(Document, blank=True, related_name="+")
    texts = models.ManyToManyField("texts.Text", blank=True, related_name="+")
    decisions = models.ManyToManyField("decisions.Decision", blank=True, related_name="+")
    tags = models.ManyToManyField(Tag, blank=True, related_name="releases")
    source_kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.PRESS_SERVICE)
    source_outlet = models.CharField(_("outlet"), max_length=200, blank=True)
    source_url = models.URLField(_("outlet's link"), max_length=500, blank=True)
    sources = models.ManyToManyField(Source, blank=True, related_name="+")
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.SECRETARIAT)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True, help_text=_("Last public change."))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    is_demo = models.BooleanField(_("demo material"), default=False)

    class Meta:
        ordering = ["-first_published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-first_published_at"])]

    def __str__(self) -> str:
        return self.slug

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def language_list(self) -> list[str]:
        """The working language first, the others after it."""
        others = sorted(v.language for v in self.versions.all() if v.language != self.working_language)
        return [self.working_language, *others]


class ReleaseVersion(models.Model):
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(max_length=8)
    headline = models.CharField(_("headline"), max_length=300)
    lead = models.TextField(_("lead"), blank=True)
    body = models.TextField(_("body"), blank=True)
    out_of_date = models.BooleanField(default=False)
    # Casefolded headline, lead and body: the search fallback on SQLite, whose LIKE folds ASCII only.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["release", "language"]
        constraints = [models.UniqueConstraint(fields=["release", "language"], name="press_one_version_per_language")]

    def __str__(self) -> str:
        return f"{self.release.slug}/{self.language}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.search_text = " ".join((self.headline, self.lead, self.body)).casefold()
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class ChangeNote(models.Model):
    """A public note on a correction; a major one goes out in the next digest."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="change_notes")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField()
    major = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "pk"]


class DailyRead(models.Model):
    """How often a release page was read on a day: a counter, nothing about the reader."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="reads")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "day"], name="press_one_count_per_day")]


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("pending confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")


class Subscriber(models.Model):
    email = models.EmailField(unique=True)
    language = models.CharField(max_length=8, default="en")
    tags = models.ManyToManyField(Tag, blank=True, related_name="+")
    status = models.CharField(max_length=14, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    consent_text = models.TextField(blank=True, help_text=_("The wording shown when the person subscribed."))
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("hard bounce")
    SOFT_BOUNCE = "soft_bounce", _("soft bounces (three in 14 days)")
    COMPLAINT = "complaint", _("complaint")
    UNSUBSCRIBE = "unsubscribe", _("unsubscribed")


class Suppression(models.Model):
    """An address no digest or confirmation goes to, with why."""

    email = models.EmailField(unique=True)
    reason = models.CharField(max_length=12, choices=SuppressionReason.choices)
    at = models.DateTimeField(auto_now_add=True)


class Bounce(models.Model):
    """One delivery report (DSN) or complaint (ARF) received for an address."""

    email = models.EmailField(db_index=True)
    kind = models.CharField(max_length=12)  # hard, soft or complaint
    at = models.DateTimeField(auto_now_add=True)


class Digest(models.Model):
    """The weekly review of one week (``week`` is its Monday)."""

    week = models.DateField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)


class DigestDelivery(models.Model):
    """Written before a digest is handed to SMTP: a retried batch never sends it twice."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    sent = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["digest", "subscriber"], name="press_one_digest_each")]
