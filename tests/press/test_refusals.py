"""Each refusal of the press desk's actions names its field, says why, and changes nothing: no
release row, version or audit event is written (the raises the coverage report found unreached)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kenes.press import actions
from kenes.press.models import Release, ReleaseVersion
from tests.refusing import refused

pytestmark = pytest.mark.django_db


def _draft(sec: Any) -> Release:
    return actions.create_release(sec, headline="Ministers meet (test)", lead="Lead (test).", body="Body (test).",
                                  language="ru")  # fmt: skip


def _published(sec: Any) -> Release:
    return actions.publish_release(sec, _draft(sec))


def test_an_unknown_kind_of_source_is_refused(sec: Any) -> None:
    refused(
        lambda: actions.create_release(sec, headline="ok", source_kind="gossip"),
        400, "Unknown kind of source.", field="source_kind", counts=[Release, ReleaseVersion],
    )  # fmt: skip


def test_an_edit_in_an_unknown_language_or_kind_is_refused(sec: Any) -> None:
    release = _draft(sec)
    refused(
        lambda: actions.edit_release(sec, release, language="xx", headline="ok"),
        400, "Unknown language.", field="language", watch=[release], counts=[ReleaseVersion],
    )  # fmt: skip
    refused(
        lambda: actions.edit_release(sec, release, language="ru", headline="ok", kind="rumour"),
        400, "Unknown kind of release.", field="kind", watch=[release], counts=[ReleaseVersion],
    )  # fmt: skip


def test_a_schedule_needs_a_zone_and_an_unpublished_release(sec: Any) -> None:
    release = _draft(sec)
    naive = dt.datetime.now() + dt.timedelta(hours=2)
    refused(
        lambda: actions.schedule_release(sec, release, at=naive),
        400, "Give the time with its time zone.", field="scheduled_for", watch=[release],
    )  # fmt: skip
    published = _published(sec)
    refused(
        lambda: actions.schedule_release(sec, published, at=timezone.now() + dt.timedelta(hours=2)),
        400, "This release is already published.", field="status", watch=[published],
    )  # fmt: skip


def test_a_correction_is_of_a_published_release_and_changes_something(sec: Any) -> None:
    draft = _draft(sec)
    refused(
        lambda: actions.correct_release(sec, draft, language="ru", headline="Corrected (test)", note="Fixed."),
        400, "Only a published release is corrected; edit the draft instead.", field="status",
        watch=[draft], counts=[ReleaseVersion],
    )  # fmt: skip
    published = _published(sec)
    same = published.versions.get(language="ru")
    refused(
        lambda: actions.correct_release(sec, published, language="ru", headline=same.headline, lead=same.lead,
                                        body=same.body, note="Nothing really."),
        400, "Nothing was changed.", field="body", watch=[published], counts=[ReleaseVersion],
    )  # fmt: skip
