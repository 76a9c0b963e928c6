"""What publishing checks: everything a release links to is public, and no paragraph of non-public
material stands in its words, even pasted by hand.

Public means what ``kenes.access.policy.visible`` shows an anonymous reader, so the press service
has no classification rule of its own. The paste check compares normalised paragraphs of at least
``MIN_CHARS`` characters: a short common phrase ("The parties agreed") is no leak.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from kenes.access.policy import visible
from kenes.meetings.models import Document, Meeting
from kenes.press.models import Release

MIN_CHARS = 40
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def paragraphs(text: str) -> Iterator[str]:
    for part in re.split(r"\n\s*\n|\n", text or ""):
        norm = normalise(part)
        if len(norm) >= MIN_CHARS:
            yield norm


def _non_public_paragraphs() -> Iterator[str]:
    """Every paragraph of material an anonymous reader may not see."""
    from kenes.security.models import ThreatReport
    from kenes.texts.models import Text, UnitVersion

    public_texts = visible(None, Text.objects.all()).values("pk")
    for content in UnitVersion.objects.exclude(unit__text__in=public_texts).values_list("content", flat=True):
        yield from paragraphs(content)
    public_docs = visible(None, Document.objects.all()).values("pk")
    for body in Document.objects.exclude(pk__in=public_docs).exclude(body="").values_list("body", flat=True):
        yield from paragraphs(body)
    for summary, details in ThreatReport.objects.values_list("summary", "details"):
        yield from paragraphs(summary)
        yield from paragraphs(details)


def leaked(texts: Iterable[str]) -> bool:
    """Does any non-public paragraph appear in ``texts``?"""
    haystack = " \n ".join(normalise(t) for t in texts if t)
    if not haystack:
        return False
    return any(paragraph in haystack for paragraph in _non_public_paragraphs())


def publication_problems(release: Release) -> list[str]:
    """Why ``release`` may not be public, in the reader's language; empty when it may."""
    from kenes.texts.models import Text

    problems: list[str] = []
    if release.meeting_id and not visible(None, Meeting.objects.filter(pk=release.meeting_id)).exists():
        problems.append(_("The meeting this release is about is not public."))
    documents = release.documents.all()
    if documents.exclude(pk__in=visible(None, Document.objects.all()).values("pk")).exists():
        problems.append(_("The release links to a document that is not public."))
    public_texts = visible(None, Text.objects.all()).values("pk")
    if release.texts.exclude(pk__in=public_texts).exists():
        problems.append(_("The release links to a text that is not public."))
    if release.decisions.exclude(text__in=public_texts).exists():
        problems.append(_("The release links to a decision of a text that is not public."))
    words = [w for v in release.versions.all() for w in (v.headline, v.lead, v.body)]
    if leaked(words):
        problems.append(_("The release quotes material that is not public. Remove the paragraph before publishing."))
    return problems
