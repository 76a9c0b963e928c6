"""What a release page tells machines: schema.org ``NewsArticle`` JSON-LD, Open Graph and
``article:*`` meta, hreflang alternates, and share links as plain URLs (no third-party script).

The JSON-LD goes into ``<script type="application/ld+json">``: a data block, which browsers never
run, so the strict CSP (``script-src 'self'``, no inline script) needs no nonce or hash for it.
``<``, ``>`` and ``&`` are escaped so no text in it can close the element.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from kenes.press.models import Release, ReleaseVersion, SourceKind

_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
OG_LOCALES = {"ru": "ru_RU", "en": "en_GB", "kk": "kk_KZ", "ky": "ky_KG", "tg": "tg_TJ", "tk": "tk_TM", "uz": "uz_UZ"}


def absolute(path: str) -> str:
    return settings.KENES_BASE_URL + path


def release_url(release: Release, language: str | None = None) -> str:
    if language:
        return absolute(reverse("release_detail_language", args=[release.slug, language]))
    return absolute(reverse("release_detail", args=[release.slug]))


def alternates(release: Release) -> list[tuple[str, str]]:
    """(hreflang, URL) for every language version, then x-default (the working language's page)."""
    rows = [(lang, release_url(release, lang)) for lang in release.language_list]
    return [*rows, ("x-default", release_url(release))]


def based_on(release: Release) -> list[str]:
    urls = [release.source_url] if release.source_kind == SourceKind.REPORTED_BY and release.source_url else []
    for source in release.sources.all():
        urls += [u.strip() for u in source.urls.replace(";", "\n").split() if u.strip()]
    if release.meeting_id and release.meeting is not None:
        urls.append(absolute(reverse("meeting_detail", args=[release.meeting.code])))
    return list(dict.fromkeys(urls))


def json_ld(release: Release, version: ReleaseVersion) -> dict[str, Any]:
    publisher = {"@type": "Organization", "name": "Kenes", "url": absolute("/")}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": version.headline[:110],
        "description": version.lead,
        "inLanguage": version.language,
        "url": release_url(release, version.language),
        "mainEntityOfPage": release_url(release, version.language),
        "datePublished": release.first_published_at.isoformat() if release.first_published_at else None,
        "dateModified": (release.updated_at or release.first_published_at).isoformat()
        if release.first_published_at
        else None,
        "author": publisher,
        "publisher": publisher,
        "keywords": [t.name for t in release.tags.all()],
        "isBasedOn": based_on(release),
    }
    if release.source_kind == SourceKind.REPORTED_BY and release.source_outlet:
        data["sourceOrganization"] = {"@type": "Organization", "name": release.source_outlet}
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def json_ld_script(data: dict[str, Any]) -> SafeString:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 (escaped above)


def share_links(url: str, title: str) -> list[tuple[str, str]]:
    """(name, URL) of plain share links: each service gets the address and title, nothing runs here."""
    return [
        ("E-mail", "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote)),
        ("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": title})),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{title} {url}"})),
        ("X", "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("VK", "https://vk.com/share.php?" + urlencode({"url": url, "title": title})),
    ]
