"""Releases: drafts, language versions, statuses, corrections, the access rule, the audit trail, and
drafting from public facts only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from kenes.access.policy import may_manage_releases, visible_releases
from kenes.audit.models import AuditEvent
from kenes.errors import ActionError, Conflict
from kenes.meetings.models import Document, Meeting
from kenes.press import actions
from kenes.press.drafting import draft_release_from
from kenes.press.models import Release, ReleaseStatus, ReleaseVersion, Tag
from tests.conftest import verified
from tests.press.conftest import OPEN, SECRET

pytestmark = pytest.mark.django_db


def _draft(sec: Any, **extra: Any) -> Release:
    return actions.create_release(sec, headline="Ministers meet (test)", lead="Lead (test).", body="Body (test).",
                                  language="ru", **extra)  # fmt: skip


def test_draft_is_seen_by_the_secretariat_only(sec: Any, accounts: dict[str, Any]) -> None:
    release = _draft(sec)
    qs = Release.objects.filter(pk=release.pk)
    assert visible_releases(sec, qs).exists()
    assert not visible_releases(None, qs).exists()
    for name in ("kz", "uz", "kg", "ru"):
        assert not visible_releases(verified(accounts[name]), qs).exists(), name
    actions.publish_release(sec, release)
    assert visible_releases(None, qs).exists()


def test_only_the_secretariat_manages_releases(sec: Any, accounts: dict[str, Any]) -> None:
    kz = verified(accounts["kz"])
    assert may_manage_releases(sec) and not may_manage_releases(kz) and not may_manage_releases(None)
    with pytest.raises(PermissionDenied):
        actions.create_release(kz, headline="x")
    release = _draft(sec)
    with pytest.raises(Http404):  # a draft does not exist for a delegate
        actions.edit_release(kz, release, language="ru", headline="changed")
    actions.publish_release(sec, release)
    with pytest.raises(PermissionDenied):  # readable now, still not changeable
        actions.correct_release(kz, release, language="ru", headline="changed", note="n")
    # The secretariat's session before its second factor changes nothing.
    accounts["secretariat"].is_verified = lambda: False
    assert not may_manage_releases(accounts["secretariat"])


def test_working_language_change_flags_translations(sec: Any) -> None:
    release = _draft(sec)
    actions.edit_release(sec, release, language="en", headline="Ministers meet", lead="Lead.", body="Body.")
    en = ReleaseVersion.objects.get(release=release, language="en")
    assert not en.out_of_date
    actions.edit_release(sec, release, language="ru", headline="Министры встретились (тест)")
    en.refresh_from_db()
    assert en.out_of_date
    with pytest.raises(ActionError) as refused:
        actions.publish_release(sec, release)
    assert refused.value.field == "language"
    actions.edit_release(sec, release, language="en", headline="Ministers met")  # a translation flags nothing
    assert not ReleaseVersion.objects.filter(release=release, out_of_date=True).exists()
    assert Release.objects.get(pk=release.pk).language_list == ["ru", "en"]


def test_statuses_and_the_audit_trail(sec: Any) -> None:
    release = _draft(sec)
    with pytest.raises(ActionError):
        actions.schedule_release(sec, release, at=timezone.now() - dt.timedelta(hours=1))
    release = actions.schedule_release(sec, release, at=timezone.now() + dt.timedelta(hours=1))
    assert release.status == ReleaseStatus.SCHEDULED
    assert actions.publish_due(timezone.now()) == 0
    assert actions.publish_due(timezone.now() + dt.timedelta(hours=2)) == 1
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED and release.first_published_at
    with pytest.raises(ActionError):
        actions.edit_release(sec, release, language="ru", headline="quietly changed")
    with pytest.raises(ActionError) as no_note:
        actions.correct_release(sec, release, language="ru", headline="Corrected", note="")
    assert no_note.value.field == "note"
    release = actions.correct_release(sec, release, language="ru", headline="Corrected (test)", note="Date fixed.",
                                      major=True)  # fmt: skip
    assert release.status == ReleaseStatus.CORRECTED
    assert release.change_notes.get().major
    verbs = list(AuditEvent.objects.filter(target_type="press.release", target_id=str(release.pk))
                 .values_list("verb", flat=True))  # fmt: skip
    assert verbs == ["release.created", "release.scheduled", "release.published", "release.corrected"]


def test_stale_version_and_bad_input_are_refused(sec: Any) -> None:
    release = _draft(sec)
    with pytest.raises(Conflict):
        actions.edit_release(sec, release, language="ru", headline="x", expected_version=release.version + 1)
    for kwargs, field in (
        ({"headline": ""}, "headline"),
        ({"headline": "x" * 301}, "headline"),
        ({"headline": "ok", "tags": ["no-such-tag"]}, "tags"),
        ({"headline": "ok", "kind": "rumour"}, "kind"),
        ({"headline": "ok", "language": "xx"}, "language"),
        ({"headline": "ok", "source_kind": "reported_by"}, "source_outlet"),
        ({"headline": "ok", "source_kind": "reported_by", "source_outlet": "x", "source_url": "ftp://x"},
         "source_url"),
    ):  # fmt: skip
        with pytest.raises(ActionError) as refused:
            actions.create_release(sec, **kwargs)
        assert refused.value.field == field, kwargs


def test_reported_by_keeps_the_outlet(sec: Any) -> None:
    release = _draft(sec, source_kind="reported_by", source_outlet="kapital.kz", source_url="https://kapital.kz/x")
    assert (release.source_outlet, release.source_url) == ("kapital.kz", "https://kapital.kz/x")


# --- drafting from public facts --------------------------------------------------------------------


def test_draft_from_a_held_meeting(sec: Any, held_meeting: Meeting) -> None:
    release = draft_release_from(sec, held_meeting)
    ru = release.versions.get(language="ru")
    en = release.versions.get(language="en")
    assert "Cholpon-Ata" in en.lead and "Japarov" in en.body
    assert "21 July 2022" in en.lead and "21 июля 2022" in ru.lead
    assert "Kazakhstan" in en.body and "Казахстан" in ru.body  # the member states on the day
    assert release.status == ReleaseStatus.DRAFT and release.meeting == held_meeting
    adopted = set(Document.objects.filter(meeting=held_meeting, adopted="yes").values_list("title_en", flat=True))
    assert adopted and all(title in en.body for title in adopted)
    slugs = set(release.tags.values_list("slug", flat=True))
    assert {"format-ca-heads-of-state", "state-kg", "person-japarov"} <= slugs
    assert Tag.objects.get(slug="state-kg").name_ru == "Кыргызстан"


def test_a_members_only_paragraph_never_enters_a_draft(sec: Any, adopted_pair: dict[str, Any]) -> None:
    release = draft_release_from(sec, adopted_pair["meeting"])
    words = " ".join(f"{v.headline} {v.lead} {v.body}" for v in release.versions.all())
    assert OPEN in words
    assert SECRET not in words and adopted_pair["secret"].title not in words
    assert list(release.texts.all()) == [adopted_pair["public"]]
    with pytest.raises(ActionError):  # a members-only text is no source of a release
        draft_release_from(sec, adopted_pair["secret"])
    actions.publish_release(sec, release)


def test_publishing_refuses_a_pasted_members_only_paragraph(sec: Any, adopted_pair: dict[str, Any]) -> None:
    release = draft_release_from(sec, adopted_pair["public"])
    body = release.versions.get(language="ru").body
    for lang in ("ru", "en"):
        version = release.versions.get(language=lang)
        actions.edit_release(sec, release, language=lang, headline=version.headline, lead=version.lead,
                             body=f"{body}\n\n  {SECRET.upper()}  ")  # fmt: skip
    with pytest.raises(ActionError) as refused:
        actions.publish_release(sec, release)
    assert refused.value.field == "links"
    assert Release.objects.get(pk=release.pk).status == ReleaseStatus.DRAFT


def test_publishing_checks_the_classification_of_every_link(sec: Any, adopted_pair: dict[str, Any]) -> None:
    meeting = adopted_pair["meeting"]
    release = draft_release_from(sec, meeting)
    members_doc = Document.objects.filter(classification="members").first()
    assert members_doc is not None
    actions.edit_release(sec, release, language="ru", headline=release.versions.get(language="ru").headline,
                         documents=[members_doc])  # fmt: skip
    with pytest.raises(ActionError):
        actions.publish_release(sec, release)
    actions.edit_release(sec, release, language="ru", headline="ok", documents=[])
    actions.edit_release(sec, release, language="en", headline="ok")
    Meeting.objects.filter(pk=meeting.pk).update(classification="members")  # the meeting itself
    with pytest.raises(ActionError):
        actions.publish_release(sec, release)
    release.texts.set([adopted_pair["secret"]])
    Meeting.objects.filter(pk=meeting.pk).update(classification="public")
    with pytest.raises(ActionError):
        actions.publish_release(sec, release)
    release.texts.set([adopted_pair["public"]])
    assert actions.publish_release(sec, release).status == ReleaseStatus.PUBLISHED


def test_draft_from_a_decision(sec: Any, people: dict[str, Any], adopted_pair: dict[str, Any]) -> None:
    from kenes.decisions.actions import mark_decision

    text = adopted_pair["public"]
    decision = mark_decision(people["secretariat"], text, text.units.get())
    release = draft_release_from(sec, decision)
    assert OPEN in release.versions.get(language=text.working_language).body
    assert list(release.decisions.all()) == [decision]
