"""Reads of releases, already narrowed by the access policy (``visible_releases``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.access.policy import visible_releases
from kenes.errors import ActionError
from kenes.press.models import PUBLIC_STATUSES, DailyRead, Release, ReleaseKind, ReleaseVersion, Tag, TagKind

POPULAR_DAYS = 28


def releases_for(account: Any) -> QuerySet[Release]:
    qs = Release.objects.select_related("meeting", "format").prefetch_related("versions", "tags")
    return visible_releases(account, qs)


def published() -> QuerySet[Release]:
    """Public releases, newest first: what the feeds, the sitemap and the digest read."""
    return releases_for(None).filter(status__in=PUBLIC_STATUSES).order_by("-first_published_at", "-pk")


def release_for(account: Any, slug: str) -> Release:
    """One release the account may read, with its links, or 404."""
    from kenes.meetings.models import Document

    qs = releases_for(account).prefetch_related(
        "sources", "change_notes", Prefetch("documents", queryset=Document.objects.order_by("pk"))
    )
    try:
        return qs.get(slug=slug)
    except Release.DoesNotExist as exc:
        raise Http404("Not found") from exc


def version_in(release: Release, language: str | None) -> ReleaseVersion:
    """The version in ``language``, else the working language's."""
    versions = {v.language: v for v in release.versions.all()}
    return versions.get(language or "") or versions[release.working_language]


@dataclass
class Filters:
    tag: str = ""
    kind: str = ""
    format: str = ""
    state: str = ""
    year: int | None = None

    @classmethod
    def from_query(cls, query: QueryDict) -> Filters:
        """The filters of /news/; a year that is not a year is a 400."""
        raw_year = (query.get("year") or "").strip()
        year = None
        if raw_year:
            if not raw_year.isdigit() or not 1900 <= int(raw_year) <= 2100:
                raise ActionError(_("A year is written with four digits, e.g. 2022."), field="year")
            year = int(raw_year)
        kind = query.get("kind") or ""
        if kind and kind not in ReleaseKind.values:
            raise ActionError(_("Unknown kind of release."), field="kind")
        return cls(tag=query.get("tag") or "", kind=kind, format=query.get("format") or "",
                   state=(query.get("state") or "").lower(), year=year)  # fmt: skip

    def apply(self, qs: QuerySet[Release]) -> QuerySet[Release]:
        if self.tag:
            qs = qs.filter(tags__slug=self.tag)
        if self.kind:
            qs = qs.filter(kind=self.kind)
        if self.format:
            qs = qs.filter(format__code=self.format)
        if self.state:
            qs = qs.filter(tags__slug=f"state-{self.state}")
        if self.year:
            qs = qs.filter(first_published_at__year=self.year)
        return qs.distinct()

    def as_query(self) -> dict[str, str]:
        items = {"tag": self.tag, "kind": self.kind, "format": self.format, "state": self.state,
                 "year": str(self.year or "")}  # fmt: skip
        return {k: v for k, v in items.items() if v}


def filter_choices() -> dict[str, Any]:
    from kenes.meetings.models import Format

    rows = published()
    years = sorted({d.year for d in rows.values_list("first_published_at", flat=True) if d}, reverse=True)
    format_ids = rows.exclude(format=None).values("format_id")
    return {
        "kinds": ReleaseKind.choices,
        "formats": Format.objects.filter(pk__in=format_ids).order_by("code"),
        "states": Tag.objects.filter(kind=TagKind.STATE, releases__in=rows).distinct().order_by("slug"),
        "years": years,
    }


def record_read(release: Release, day: dt.date | None = None) -> None:
    """Count one reading of a public release today; nothing about the reader is kept."""
    if not release.is_public:
        return
    day = day or timezone.localdate()
    with transaction.atomic():
        DailyRead.objects.get_or_create(release=release, day=day)
        DailyRead.objects.filter(release=release, day=day).update(count=F("count") + 1)


def popular_tags(limit: int = 8, days: int = POPULAR_DAYS, today: dt.date | None = None) -> list[Tag]:
    """The topics read most in the last ``days`` days (summed daily counts of public releases)."""
    since = (today or timezone.localdate()) - dt.timedelta(days=days)
    qs = (
        Tag.objects.filter(releases__status__in=PUBLIC_STATUSES, releases__reads__day__gt=since)
        .annotate(reads=Sum("releases__reads__count"))
        .order_by("-reads", "slug")
    )
    tags: list[Tag] = list(qs[:limit])
    if len(tags) < limit:  # too few reads yet: fill with the most used tags
        used = (Tag.objects.filter(releases__status__in=PUBLIC_STATUSES).exclude(pk__in=[t.pk for t in tags])
                .annotate(n=Count("releases")).order_by("-n", "slug"))  # fmt: skip
        tags.extend(used[: limit - len(tags)])
    return tags


def tag_or_404(slug: str) -> Tag:
    try:
        return Tag.objects.get(slug=slug)
    except Tag.DoesNotExist as exc:
        raise Http404("Not found") from exc
