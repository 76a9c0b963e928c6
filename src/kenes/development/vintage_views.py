"""Pages of the data imports: the upload form with the runs so far, a run's progress (polled by
HTMX while the task imports; reloaded by hand without JavaScript) and, once done, what changed.

The secretariat's pages: others get Django's 403, the anonymous the sign-in. The one write,
queueing an upload, is ``vintages.queue_import``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from kenes.development import vintages
from kenes.development.models import ImportRun
from kenes.development.permissions import require_import_data
from kenes.errors import ActionError

RECENT = 20


def run_context(run: ImportRun) -> dict[str, Any]:
    """A run as its page and fragment show it, the error in the reader's language."""
    examples = [e for f in run.files for e in f.get("examples", [])]
    counted = run.total("added") + run.total("changed") + run.total("removed")
    return {"run": run, "error": run.shown_error(), "examples": examples, "more": max(counted - len(examples), 0)}


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    require_import_data(request.user)
    error: ActionError | None = None
    if request.method == "POST":
        try:
            run = vintages.queue_import(
                request.user, request.FILES.get("archive"), prune=request.POST.get("prune") == "on"
            )
        except ActionError as exc:
            error = exc
        else:
            return redirect("development_import", pk=run.pk)
    runs = ImportRun.objects.select_related("created_by")[:RECENT]
    context = {
        "runs": runs,
        "error": error,
        "max_mb": vintages.MAX_ARCHIVE_MB,
        "prune": request.POST.get("prune") == "on",
    }
    return render(request, "development/imports.html", context, status=error.status if error else 200)


@login_required
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    require_import_data(request.user)
    run = get_object_or_404(ImportRun.objects.select_related("created_by"), pk=pk)
    template = "development/_import_run.html" if request.htmx else "development/import_run.html"  # type: ignore[attr-defined]
    return render(request, template, run_context(run))
