"""Releases of the reference data's held meetings: published, dated on the day, attributed to the
sources' outlets, built from facts only; the demo releases fictional and marked."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from kenes.meetings.models import Meeting
from kenes.press.models import Origin, Release, ReleaseStatus, SourceKind

pytestmark = pytest.mark.django_db


def test_every_held_meeting_gets_a_release_once(db: Any) -> None:
    call_command("load_press", verbosity=0)
    held = Meeting.objects.filter(status="held", is_demo=False, classification="public")
    refs = Release.objects.filter(origin=Origin.REFERENCE)
    assert refs.count() == held.count() > 20
    assert all(r.status == ReleaseStatus.PUBLISHED for r in refs)
    call_command("load_press", verbosity=0)  # again: nothing new
    assert Release.objects.filter(origin=Origin.REFERENCE).count() == held.count()

    iv = Release.objects.get(meeting__code="ca_heads_of_state-IV")
    assert iv.first_published_at.date().isoformat() == "2022-07-21"
    assert iv.source_kind == SourceKind.REPORTED_BY
    outlets = set(iv.meeting.sources.values_list("title", flat=True))
    assert outlets and all(o in iv.source_outlet for o in outlets)
    assert set(iv.sources.all()) == set(iv.meeting.sources.all())
    # Facts only: no sentence of a meeting's research note (the sources' paraphrase) is copied.
    v = Meeting.objects.get(code="ca_heads_of_state-V")
    body = Release.objects.get(meeting=v).versions.get(language="en").body
    assert "Imnadze" in body and v.note[:60] not in body


def test_demo_releases_are_marked(db: Any) -> None:
    call_command("load_press", verbosity=0)
    demo = Release.objects.filter(is_demo=True)
    assert demo.count() == 2
    for release in demo:
        for version in release.versions.all():
            assert version.headline.startswith(("DEMO", "ДЕМО"))
    assert demo.filter(status=ReleaseStatus.DRAFT).count() == 1
