"""Atom feeds of public releases per language, and per tag and language (django.contrib.syndication)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from kenes.press import queries, seo
from kenes.press.models import Release, Tag

FEED_ITEMS = 50


class _Context:
    def __init__(self, language: str, tag: Tag | None) -> None:
        self.language, self.tag = language, tag


class NewsFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, language: str, slug: str = "") -> _Context:
        if language not in settings.LANGUAGES_COMPLETE:
            raise Http404("Not found")
        return _Context(language, queries.tag_or_404(slug) if slug else None)

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        with translation.override(kwargs.get("language", "en")):
            return super().__call__(request, *args, **kwargs)

    def title(self, obj: _Context) -> str:
        if obj.tag:
            return _("Kenes news: %(tag)s") % {"tag": obj.tag.name}
        return _("Kenes news")

    def link(self, obj: _Context) -> str:
        return reverse("news_tag", args=[obj.tag.slug]) if obj.tag else reverse("news_list")

    def feed_url(self, obj: _Context) -> str:
        if obj.tag:
            return seo.absolute(reverse("news_tag_feed", args=[obj.tag.slug, obj.language]))
        return seo.absolute(reverse("news_feed", args=[obj.language]))

    def subtitle(self, obj: _Context) -> str:
        return _("Releases of the press service of the Consultative Meetings of the Heads of State of Central Asia.")

    def items(self, obj: _Context) -> list[Release]:
        rows = queries.published()
        if obj.tag:
            rows = rows.filter(tags=obj.tag)
        return list(rows[:FEED_ITEMS])

    def _version(self, item: Release) -> Any:
        return queries.version_in(item, translation.get_language())

    def item_title(self, item: Release) -> str:
        return str(self._version(item).headline)

    def item_description(self, item: Release) -> str:
        return str(self._version(item).lead)

    def item_link(self, item: Release) -> str:
        return seo.release_url(item, self._version(item).language)

    def item_guid(self, item: Release) -> str:
        return f"tag:{settings.KENES_BASE_URL.split('://')[-1].split(':')[0]},2026:release:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Release) -> dt.datetime | None:
        return item.first_published_at

    def item_updateddate(self, item: Release) -> dt.datetime | None:
        return item.updated_at or item.first_published_at

    def item_categories(self, item: Release) -> list[str]:
        return [t.name for t in item.tags.all()]

    def item_author_name(self, item: Release) -> str:
        return item.source_outlet or _("Kenes press service")
