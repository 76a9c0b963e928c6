"""The PDF export of a text, as a download."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from kenes.errors import ActionError
from kenes.texts import exports, pdf, queries
from kenes.texts.models import Text


def pdf_response(text: Text, data: bytes, languages: list[str]) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", f"{text.code}-v{text.version}-{'-'.join(languages)}.pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def text_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """``?language=xx`` (the working language by default) or ``?languages=ru,en`` side by side.
    A text the reader may not see is a 404; an export of protected material is audited."""
    text = queries.text_for(request.user, code)
    try:
        languages = pdf.choose_languages(
            text, language=request.GET.get("language"), languages=request.GET.get("languages")
        )
    except ActionError as exc:
        return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")
    return pdf_response(text, exports.export_pdf(request.user, text, languages=languages), languages)
