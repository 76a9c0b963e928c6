"""States, organisations, mechanisms, dated participation and the sources behind each fact."""

from __future__ import annotations

import datetime as dt
import gettext
import re

import pycountry
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kenes.states.dates import PartialDate


class Source(models.Model):
    """One entry of the research report's source list (``S1``…)."""

    code = models.CharField(max_length=16, unique=True)
    title = models.CharField(max_length=300)
    urls = models.TextField(blank=True, help_text=_("One URL a line."))
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.code

    @property
    def url_list(self) -> list[str]:
        return [line for line in self.urls.splitlines() if line.strip()]

    @property
    def links(self) -> list[tuple[str, str]]:
        """``(outlet, url)`` for the page: the outlets the source names ("24.kg; iica.uz"), each
        with its link; a link without a named outlet is named by its host. A source without a link
        is its title alone. Never the bare id ("S13"), which means nothing to a reader."""
        urls = self.url_list
        if not urls:  # named as far as its first clause: the rest lists local files
            return [(re.split(r"[;,(]", self.title)[0].strip() or self.title, "")]
        names = [name.strip() for name in self.title.split(";") if name.strip()]
        if len(urls) == 1 and len(names) <= 1:
            return [(self.title or _host(urls[0]), urls[0])]
        if len(names) == len(urls):
            return list(zip(names, urls, strict=True))
        return [(_host(url), url) for url in urls]


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(url.strip()).hostname or url
    return host.removeprefix("www.")


class SourcedModel(models.Model):
    sources = models.ManyToManyField(Source, blank=True, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        abstract = True


_translations: dict[str, gettext.NullTranslations] = {}


def _iso3166_name(iso2: str, english: str) -> str:
    """The state's name in the active language from ISO 3166 (iso-codes, via pycountry)."""
    language = (get_language() or "en").split("-")[0]
    if language == "en":
        return english
    if language not in _translations:
        _translations[language] = gettext.translation(
            "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
        )
    country = pycountry.countries.get(alpha_2=iso2)
    if country is None:
        return english
    return _translations[language].gettext(country.name)


class State(SourcedModel):
    iso2 = models.CharField(max_length=2, unique=True)
    iso3 = models.CharField(max_length=3, blank=True)
    m49 = models.CharField(max_length=3, blank=True)
    name_en = models.CharField(max_length=100)
    name_ru = models.CharField(max_length=100, blank=True)
    capital_en = models.CharField(max_length=100, blank=True)
    state_languages = models.CharField(max_length=50, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    holidays_code = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("state")
        verbose_name_plural = _("states")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("ru") and self.name_ru:
            return self.name_ru
        return _iso3166_name(self.iso2, self.name_en)

    @property
    def languages(self) -> list[str]:
        return [code for code in self.state_languages.split(";") if code]


class Organisation(models.Model):
    """An international organisation that may be invited (UNRCCA, EU, GCC) or the secretariat."""

    code = models.CharField(max_length=16, unique=True)
    name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name_en


class Mechanism(models.Model):
    code = models.CharField(max_length=64, unique=True)
    name_en = models.CharField(max_length=200)

    class Meta:
        ordering = ["id"]
        verbose_name = _("mechanism")
        verbose_name_plural = _("mechanisms")

    def __str__(self) -> str:
        return self.name_en


class ParticipationStatus(models.TextChoices):
    MEMBER = "member", _("member")
    GUEST_OF_HONOUR = "guest_of_honour", _("guest of honour")
    INVITED_GUEST = "invited_guest", _("invited guest")
    OBSERVER = "observer", _("observer")
    PARTNER = "partner", _("partner")


class ParticipationQuerySet(models.QuerySet["Participation"]):
    def on(self, day: dt.date) -> ParticipationQuerySet:
        """Rows in force on ``day``: started on or before it (or undated) and not yet ended."""
        return self.filter(
            models.Q(from_sort__isnull=True) | models.Q(from_sort__lte=day),
            models.Q(until_sort__isnull=True) | models.Q(until_sort__gt=day),
        )


class Participation(SourcedModel):
    """A state's status in a mechanism over a span of time; ``until`` is the day the next began."""

    mechanism = models.ForeignKey(Mechanism, on_delete=models.CASCADE, related_name="participations")
    state = models.ForeignKey(State, on_delete=models.CASCADE, related_name="participations")
    status = models.CharField(max_length=20, choices=ParticipationStatus.choices)
    from_text = models.CharField(max_length=10, blank=True)
    until_text = models.CharField(max_length=10, blank=True)
    from_sort = models.DateField(null=True, blank=True, editable=False)
    until_sort = models.DateField(null=True, blank=True, editable=False)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        ordering = ["mechanism", "state__name_en", "from_sort"]
        verbose_name = _("participation")
        verbose_name_plural = _("participation")
        constraints = [
            models.UniqueConstraint(
                fields=["mechanism", "state", "status", "from_text"], name="participation_unique_span"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state.iso2} {self.status} {self.from_text or '…'}–{self.until_text or '…'}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.from_sort = PartialDate.parse(self.from_text).sort_key() if self.from_text else None
        self.until_sort = PartialDate.parse(self.until_text).sort_key() if self.until_text else None
        super().save(*args, **kwargs)  # type: ignore[arg-type]
