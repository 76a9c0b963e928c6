"""The search behind the header's box and ``GET /api/v1/search``: one function, ``search``.

The index (``search.models.Entry``) proposes candidates ranked by relevance: on PostgreSQL full
text in each row's own configuration (Russian, English, simple) plus trigram similarity of titles
(names typed approximately); on the embedded SQLite the FTS5 index of migration 0002, every word a
quoted prefix, ranked by BM25. Then, kind by kind, only the objects the access policy lets the
reader see are kept; results, counts, snippets and the filters' choices are computed from those
alone, so a hidden object is never shown, counted or hinted at.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from kenes.search.index import KINDS
from kenes.search.models import Entry

MAX_QUERY = 200
CANDIDATES = 400  # rows proposed by the index before the policy filters them
SNIPPET = 160


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    format_code: str = ""
    year: int | None = None
    classification: str = ""


@dataclass
class Hit:
    kind: str
    object_id: int
    title: str
    snippet: str
    marks: list[tuple[int, int]]  # [start, end) of the query's words in ``snippet``
    url: str
    language: str
    updated: dt.datetime
    score: float

    @property
    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is a query word) pieces, for the page to mark without HTML in data."""
        pieces, at = [], 0
        for start, end in self.marks:
            if start > at:
                pieces.append((self.snippet[at:start], False))
            pieces.append((self.snippet[start:end], True))
            at = end
        if at < len(self.snippet):
            pieces.append((self.snippet[at:], False))
        return pieces


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # per kind, before the kind filter
    formats: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.hits)


def normalise(query: str) -> str:
    return " ".join(query.split())[:MAX_QUERY]


def words(query: str) -> list[str]:
    return [w for w in re.findall(r"\w+", query.casefold()) if w]


def search(account: Any, query: str, filters: Filters | None = None, *, limit: int = 50) -> Results:
    filters = filters or Filters()
    query = normalise(query)
    results = Results(query=query)
    if not words(query):
        return results
    candidates = _candidates(query, filters)
    allowed = _readable(account, candidates)
    best: dict[tuple[str, int], tuple[Entry, float]] = {}
    reader = (get_language() or "ru")[:2]
    for entry, score in candidates:
        key = (entry.kind, entry.object_id)
        if key not in allowed:
            continue
        current = best.get(key)
        # One hit per object: the best row, the reader's language when it scores as well.
        if current is None or score > current[1] or (score == current[1] and entry.language == reader):
            best[key] = (entry, score)
    found = list(best.values())
    counts: dict[str, int] = defaultdict(int)
    for entry, _ in found:
        counts[entry.kind] += 1
    results.counts = dict(counts)
    results.formats = sorted({e.format_code for e, _ in found if e.format_code})
    results.years = sorted({e.year for e, _ in found if e.year}, reverse=True)
    if filters.kind:
        found = [(e, score) for e, score in found if e.kind == filters.kind]
    ranked = sorted(((_ranked(e, score), e) for e, score in found), key=lambda p: (p[0], p[1].updated_at), reverse=True)
    shown = ranked[:limit]
    # The bodies, for the snippets, only of the rows shown.
    bodies = dict(Entry.objects.filter(pk__in=[e.pk for _, e in shown]).values_list("pk", "body"))
    results.hits = [_hit(e, score, bodies.get(e.pk, ""), query) for score, e in shown]
    return results


def _ranked(entry: Entry, score: float) -> float:
    age_days = max((timezone.now() - entry.updated_at).days, 0)
    # Recency breaks near-ties: a year-old object needs about a tenth more relevance to rank first.
    recency = 1.0 / (1.0 + age_days / 365)
    return round(score * (0.9 + 0.1 * recency), 6)


def _filtered(filters: Filters) -> Any:
    qs = Entry.objects.defer("body")
    if filters.format_code:
        qs = qs.filter(format_code=filters.format_code)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.classification:
        qs = qs.filter(classification=filters.classification)
    return qs


def _candidates(query: str, filters: Filters) -> list[tuple[Entry, float]]:
    """Index rows matching ``query`` with a relevance score in [0, 1], best first."""
    qs = _filtered(filters)
    if connection.vendor == "postgresql":
        return _postgres(qs, query)
    return _sqlite(qs, query)


def fts5_match(query: str) -> str:
    """An FTS5 query for the reader's words: each a quoted prefix, so nothing typed is FTS5 syntax."""
    return " ".join('"' + word.replace('"', '""') + '"*' for word in query.split())


def _sqlite(qs: Any, query: str) -> list[tuple[Entry, float]]:
    match = fts5_match(query)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, bm25(search_entry_fts, 10.0, 1.0) FROM search_entry_fts"
            " WHERE search_entry_fts MATCH %s ORDER BY 2 LIMIT %s",
            [match, CANDIDATES * 2],
        )
        ranked = cursor.fetchall()
    if not ranked:
        return []
    worst = max(-score for _, score in ranked) or 1.0
    scores = {pk: -score / worst for pk, score in ranked}  # bm25 is negative, more negative is better
    entries = qs.filter(pk__in=scores)
    return sorted(((e, scores[e.pk]) for e in entries), key=lambda pair: -pair[1])[:CANDIDATES]


def _postgres(qs: Any, query: str) -> list[tuple[Entry, float]]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector, TrigramWordSimilarity
    from django.db.models import F
    from django.db.models.functions import Greatest

    config = F("config")
    vector = SearchVector("title", weight="A", config=config) + SearchVector("body", weight="B", config=config)
    q = SearchQuery(query, search_type="websearch", config=config)
    rows = (
        qs.annotate(document=vector, rank=SearchRank(vector, q), similar=TrigramWordSimilarity(query, "title"))
        # Matched with @@ (ts_rank is above zero even where nothing matches) or a close name.
        .filter(Q(document=q) | Q(similar__gte=0.5))
        .annotate(score=Greatest(F("rank"), F("similar") * 0.5))
        .order_by("-score")[:CANDIDATES]
    )
    entries = list(rows)
    top = max((float(e.score) for e in entries), default=1.0) or 1.0
    return [(e, float(e.score) / top) for e in entries]


def _readable(account: Any, candidates: list[tuple[Entry, float]]) -> set[tuple[str, int]]:
    """The candidates ``account`` may read, as (kind, id): one query per kind found."""
    ids: dict[str, set[int]] = defaultdict(set)
    for entry, _ in candidates:
        ids[entry.kind].add(entry.object_id)
    allowed: set[tuple[str, int]] = set()
    for name, pks in ids.items():
        kind = KINDS.get(name)
        if kind is None:
            continue
        qs = kind.readable(account, kind.model()._default_manager.filter(pk__in=pks))
        allowed.update((name, pk) for pk in qs.values_list("pk", flat=True))
    return allowed


def _hit(entry: Entry, score: float, body: str, query: str) -> Hit:
    snippet, marks = highlight(body or entry.title, words(query))
    return Hit(
        kind=entry.kind, object_id=entry.object_id, title=entry.title, snippet=snippet, marks=marks, url=entry.url,
        language=entry.language, updated=entry.updated_at, score=score,
    )  # fmt: skip


def highlight(text: str, terms: list[str], width: int = SNIPPET) -> tuple[str, list[tuple[int, int]]]:
    """A window of ``text`` around the first query word it contains, and where the words are in it.

    A word matches as a prefix, as the index does (``министр`` marks ``министры``)."""
    flat = " ".join(text.split())
    if not terms:
        return flat[:width], []
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")\w*",
                         re.IGNORECASE)  # fmt: skip
    first = pattern.search(flat)
    start = max(0, (first.start() if first else 0) - width // 3)
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    window = flat[start : start + width]
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(flat) else ""
    snippet = prefix + window + suffix
    marks = [(m.start(), m.end()) for m in pattern.finditer(snippet)]
    return snippet, marks


def filters_from(data: Any) -> Filters:
    """The filters of a page's or the API's query string; bad values are refused, naming the field."""
    from django.utils.translation import gettext as _

    from kenes.access.levels import Classification
    from kenes.errors import ActionError

    kind = str(data.get("kind") or "")
    if kind and kind not in KINDS:
        raise ActionError(_("Choose a kind of result from the list."), field="kind")
    year_text = str(data.get("year") or "")
    year = None
    if year_text:
        if not (year_text.isascii() and year_text.isdigit() and 1900 <= int(year_text) <= 2200):
            raise ActionError(_("The year is a number of four digits."), field="year")
        year = int(year_text)
    classification = str(data.get("classification") or "")
    if classification and classification not in Classification.values:
        raise ActionError(_("Choose a classification from the list."), field="classification")
    format_code = str(data.get("format") or "")[:64]
    return Filters(kind=kind, format_code=format_code, year=year, classification=classification)
