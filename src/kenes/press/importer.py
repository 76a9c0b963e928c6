"""Releases of the reference data's held meetings, and the fictional demo releases.

A reference release is drafted from the loaded meeting's public facts (``draft_release_from``),
attributed "as reported by" the outlets of the meeting's sources (their host names, with the first
link) and published dated on the meeting's day. No outlet's wording is copied: the words are
Kenes's own sentences around the facts. Loading again leaves existing releases alone.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone

from kenes.access.policy import visible
from kenes.meetings.models import Meeting, MeetingStatus
from kenes.press import actions
from kenes.press.drafting import draft_release_from, format_tag
from kenes.press.models import Origin, Release, ReleaseKind, SourceKind

ACTOR = "load_press"


def _published_at(meeting: Meeting) -> dt.datetime:
    """Noon on the meeting's (last) day, in the venue's zone: the day the news is about."""
    day = meeting.end_date or meeting.start_sort or timezone.localdate()
    zone = zoneinfo.ZoneInfo(meeting.venue_timezone or "Asia/Almaty")
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=zone)


def reference_release(meeting: Meeting) -> Release | None:
    slug = f"ref-{meeting.code}".replace("_", "-").lower()
    if Release.objects.filter(slug=slug).exists():
        return None
    sources = list(meeting.sources.order_by("pk"))
    outlets = list(dict.fromkeys(s.title for s in sources))
    first_url = next((u.strip() for s in sources for u in s.urls.replace(";", "\n").split() if u.strip()), "")
    with transaction.atomic():
        release = draft_release_from(
            ACTOR, meeting, slug=slug, kind=ReleaseKind.NEWS, origin=Origin.REFERENCE, sources=sources,
            source_kind=SourceKind.REPORTED_BY if outlets else SourceKind.PRESS_SERVICE,
            source_outlet=", ".join(outlets)[: actions.MAX_OUTLET], source_url=first_url[: actions.MAX_URL],
        )  # fmt: skip
        return actions.publish_release(ACTOR, release, at=_published_at(meeting))


def load_reference_releases() -> int:
    """A published release for every public held meeting of the reference data that has none."""
    held = visible(None, Meeting.objects.filter(status=MeetingStatus.HELD, is_demo=False))
    created = 0
    for meeting in held.select_related("format", "country", "chair_state").order_by("start_sort", "code"):
        if reference_release(meeting) is not None:
            created += 1
    return created


DEMO = (
    {
        "slug": "demo-water-forum-statement",
        "ru": ("ДЕМО: Секретариат объявляет открытый форум по водным ресурсам (вымышленно)",
               "Вымышленное сообщение для демонстрации: секретариат приглашает экспертов на открытый форум.",
               "Это демонстрационный материал. Форум, даты и участники выдуманы."),
        "en": ("DEMO: Secretariat announces an open forum on water (fictional)",
               "A fictional release for the demo: the secretariat invites experts to an open forum.",
               "This is demo material. The forum, its dates and its participants are invented."),
        "publish": True,
    },
    {
        "slug": "demo-draft-transport-note",
        "ru": ("ДЕМО: черновик о транспортном коридоре (вымышленно)", "Черновик, видимый только секретариату.",
               "Демонстрационный черновик."),
        "en": ("DEMO: draft on a transport corridor (fictional)", "A draft only the secretariat sees.",
               "A demo draft."),
        "publish": False,
    },
)  # fmt: skip


def load_demo_releases() -> int:
    from kenes.meetings.models import Format

    fmt = Format.objects.get(code="ca_foreign_ministers")
    tag = format_tag(fmt)
    created = 0
    for spec in DEMO:
        if Release.objects.filter(slug=spec["slug"]).exists():
            continue
        ru: Any = spec["ru"]
        en: Any = spec["en"]
        with transaction.atomic():
            release = actions.create_release(
                ACTOR, headline=ru[0], lead=ru[1], body=ru[2], language="ru", kind=ReleaseKind.STATEMENT, fmt=fmt,
                tags=[tag.slug], slug=str(spec["slug"]), is_demo=True,
            )  # fmt: skip
            actions.edit_release(ACTOR, release, language="en", headline=en[0], lead=en[1], body=en[2])
            if spec["publish"]:
                actions.publish_release(ACTOR, release)
        created += 1
    return created
