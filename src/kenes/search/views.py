"""The search page: the header's box leads here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kenes.access.levels import Classification, levels_up_to
from kenes.access.policy import effective_clearance
from kenes.errors import ActionError
from kenes.meetings.models import Format
from kenes.search.engine import Filters, filters_from, search
from kenes.search.index import KINDS


def search_page(request: HttpRequest) -> HttpResponse:
    query = str(request.GET.get("q", ""))
    error, status = "", 200
    try:
        filters = filters_from(request.GET)
    except ActionError as exc:
        filters, error, status = Filters(), exc.message, 400
    results = search(request.user, query, filters) if not error else None
    tabs, rows = [], []
    if results:
        base = {k: v for k, v in (("q", query), ("format", filters.format_code), ("year", filters.year)) if v}
        tabs = [
            (name, kind.label, results.counts[name], "?" + urlencode({**base, "kind": name}))
            for name, kind in KINDS.items()
            if results.counts.get(name)
        ]
        rows = [(hit, KINDS[hit.kind].label) for hit in results.hits]
    levels = levels_up_to(effective_clearance(request.user))
    context = {
        "query": query,
        "filters": filters,
        "results": results,
        "error": error,
        "kinds": [(name, kind.label) for name, kind in KINDS.items()],
        "tabs": tabs,
        "rows": rows,
        "formats": Format.objects.filter(code__in=results.formats) if results else Format.objects.none(),
        "classifications": [(value, label) for value, label in Classification.choices if value in levels],
    }
    return render(request, "search/search.html", context, status=status)
