"""The weekly review: built per language and tag choice, sent in batches by the task queue.

``send_digest`` makes the week's ``Digest`` (one per Monday) and queues batches of subscriber ids;
``send_batch`` re-reads each subscriber (confirmed and not suppressed *now*, so an unsubscribe
that lands before the batch wins), writes the ``DigestDelivery`` row first (unique per digest and
subscriber: a retried batch skips whoever already has one), and hands the batch to one SMTP
connection. The HTML is rendered and its CSS inlined (css-inline) once per language and tag choice;
only the unsubscribe link differs from one subscriber to the next.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import css_inline
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kenes.formats import long_date
from kenes.press import queries, seo
from kenes.press.models import Digest, DigestDelivery, Release, Subscriber, SubscriberStatus, Suppression
from kenes.press.subscriptions import unsubscribe_url

BATCH = 500
_LINK = "https://unsubscribe.invalid/KENES-UNSUBSCRIBE"  # replaced per subscriber
_inliner = css_inline.CSSInliner(keep_style_tags=False)


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def releases_for_week(week: dt.date, tags: frozenset[str] = frozenset()) -> list[Release]:
    """Releases first published in the 7 days before ``week`` (a Monday), or majorly corrected then."""
    zone = timezone.get_current_timezone()
    until = dt.datetime.combine(week, dt.time(0), tzinfo=zone)
    since = until - dt.timedelta(days=7)
    window = Q(first_published_at__gte=since, first_published_at__lt=until) | Q(
        change_notes__major=True, change_notes__at__gte=since, change_notes__at__lt=until
    )
    rows: QuerySet[Release] = queries.published().filter(window)
    if tags:
        rows = rows.filter(tags__slug__in=tags)
    return list(rows.distinct())


def render(week: dt.date, language: str, tags: frozenset[str] = frozenset()) -> tuple[str, str, str] | None:
    """(subject, text, html) of the review in ``language``; None when there is nothing to send."""
    releases = releases_for_week(week, tags)
    if not releases:
        return None
    with translation.override(language):
        week_start = week - dt.timedelta(days=7)
        items = [
            {"release": r, "version": queries.version_in(r, language), "url": seo.release_url(r, language),
             "corrected": r.first_published_at is not None and r.first_published_at.date() < week_start}
            for r in releases
        ]  # fmt: skip
        context = {"items": items, "week": week, "unsubscribe": _LINK, "news": seo.absolute(reverse("news_list"))}
        subject = _("Kenes weekly review, week of %(day)s") % {"day": long_date(week)}
        text = render_to_string("press/mail/digest.txt", context)
        html = _inliner.inline(render_to_string("press/mail/digest.html", context))
    return subject, text, html


def eligible(digest: Digest) -> QuerySet[Subscriber]:
    """Confirmed, not suppressed, not yet sent this digest."""
    return (
        Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED)
        .exclude(email__in=Suppression.objects.values("email"))
        .exclude(pk__in=DigestDelivery.objects.filter(digest=digest).values("subscriber_id"))
    )


def send_digest(week: dt.date | None = None, *, sync: bool = False, batch: int = BATCH) -> Digest:
    """Make this week's digest and queue its batches (``sync`` runs them here, as the tests do)."""
    week = week or week_of(timezone.localdate())
    digest, _created = Digest.objects.get_or_create(week=week)
    ids = list(eligible(digest).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        if sync:
            send_batch(digest.pk, chunk)
        else:
            from django_q.tasks import async_task

            async_task("kenes.press.digest.send_batch", digest.pk, chunk, task_name=f"digest-{week}-{start}")
    return digest


def _message(subscriber: Subscriber, rendered: tuple[str, str, str]) -> EmailMultiAlternatives:
    subject, text, html = rendered
    link = unsubscribe_url(subscriber)
    message = EmailMultiAlternatives(
        subject, text.replace(_LINK, link), to=[subscriber.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                 "Auto-Submitted": "auto-generated", "Precedence": "bulk"},
    )  # fmt: skip
    message.attach_alternative(html.replace(_LINK, link), "text/html")
    return message


def send_batch(digest_id: int, subscriber_ids: list[int]) -> int:
    """Send the digest to those of ``subscriber_ids`` still eligible; returns how many were sent."""
    digest = Digest.objects.get(pk=digest_id)
    subscribers = list(eligible(digest).filter(pk__in=subscriber_ids).prefetch_related("tags"))
    cache: dict[tuple[str, frozenset[str]], Any] = {}
    groups: dict[tuple[str, frozenset[str]], list[Subscriber]] = defaultdict(list)
    for s in subscribers:
        groups[(s.language, frozenset(t.slug for t in s.tags.all()))].append(s)
    messages: list[EmailMultiAlternatives] = []
    claimed: list[int] = []
    for key, members in groups.items():
        if key not in cache:
            cache[key] = render(digest.week, *key)
        if cache[key] is None:
            continue
        for subscriber in members:
            try:
                with transaction.atomic():
                    row = DigestDelivery.objects.create(digest=digest, subscriber=subscriber)
            except IntegrityError:
                continue  # another run of this batch has it
            claimed.append(row.pk)
            messages.append(_message(subscriber, cache[key]))
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
        DigestDelivery.objects.filter(pk__in=claimed).update(sent=True)
    return len(messages)


def preview(language: str, week: dt.date | None = None) -> tuple[str, str, str] | None:
    """The next review as a subscriber without tag choices would get it (the secretariat's preview)."""
    week = week or week_of(timezone.localdate()) + dt.timedelta(days=7)
    return render(week, language)


def weekly_task() -> int:
    """The schedule's entry point: this week's review (covering the week that ended on Sunday)."""
    digest = send_digest()
    return digest.pk
