"""Public pages of the press service: /news/, a release, tag pages, the sitemap.

Thin views: load through ``press.queries`` (the access policy; a draft does not exist for the
public: 404), render. Bad filter input is a 400 with the message in the reader's language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language

from kenes.errors import ActionError
from kenes.press import queries, search, seo
from kenes.press.models import Release

PER_PAGE = 20


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _item(release: Release, language: str) -> dict[str, Any]:
    version = queries.version_in(release, language)
    return {"release": release, "version": version, "url": reverse("release_detail", args=[release.slug])}


def _feeds(tag: str = "") -> list[dict[str, str]]:
    from django.conf import settings

    out = []
    for code in settings.LANGUAGES_COMPLETE:
        path = reverse("news_tag_feed", args=[tag, code]) if tag else reverse("news_feed", args=[code])
        out.append({"language": code, "url": path})
    return out


def news_list(request: HttpRequest) -> HttpResponse:
    language = _language()
    status = 200
    error: ActionError | None = None
    try:
        filters = queries.Filters.from_query(request.GET)
    except ActionError as exc:
        filters, error, status = queries.Filters(), exc, 400
    q = (request.GET.get("q") or "").strip()[:200]
    rows = search.search(q, language) if q else queries.published()
    page = Paginator(filters.apply(rows), PER_PAGE).get_page(request.GET.get("page"))
    query = filters.as_query() | ({"q": q} if q else {})
    context = {
        "items": [_item(r, language) for r in page.object_list],
        "page": page,
        "filters": filters,
        "choices": queries.filter_choices(),
        "popular": queries.popular_tags(),
        "q": q,
        "error": error,
        "query": urlencode(query),
        "feeds": _feeds(),
    }
    return render(request, "press/news_list.html", context, status=status)


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = queries.tag_or_404(slug)
    language = _language()
    page = Paginator(queries.published().filter(tags=tag), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "tag": tag,
        "items": [_item(r, language) for r in page.object_list],
        "page": page,
        "popular": queries.popular_tags(),
        "feeds": _feeds(tag.slug),
    }
    return render(request, "press/tag_detail.html", context)


def _render_release(request: HttpRequest, release: Release, language: str) -> HttpResponse:
    version = queries.version_in(release, language)
    queries.record_read(release)
    url = seo.release_url(release, version.language)
    context = {
        "release": release,
        "version": version,
        "versions": [queries.version_in(release, lang) for lang in release.language_list],
        "canonical": url,
        "alternates": seo.alternates(release) if release.is_public else [],
        "og_locale": seo.OG_LOCALES.get(version.language, version.language),
        "og_alternates": [seo.OG_LOCALES.get(lang, lang) for lang in release.language_list if lang != version.language],
        "json_ld": seo.json_ld_script(seo.json_ld(release, version)) if release.is_public else "",
        "share": seo.share_links(url, version.headline) if release.is_public else [],
        "based_on": seo.based_on(release),
        "popular": queries.popular_tags(),
        "feeds": _feeds(),
    }
    return render(request, "press/release_detail.html", context)


def release_detail(request: HttpRequest, slug: str) -> HttpResponse:
    release = queries.release_for(request.user, slug)
    return _render_release(request, release, _language())


def release_detail_language(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """One language version at its own address (hreflang), the whole page in that language."""
    release = queries.release_for(request.user, slug)
    if language not in release.language_list:
        raise Http404("Not found")
    with translation.override(language):
        response = _render_release(request, release, language)
    response["Content-Language"] = language
    return response


def sitemap(request: HttpRequest) -> HttpResponse:
    """Every public release with its language alternates (xhtml:link), and /news/."""
    rows = queries.published()
    context = {
        "news": seo.absolute(reverse("news_list")),
        "entries": [{"release": r, "loc": seo.release_url(r), "alternates": seo.alternates(r)} for r in rows],
    }
    return render(request, "press/sitemap.xml", context, content_type="application/xml; charset=utf-8")
