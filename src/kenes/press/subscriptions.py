"""The weekly review's subscribers: double opt-in, consent, one-click unsubscribe, suppression.

* Subscribing makes a *pending* subscriber and mails a confirmation link signed for 72 hours; no
  second confirmation mail goes to the same address within 24 hours. The answer is the same
  whatever the address's state, so the form tells no one who is subscribed.
* Confirming records the time; the wording the person was shown is kept from the request.
* Unsubscribing (a link or an RFC 8058 one-click POST, no login) takes effect at once and puts the
  address on the suppression list; a later confirmed re-subscription lifts only that reason.
* Bounces (DSN) and complaints (ARF) feed the list: a hard bounce or a complaint at once, soft
  bounces at the third within 14 days.
The audit log records each change against the subscriber's id, never the address.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from email.message import Message
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kenes.audit import log as audit
from kenes.errors import ActionError
from kenes.press.models import Bounce, Subscriber, SubscriberStatus, Suppression, SuppressionReason, Tag

CONFIRM_SALT = "kenes.press.confirm"
UNSUBSCRIBE_SALT = "kenes.press.unsubscribe"
CONFIRM_HOURS = 72
RESEND_HOURS = 24
SOFT_LIMIT, SOFT_DAYS = 3, 14
ACTOR = "press_subscriptions"


def consent_wording() -> str:
    return _("I agree to receive the weekly review of the mechanism's news by e-mail at this address. "
             "I can unsubscribe at any time with one click.")  # fmt: skip


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt=CONFIRM_SALT)


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps(subscriber.pk, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscriber: Subscriber) -> str:
    return settings.KENES_BASE_URL + reverse("press_unsubscribe", args=[unsubscribe_token(subscriber)])


def is_suppressed(address: str) -> bool:
    return Suppression.objects.filter(email=address.strip().lower()).exists()


def subscribe(address: str, *, language: str, tags: list[str] | None = None, consent: str = "") -> None:
    """Ask for the review; a confirmation mail goes out unless one went out within 24 hours."""
    address = (address or "").strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ActionError(_("Enter a valid e-mail address."), field="email") from None
    if language not in settings.LANGUAGES_COMPLETE:
        language = "en"
    tag_rows = list(Tag.objects.filter(slug__in=tags or []))
    now = timezone.now()
    send = False
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(email=address)
        if subscriber.status == SubscriberStatus.CONFIRMED:
            return  # already in; the page says the same as for anyone
        recent = subscriber.confirmation_sent_at and now - subscriber.confirmation_sent_at < dt.timedelta(
            hours=RESEND_HOURS
        )
        subscriber.status, subscriber.language = SubscriberStatus.PENDING, language
        subscriber.consent_text = consent or consent_wording()
        if not recent and not _blocked(address):
            subscriber.confirmation_sent_at, send = now, True
        subscriber.save()
        subscriber.tags.set(tag_rows)
        audit.record(ACTOR, "subscriber.requested", subscriber, mailed=send)
    if send:
        _send_confirmation(subscriber)


def _blocked(address: str) -> bool:
    """Bounced or complained: no mail at all. An address that left by itself may ask again."""
    return Suppression.objects.filter(email=address).exclude(reason=SuppressionReason.UNSUBSCRIBE).exists()


def _send_confirmation(subscriber: Subscriber) -> None:
    link = settings.KENES_BASE_URL + reverse("press_confirm", args=[confirm_token(subscriber)])
    with translation.override(subscriber.language):
        subject = _("Confirm your subscription to the Kenes weekly review")
        body = render_to_string("press/mail/confirm.txt", {"link": link, "hours": CONFIRM_HOURS})
    EmailMultiAlternatives(subject, body, to=[subscriber.email]).send()


def subscriber_for_confirmation(token: str) -> Subscriber:
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=dt.timedelta(hours=CONFIRM_HOURS))
    except signing.SignatureExpired:
        raise ActionError(_("This confirmation link has expired. Subscribe again to get a new one."),
                          field="token") from None  # fmt: skip
    except signing.BadSignature:
        raise ActionError(_("This confirmation link is not valid."), field="token") from None
    subscriber = Subscriber.objects.filter(pk=data.get("s"), email=data.get("e")).first()
    if subscriber is None:
        raise ActionError(_("This confirmation link is not valid."), field="token")
    return subscriber


def confirm(token: str) -> Subscriber:
    subscriber = subscriber_for_confirmation(token)
    with transaction.atomic():
        current = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if current.status == SubscriberStatus.CONFIRMED:
            return current
        if current.status != SubscriberStatus.PENDING:
            raise ActionError(_("This confirmation link is not valid."), field="token")
        current.status, current.confirmed_at = SubscriberStatus.CONFIRMED, timezone.now()
        current.save()
        Suppression.objects.filter(email=current.email, reason=SuppressionReason.UNSUBSCRIBE).delete()
        audit.record(ACTOR, "subscriber.confirmed", current)
    return current


def subscriber_for_unsubscribe(token: str) -> Subscriber:
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise ActionError(_("This unsubscribe link is not valid."), field="token") from None
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None:
        raise ActionError(_("This unsubscribe link is not valid."), field="token")
    return subscriber


def unsubscribe(token: str) -> Subscriber:
    subscriber = subscriber_for_unsubscribe(token)
    with transaction.atomic():
        current = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        current.status, current.unsubscribed_at = SubscriberStatus.UNSUBSCRIBED, timezone.now()
        current.save()
        _suppress(current.email, SuppressionReason.UNSUBSCRIBE)
        audit.record(ACTOR, "subscriber.unsubscribed", current)
    return current


def _suppress(address: str, reason: str) -> None:
    row, created = Suppression.objects.get_or_create(email=address, defaults={"reason": reason})
    if not created and row.reason == SuppressionReason.UNSUBSCRIBE and reason != row.reason:
        row.reason = reason  # a bounce or complaint outranks a plain unsubscribe
        row.save(update_fields=["reason"])


def record_bounce(address: str, kind: str, *, now: dt.datetime | None = None) -> bool:
    """Record a hard or soft bounce or a complaint; True when the address is now suppressed."""
    address = address.strip().lower()
    now = now or timezone.now()
    with transaction.atomic():
        bounce = Bounce.objects.create(email=address, kind=kind)
        Bounce.objects.filter(pk=bounce.pk).update(at=now)
        reason = {"hard": SuppressionReason.HARD_BOUNCE, "complaint": SuppressionReason.COMPLAINT}.get(kind)
        if kind == "soft":
            window = Bounce.objects.filter(email=address, kind="soft", at__gt=now - dt.timedelta(days=SOFT_DAYS))
            reason = SuppressionReason.SOFT_BOUNCE if window.count() >= SOFT_LIMIT else None
        if reason:
            _suppress(address, reason)
        subscriber = Subscriber.objects.filter(email=address).first()
        audit.record(ACTOR, f"subscriber.{kind}", subscriber, suppressed=bool(reason))
    return bool(reason)


def parse_report(raw: bytes) -> list[tuple[str, str]]:
    """(address, hard | soft | complaint) from a DSN (RFC 3464) or an ARF report (RFC 5965)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    report_type = str(message.get_param("report-type") or "").lower() if message.get_content_type() == (
        "multipart/report") else ""  # fmt: skip
    found: list[tuple[str, str]] = []
    for part in message.walk():
        ctype = part.get_content_type()
        if report_type == "delivery-status" and ctype == "message/delivery-status":
            for block in _field_blocks(part):
                recipient = (block.get("Final-Recipient") or block.get("Original-Recipient") or "").split(";")[-1]
                action, status = (block.get("Action") or "").lower(), block.get("Status") or ""
                if recipient.strip() and action in ("failed", "delayed"):
                    found.append((recipient.strip(), "hard" if status.startswith("5") and action == "failed"
                                  else "soft"))  # fmt: skip
        elif report_type == "feedback-report" and ctype == "message/feedback-report":
            block = _field_blocks(part)
            rcpt = block[0].get("Original-Rcpt-To", "") if block else ""
            if rcpt:
                found.append((rcpt.strip(), "complaint"))
        elif (
            report_type == "feedback-report"
            and ctype in ("message/rfc822", "text/rfc822-headers")
            and not any(k == "complaint" for _a, k in found)
        ):
            inner = part.get_payload(0) if part.is_multipart() else email.message_from_string(str(part.get_payload()))
            to = str(inner.get("To", "")) if isinstance(inner, Message) else ""
            if to:
                found.append((email.utils.parseaddr(to)[1], "complaint"))
    return list(dict.fromkeys(found))


def _field_blocks(part: Message) -> list[Any]:
    """The header blocks of a message/delivery-status or feedback-report part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    blocks = [b for b in str(payload).replace("\r\n", "\n").split("\n\n") if b.strip()]
    return [email.message_from_string(b) for b in blocks]
