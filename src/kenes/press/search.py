"""Search of published releases, behind one function (``search``); drafts never appear.

On PostgreSQL: full text with the Russian or English configuration of the reader's language,
headline weighted A, lead B, body C, the query read by ``websearch_to_tsquery`` (quotes, ``or``,
``-word``), ranked. Elsewhere (the embedded SQLite): every word of the query must occur in the
casefolded headline, lead or body (``ReleaseVersion.search_text``), newest first; no stemming, so
an inflected form is found only on PostgreSQL.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from kenes.press.models import Release, ReleaseVersion
from kenes.press.queries import published

CONFIGS = {"ru": "russian", "en": "english"}


def search(query: str, language: str = "en") -> QuerySet[Release]:
    query = " ".join(query.split())[:200]
    base = published()
    if not query:
        return base
    if connection.vendor == "postgresql":
        return _postgres(base, query, CONFIGS.get(language, "simple"))
    words = query.casefold().split()
    versions = ReleaseVersion.objects.all()
    for word in words:
        versions = versions.filter(search_text__contains=word)
    return base.filter(pk__in=versions.values("release_id"))


def _postgres(base: QuerySet[Release], query: str, config: str) -> QuerySet[Release]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
    from django.db.models import Max, OuterRef, Subquery

    vector = (
        SearchVector("headline", weight="A", config=config)
        + SearchVector("lead", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )
    q = SearchQuery(query, search_type="websearch", config=config)
    ranked = (
        ReleaseVersion.objects.annotate(rank=SearchRank(vector, q))
        .filter(rank__gt=0, release_id=OuterRef("pk"))
        .values("release_id")
        .annotate(best=Max("rank"))
        .values("best")
    )
    return base.annotate(rank=Subquery(ranked[:1])).filter(rank__gt=0).order_by("-rank", "-first_published_at")
