"""From an outcome to a draft in one action: ``draft_release_from(actor, meeting | text | decision)``.

The facts are read as the anonymous public reads them (``visible(None, …)``): only a public
meeting, its public documents and its public adopted texts enter a draft, so a members-only or
restricted paragraph never does. Publishing checks again (``press.checks``), for what a person
adds by hand afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kenes.access.policy import visible
from kenes.audit import log as audit
from kenes.errors import ActionError
from kenes.formats import long_date
from kenes.meetings.models import Adopted, Document, Format, Invitation, InvitationStatus, Meeting
from kenes.press import actions
from kenes.press.models import Release, ReleaseKind, SourceKind, Tag, TagKind
from kenes.states.dates import PartialDate
from kenes.states.models import State
from kenes.states.queries import members_on

DRAFT_LANGUAGES = ("ru", "en")


@dataclass
class Draft:
    """One language version as drafted, before it is saved."""

    headline: str
    lead: str
    body_lines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n\n".join(line for line in self.body_lines if line)


def _day_label(text: str) -> str:
    day = PartialDate.parse(text).as_date() if text and len(text) == 10 else None
    if day is not None:
        return long_date(day)
    return text or "?"


def _pdf_url(code: str) -> str:
    return settings.KENES_BASE_URL + reverse("text_pdf", args=[code])


def _public_texts(meeting: Meeting | None = None) -> Any:
    from kenes.texts.models import Text, TextStatus

    qs = Text.objects.filter(status=TextStatus.ADOPTED)
    if meeting is not None:
        qs = qs.filter(meeting=meeting)
    return visible(None, qs).order_by("pk")


def _text_paragraphs(text: Any, language: str) -> list[str]:
    from kenes.texts.models import UnitVersion

    rows = UnitVersion.objects.filter(unit__text=text, unit__removed=False, language=language).order_by("unit__order")
    contents = [v.content for v in rows if v.content and not v.out_of_date]
    if not contents and language != text.working_language:
        return _text_paragraphs(text, text.working_language)
    return contents


def _tag(slug: str, kind: str, name_en: str, name_ru: str = "") -> Tag:
    """A vocabulary entry named by the reference data (created on first use, audited by the caller)."""
    tag, created = Tag.objects.get_or_create(slug=slug[:80], defaults={"kind": kind, "name_en": name_en,
                                                                      "name_ru": name_ru})  # fmt: skip
    tag.created_now = created  # type: ignore[attr-defined]
    return tag


def format_tag(fmt: Format) -> Tag:
    return _tag(f"format-{fmt.code}".replace("_", "-"), TagKind.FORMAT, fmt.name_en, fmt.name_ru)


def state_tag(state: State) -> Tag:
    with translation.override("ru"):
        ru = state.name
    return _tag(f"state-{state.iso2.lower()}", TagKind.STATE, state.name_en, ru)


def person_tag(name: str) -> Tag:
    from django.utils.text import slugify

    return _tag(f"person-{slugify(name)}", TagKind.PERSON, name)


def topic_tag(kind: str) -> Tag:
    from kenes.meetings.models import DocumentKind

    label = DocumentKind(kind).label
    with translation.override("en"):
        en = str(label)
    with translation.override("ru"):
        ru = str(label)
    return _tag(f"topic-{kind}".replace("_", "-"), TagKind.TOPIC, en, ru)


def meeting_facts(meeting: Meeting) -> dict[str, Any]:
    """The public facts of a public meeting, as the anonymous reader sees them."""
    day = meeting.start_date
    members = list(members_on(meeting.format.mechanism_id, day).order_by("iso2")) if day else []
    guests = (Invitation.objects.filter(meeting=meeting, status=InvitationStatus.ACCEPTED)
              .select_related("state", "organisation").order_by("pk"))  # fmt: skip
    documents = visible(None, Document.objects.filter(meeting=meeting)).order_by("pk")
    return {
        "members": members,
        "guests": list(guests),
        "adopted": [d for d in documents if d.adopted == Adopted.YES],
        "documents": list(documents),
        "texts": list(_public_texts(meeting)),
    }


def _meeting_draft(meeting: Meeting, facts: dict[str, Any], language: str) -> Draft:
    with translation.override(language):
        where = ", ".join(p for p in (meeting.city_en, meeting.country.name if meeting.country else "") if p)
        title = meeting.display_title
        when = _day_label(meeting.start_text)
        headline = _("%(title)s: %(when)s") % {"title": title, "when": when}
        if where:
            lead = _("The meeting “%(title)s” took place on %(when)s in %(where)s.") % {
                "title": title, "when": when, "where": where}  # fmt: skip
        else:
            lead = _("The meeting “%(title)s” took place on %(when)s.") % {"title": title, "when": when}
        lines: list[str] = []
        if meeting.chair_person or meeting.chair_state:
            chair = " ".join(p for p in (meeting.chair_person, f"({meeting.chair_state.name})"
                                         if meeting.chair_state else "") if p)  # fmt: skip
            lines.append(_("Chair: %(chair)s.") % {"chair": chair})
        if facts["members"]:
            lines.append(_("Member states: %(states)s.") % {"states": ", ".join(s.name for s in facts["members"])})
        if facts["guests"]:
            names = [
                " ".join(
                    p for p in ((g.state.name if g.state else g.organisation.code), g.person and f"({g.person})") if p
                )
                for g in facts["guests"]
            ]
            lines.append(_("Guests: %(guests)s.") % {"guests": ", ".join(names)})
        if facts["adopted"]:
            lines.append(_("Documents adopted:"))
            lines.extend(f"— {d.title_en} ({d.get_kind_display()})" for d in facts["adopted"])
        for text in facts["texts"]:
            lines.append(
                _("Adopted text: %(title)s (PDF: %(url)s)") % {"title": text.title, "url": _pdf_url(text.code)}
            )
            lines.extend(_text_paragraphs(text, language))
        return Draft(headline=headline[: actions.MAX_HEADLINE], lead=lead, body_lines=lines)


def _text_draft(text: Any, language: str, unit_content: str | None = None) -> Draft:
    with translation.override(language):
        when = _day_label(text.adopted_at.date().isoformat()) if text.adopted_at else "?"
        if unit_content is not None:
            headline = _("Decision: %(title)s") % {"title": text.title}
            lead = _("A decision of “%(title)s”, adopted on %(when)s.") % {"title": text.title, "when": when}
            lines = [unit_content]
        else:
            headline = _("Adopted: %(title)s") % {"title": text.title}
            lead = _("“%(title)s” was adopted on %(when)s.") % {"title": text.title, "when": when}
            lines = _text_paragraphs(text, language)
        lines.append(_("Full text (PDF): %(url)s") % {"url": _pdf_url(text.code)})
        return Draft(headline=headline[: actions.MAX_HEADLINE], lead=lead, body_lines=lines)


def _working_language(fmt: Format) -> str:
    codes = [c for c in fmt.working_languages.split(";") if c in DRAFT_LANGUAGES]
    return codes[0] if codes else "ru"


def draft_release_from(actor: Any, source: Any, **create: Any) -> Release:
    """A draft release, in Russian and English, from a public meeting, adopted text or decision.
    ``create`` goes to ``actions.create_release`` (kind, attribution, sources, slug, is_demo)."""
    fmt = getattr(source, "format", None) or getattr(getattr(source, "text", None), "format", None)
    actions.require_manager(actor, fmt.pk if fmt else None)
    with transaction.atomic():
        return _draft(actor, source, create)


def _draft(actor: Any, source: Any, create: dict[str, Any]) -> Release:
    from kenes.decisions.models import Decision
    from kenes.texts.models import Text, TextStatus

    not_public = _("A release is drafted from public facts only: this is not public.")
    tags: list[Tag] = []
    documents: list[Document] = []
    meeting: Meeting | None
    if isinstance(source, Meeting):
        if not visible(None, Meeting.objects.filter(pk=source.pk)).exists():
            raise ActionError(not_public, field="source")
        meeting, fmt = source, source.format
        facts = meeting_facts(meeting)
        drafts = {lang: _meeting_draft(meeting, facts, lang) for lang in DRAFT_LANGUAGES}
        documents = facts["documents"]
        tags += [state_tag(s) for s in (meeting.chair_state, meeting.country) if s]
        tags += [person_tag(meeting.chair_person)] if meeting.chair_person else []
        tags += [topic_tag(d.kind) for d in facts["adopted"]]
        texts, decisions = facts["texts"], []
    elif isinstance(source, Text | Decision):
        text = source.text if isinstance(source, Decision) else source
        if text.status != TextStatus.ADOPTED or not visible(None, Text.objects.filter(pk=text.pk)).exists():
            raise ActionError(not_public, field="source")
        meeting, fmt = text.meeting, text.format
        if isinstance(source, Decision):
            drafts = {}
            for lang in DRAFT_LANGUAGES:
                version = source.unit.versions.filter(language=lang).first()
                content = version.content if version and version.content else ""
                drafts[lang] = _text_draft(text, lang, content or source.unit.versions.get(
                    language=text.working_language).content)  # fmt: skip
            decisions = [source]
        else:
            drafts = {lang: _text_draft(text, lang) for lang in DRAFT_LANGUAGES}
            decisions = []
        texts = [text]
        tags.append(topic_tag(text.kind) if text.kind in _document_kinds() else format_tag(fmt))
    else:
        raise ActionError(_("A release is drafted from a meeting, an adopted text or a decision."), field="source")
    tags.insert(0, format_tag(fmt))
    for tag in dict.fromkeys(tags):
        if getattr(tag, "created_now", False):
            audit.record(actor, "tag.created", tag, slug=tag.slug, kind=tag.kind)
    language = _working_language(fmt)
    first = drafts[language]
    create.setdefault("kind", ReleaseKind.PRESS_RELEASE)
    create.setdefault("source_kind", SourceKind.PRESS_SERVICE)
    release = actions.create_release(
        actor, headline=first.headline, lead=first.lead, body=first.body, language=language, fmt=fmt,
        meeting=meeting, documents=documents, tags=[t.slug for t in dict.fromkeys(tags)], texts=texts,
        decisions=decisions, **create,
    )  # fmt: skip
    for lang, draft in drafts.items():
        if lang != language:
            actions.edit_release(actor, release, language=lang, headline=draft.headline, lead=draft.lead,
                                 body=draft.body)  # fmt: skip
    return Release.objects.get(pk=release.pk)


def _document_kinds() -> set[str]:
    from kenes.meetings.models import DocumentKind

    return set(DocumentKind.values)
