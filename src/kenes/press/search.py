"""Search of published releases, behind one function (``search``); drafts never appear.

On PostgreSQL: full text with the Russian or English configuration of the reader's language,
headline weighted A, lead B, body C, the query read by ``websearch_to_tsquery`` (quotes, ``or``,
``-word``), ranked. On the embedded SQLite: the FTS5 index of migration 0002 (case and diacritics folded),
every word of the query as a quoted prefix (so ``министр`` finds ``министры``; the reader's words
can never be read as FTS5 syntax), ranked by BM25 with the same weights; no stemming, so an
inflected form that is not a prefix (``министрами`` for ``министры``) is found only on PostgreSQL.
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
    return _sqlite(base, query)


def _sqlite(base: QuerySet[Release], query: str) -> QuerySet[Release]:
    from django.db.models import Case, IntegerField, Value, When

    from kenes.search.engine import fts5_match

    match = fts5_match(query)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.release_id FROM press_releaseversion_fts f JOIN press_releaseversion v ON v.id = f.rowid"
            " WHERE press_releaseversion_fts MATCH %s ORDER BY bm25(press_releaseversion_fts, 10.0, 5.0, 1.0)",
            [match],
        )
        order: list[int] = []
        for (release_id,) in cursor.fetchall():
            if release_id not in order:
                order.append(release_id)
    ranked = Case(*(When(pk=pk, then=Value(i)) for i, pk in enumerate(order)), output_field=IntegerField())
    found = base.filter(pk__in=order)
    return found.annotate(rank=ranked).order_by("rank", "-first_published_at") if order else found


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
        # Matched with @@: ts_rank is above zero (1e-20) even where nothing matches.
        ReleaseVersion.objects.annotate(document=vector, rank=SearchRank(vector, q))
        .filter(document=q, release_id=OuterRef("pk"))
        .values("release_id")
        .annotate(best=Max("rank"))
        .values("best")
    )
    return base.annotate(rank=Subquery(ranked[:1])).filter(rank__isnull=False).order_by("-rank", "-first_published_at")
