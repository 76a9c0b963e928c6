"""Every change to a release: permission-checked, validated, one transaction, audited, published on
commit. Create and edit a draft, schedule it, publish it, correct it openly (with a change note).

A release's language versions share its id. The working language leads, as in the negotiated
texts (``kenes.texts.rules.stale_translations``): a change to it flags every other version out of
date; bringing a translation up to date flags nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kenes.access.policy import may_manage_releases, require_release
from kenes.audit import log as audit
from kenes.errors import ActionError, Conflict
from kenes.inputs import checked
from kenes.live.publish import publish_on_commit
from kenes.meetings.models import Document, Format, Meeting
from kenes.press import checks
from kenes.press.models import ChangeNote, Origin, Release, ReleaseKind, ReleaseStatus, ReleaseVersion, SourceKind, Tag
from kenes.texts.rules import stale_translations

MAX_HEADLINE = 300
MAX_LEAD = 2_000
MAX_BODY = 40_000
MAX_NOTE = 2_000
MAX_OUTLET = 200
MAX_URL = 500
MAX_SLUG = 120


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _too_long(n: int) -> str:
    return _("This is longer than %(max)d characters.") % {"max": n}


def require_manager(actor: Any, format_id: int | None) -> None:
    from django.core.exceptions import PermissionDenied

    if not may_manage_releases(actor, format_id):
        raise PermissionDenied(_("Only the secretariat may change releases."))


def _check_version(release: Release, expected_version: int | None) -> None:
    if expected_version is not None and release.version != expected_version:
        raise Conflict(_("Someone else changed this release since you opened it. Reload it and try again."))


def _clean_texts(headline: str, lead: str, body: str) -> tuple[str, str, str]:
    headline = checked(headline, field="headline", max_length=MAX_HEADLINE, too_long=_too_long(MAX_HEADLINE))
    if not headline:
        raise ActionError(_("A release needs a headline."), field="headline")
    lead = checked(lead, field="lead", max_length=MAX_LEAD, too_long=_too_long(MAX_LEAD))
    body = checked(body, field="body", max_length=MAX_BODY, too_long=_too_long(MAX_BODY))
    return headline, lead, body


def _clean_source(kind: str, outlet: str, url: str) -> tuple[str, str, str]:
    if kind not in SourceKind.values:
        raise ActionError(_("Unknown kind of source."), field="source_kind")
    outlet = checked(outlet, field="source_outlet", max_length=MAX_OUTLET, too_long=_too_long(MAX_OUTLET))
    url = checked(url, field="source_url", max_length=MAX_URL, too_long=_too_long(MAX_URL))
    if kind == SourceKind.REPORTED_BY and not outlet:
        raise ActionError(_("Name the outlet that reported it."), field="source_outlet")
    if url and not url.startswith(("https://", "http://")):
        raise ActionError(_("The outlet's link must start with https:// or http://."), field="source_url")
    if kind == SourceKind.PRESS_SERVICE:
        outlet, url = "", ""
    return kind, outlet, url


def _tags(slugs: list[str] | None) -> list[Tag]:
    if not slugs:
        return []
    found = {t.slug: t for t in Tag.objects.filter(slug__in=slugs)}
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise ActionError(_("Unknown tag: %(tag)s. Tags come from the managed vocabulary.") % {"tag": unknown[0]},
                          field="tags")  # fmt: skip
    return [found[s] for s in dict.fromkeys(slugs)]


def _unique_slug(base: str) -> str:
    stem = (slugify(base) or "release")[: MAX_SLUG - 8]
    slug, n = stem, 2
    while Release.objects.filter(slug=slug).exists():
        slug, n = f"{stem}-{n}", n + 1
    return slug


def _event(release: Release, verb: str) -> None:
    publish_on_commit("press", {"verb": verb, "release": release.pk})


def create_release(
    actor: Any,
    *,
    headline: str,
    lead: str = "",
    body: str = "",
    language: str = "ru",
    kind: str = ReleaseKind.PRESS_RELEASE,
    fmt: Format | None = None,
    meeting: Meeting | None = None,
    documents: list[Document] | None = None,
    texts: list[Any] | None = None,
    decisions: list[Any] | None = None,
    tags: list[str] | None = None,
    source_kind: str = SourceKind.PRESS_SERVICE,
    source_outlet: str = "",
    source_url: str = "",
    slug: str = "",
    sources: list[Any] | None = None,
    origin: str = Origin.SECRETARIAT,
    is_demo: bool = False,
) -> Release:
    """A new draft with its working-language version."""
    fmt = fmt or (meeting.format if meeting else None)
    require_manager(actor, fmt.pk if fmt else None)
    if kind not in ReleaseKind.values:
        raise ActionError(_("Unknown kind of release."), field="kind")
    if language not in languages():
        raise ActionError(_("Unknown language."), field="language")
    headline, lead, body = _clean_texts(headline, lead, body)
    source = _clean_source(source_kind, source_outlet, source_url)
    tag_rows = _tags(tags)
    slug = checked(slug, field="slug", max_length=MAX_SLUG) if slug else ""
    with transaction.atomic():
        release = Release.objects.create(
            slug=_unique_slug(slug or headline), kind=kind, working_language=language, format=fmt, meeting=meeting,
            source_kind=source[0], source_outlet=source[1], source_url=source[2], is_demo=is_demo, origin=origin,
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        ReleaseVersion.objects.create(release=release, language=language, headline=headline, lead=lead, body=body)
        release.tags.set(tag_rows)
        release.documents.set(documents or [])
        release.texts.set(texts or [])
        release.decisions.set(decisions or [])
        release.sources.set(sources or [])
        audit.record(actor, "release.created", release, kind=kind, language=language)
        _event(release, "release.created")
    return release


def _write_version(release: Release, language: str, headline: str, lead: str, body: str) -> bool:
    """Write one language version; True when anything changed."""
    if language not in languages():
        raise ActionError(_("Unknown language."), field="language")
    version = ReleaseVersion.objects.filter(release=release, language=language).first()
    if version is None:
        ReleaseVersion.objects.create(release=release, language=language, headline=headline, lead=lead, body=body)
        return True
    changed = (version.headline, version.lead, version.body) != (headline, lead, body)
    if not changed and not version.out_of_date:
        return False
    version.headline, version.lead, version.body, version.out_of_date = headline, lead, body, False
    version.save()
    others = [v.language for v in release.versions.exclude(pk=version.pk)]
    stale = stale_translations(language, release.working_language, others) if changed else []
    ReleaseVersion.objects.filter(release=release, language__in=stale).update(out_of_date=True)
    return True


def edit_release(
    actor: Any,
    release: Release,
    *,
    language: str,
    headline: str,
    lead: str = "",
    body: str = "",
    expected_version: int | None = None,
    kind: str | None = None,
    tags: list[str] | None = None,
    documents: list[Document] | None = None,
    source: tuple[str, str, str] | None = None,
) -> Release:
    """Change a draft or scheduled release (one language version, and optionally its links)."""
    require_release(actor, "edit", release)
    headline, lead, body = _clean_texts(headline, lead, body)
    if kind is not None and kind not in ReleaseKind.values:
        raise ActionError(_("Unknown kind of release."), field="kind")
    clean_source = _clean_source(*source) if source is not None else None
    tag_rows = _tags(tags) if tags is not None else None
    with transaction.atomic():
        current = Release.objects.select_for_update().get(pk=release.pk)
        _check_version(current, expected_version)
        if current.status not in (ReleaseStatus.DRAFT, ReleaseStatus.SCHEDULED):
            raise ActionError(_("A published release is changed by a correction, with a note."), field="status")
        _write_version(current, language, headline, lead, body)
        if kind is not None:
            current.kind = kind
        if clean_source is not None:
            current.source_kind, current.source_outlet, current.source_url = clean_source
        if tag_rows is not None:
            current.tags.set(tag_rows)
        if documents is not None:
            current.documents.set(documents)
        current.version += 1
        current.save()
        audit.record(actor, "release.edited", current, language=language, version=current.version)
        _event(current, "release.edited")
    return current


def _ready_to_publish(release: Release) -> None:
    if release.versions.filter(out_of_date=True).exists():
        raise ActionError(_("A language version is out of date: bring it up to date first."), field="language")
    problems = checks.publication_problems(release)
    if problems:
        raise ActionError(problems[0], field="links")


def schedule_release(actor: Any, release: Release, *, at: dt.datetime, expected_version: int | None = None) -> Release:
    require_release(actor, "edit", release)
    if timezone.is_naive(at):
        raise ActionError(_("Give the time with its time zone."), field="scheduled_for")
    if at <= timezone.now():
        raise ActionError(_("A scheduled time must lie ahead; publish now instead."), field="scheduled_for")
    with transaction.atomic():
        current = Release.objects.select_for_update().get(pk=release.pk)
        _check_version(current, expected_version)
        if current.status not in (ReleaseStatus.DRAFT, ReleaseStatus.SCHEDULED):
            raise ActionError(_("This release is already published."), field="status")
        _ready_to_publish(current)
        current.status, current.scheduled_for = ReleaseStatus.SCHEDULED, at
        current.version += 1
        current.save()
        audit.record(actor, "release.scheduled", current, at=at.isoformat())
        _event(current, "release.scheduled")
    return current


def publish_release(
    actor: Any, release: Release, *, expected_version: int | None = None, at: dt.datetime | None = None
) -> Release:
    """Publish now (``at`` only for an operator's import that dates a release from its facts)."""
    require_release(actor, "edit", release)
    with transaction.atomic():
        current = Release.objects.select_for_update().get(pk=release.pk)
        _check_version(current, expected_version)
        if current.status not in (ReleaseStatus.DRAFT, ReleaseStatus.SCHEDULED):
            raise ActionError(_("This release is already published."), field="status")
        _ready_to_publish(current)
        now = at if (at is not None and isinstance(actor, str)) else timezone.now()
        current.status, current.scheduled_for = ReleaseStatus.PUBLISHED, None
        current.first_published_at = current.updated_at = now
        current.version += 1
        current.save()
        audit.record(actor, "release.published", current)
        _event(current, "release.published")
    return current


def correct_release(
    actor: Any,
    release: Release,
    *,
    language: str,
    headline: str,
    lead: str = "",
    body: str = "",
    note: str,
    major: bool = False,
    expected_version: int | None = None,
) -> Release:
    """Change a published release openly: the note is shown on the page; a major one goes out in
    the next digest, a minor one does not."""
    require_release(actor, "edit", release)
    headline, lead, body = _clean_texts(headline, lead, body)
    note = checked(note, field="note", max_length=MAX_NOTE, too_long=_too_long(MAX_NOTE))
    if not note:
        raise ActionError(_("Say what was corrected: the note is published with the release."), field="note")
    with transaction.atomic():
        current = Release.objects.select_for_update().get(pk=release.pk)
        _check_version(current, expected_version)
        if not current.is_public:
            raise ActionError(_("Only a published release is corrected; edit the draft instead."), field="status")
        if not _write_version(current, language, headline, lead, body):
            raise ActionError(_("Nothing was changed."), field="body")
        problems = checks.publication_problems(current)
        if problems:
            raise ActionError(problems[0], field="links")
        ChangeNote.objects.create(release=current, note=note, major=major)
        current.status, current.updated_at = ReleaseStatus.CORRECTED, timezone.now()
        current.version += 1
        current.save()
        audit.record(actor, "release.corrected", current, language=language, major=major)
        _event(current, "release.corrected")
    return current


def publish_due(now: dt.datetime | None = None) -> int:
    """Publish every scheduled release whose time has come (the task queue runs this each minute)."""
    now = now or timezone.now()
    count = 0
    for release in Release.objects.filter(status=ReleaseStatus.SCHEDULED, scheduled_for__lte=now):
        try:
            publish_release("press_scheduler", release)
            count += 1
        except ActionError:
            continue  # something it links to is no longer public: it stays scheduled, unpublished
    return count
