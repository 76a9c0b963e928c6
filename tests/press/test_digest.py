"""The weekly review over real SMTP: an aiosmtpd server started here receives the confirmation
and the digest; double opt-in, RFC 8058 one-click unsubscribe, suppression, idempotent batches."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from kenes.press import actions, digest, subscriptions
from kenes.press.models import DigestDelivery, Subscriber, SubscriberStatus, Suppression

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def _link(message: EmailMessage, kind: str) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    found = re.search(rf"https?://\S+/news/{kind}/\S+?/", body.get_content())
    assert found, body.get_content()
    return found.group(0).split("127.0.0.1:8000")[-1]


def _subscribe(client: Client, address: str, language: str = "en") -> Any:
    return client.post("/news/subscribe/", {"email": address, "consent": "on"}, HTTP_ACCEPT_LANGUAGE=language)


def _confirmed(client: Client, smtp: Inbox, address: str, language: str = "en") -> Subscriber:
    assert _subscribe(client, address, language).status_code == 200
    link = _link(smtp.to(address)[-1], "subscribe/confirm")
    assert client.post(link).status_code == 200
    return Subscriber.objects.get(email=address)


@pytest.fixture
def this_week(sec: Any) -> dt.date:
    release = actions.create_release(sec, headline="Ministers agree a timetable (test)", lead="Lead (test).",
                                     language="en")  # fmt: skip
    actions.publish_release(sec, release)
    return digest.week_of(timezone.localdate()) + dt.timedelta(days=7)


@pytest.mark.clock
def test_double_opt_in(client: Client, smtp: Inbox) -> None:
    assert _subscribe(client, "Reader@Example.test", "ru").status_code == 200
    [mail] = smtp.to("reader@example.test")
    assert "Подтвердите" in str(mail["Subject"])
    subscriber = Subscriber.objects.get(email="reader@example.test")
    assert subscriber.status == SubscriberStatus.PENDING and subscriber.language == "ru"
    assert "unsubscribe" in subscriber.consent_text or "отписаться" in subscriber.consent_text
    _subscribe(client, "reader@example.test")  # again within 24 h: no second mail
    assert len(smtp.to("reader@example.test")) == 1
    link = _link(mail, "subscribe/confirm")
    assert client.get(link).status_code == 200  # a link scanner's GET confirms nothing
    assert Subscriber.objects.get(pk=subscriber.pk).status == SubscriberStatus.PENDING
    assert client.post(link).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED and subscriber.confirmed_at
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        _subscribe(client, "later@example.test")
    assert len(smtp.to("later@example.test")) == 1


@pytest.mark.clock
def test_confirmation_expires_after_72_hours(client: Client, smtp: Inbox) -> None:
    _subscribe(client, "slow@example.test")
    link = _link(smtp.to("slow@example.test")[0], "subscribe/confirm")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=73)):
        response = client.post(link)
    assert response.status_code == 400 and b"expired" in response.content
    assert client.post("/news/subscribe/confirm/forged/").status_code == 400
    assert Subscriber.objects.get(email="slow@example.test").status == SubscriberStatus.PENDING


def test_subscribe_form_refuses_bad_input(client: Client, smtp: Inbox) -> None:
    assert client.post("/news/subscribe/", {"email": "not-an-address", "consent": "on"}).status_code == 400
    assert client.post("/news/subscribe/", {"email": "ok@example.test"}).status_code == 400  # no consent
    assert smtp.messages == [] and not Subscriber.objects.exists()


@pytest.mark.clock
def test_digest_one_click_and_suppression(client: Client, smtp: Inbox, this_week: dt.date) -> None:
    reader = _confirmed(client, smtp, "reader@example.test")
    _confirmed(client, smtp, "bounced@example.test")
    subscriptions.record_bounce("bounced@example.test", "hard")
    _subscribe(client, "pending@example.test")
    before = len(smtp.messages)
    digest.send_digest(this_week, sync=True)
    sent = smtp.messages[before:]
    assert [str(m["To"]) for m in sent] == ["reader@example.test"]  # never pending, never suppressed
    [mail] = sent
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https?://\S+)>", str(mail["List-Unsubscribe"]).strip())
    assert unsubscribe, str(mail["List-Unsubscribe"])
    text, html = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and html is not None
    assert "Ministers agree a timetable (test)" in text.get_content()
    assert 'style="' in html.get_content() and "<style" not in html.get_content()  # CSS inlined
    digest.send_digest(this_week, sync=True)  # again: idempotent per (digest, subscriber)
    assert len(smtp.messages) == before + 1 and DigestDelivery.objects.filter(subscriber=reader).count() == 1

    # RFC 8058: a POST with no cookie, no CSRF token, no login.
    mailer = Client(enforce_csrf_checks=True)
    path = unsubscribe.group(1).split("127.0.0.1:8000")[-1]
    assert (
        mailer.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded").status_code
        == 200
    )
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.UNSUBSCRIBED
    assert Suppression.objects.get(email="reader@example.test").reason == "unsubscribe"
    digest.send_digest(this_week + dt.timedelta(days=7), sync=True)
    assert len(smtp.messages) == before + 1
    assert mailer.post("/news/unsubscribe/forged/").status_code == 400


def test_bounce_reports_feed_the_suppression_list(db: Any) -> None:
    dsn = (b"From: MAILER-DAEMON@example.test\r\nTo: bounces@kenes.invalid\r\nSubject: failure\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n--B\r\n'
           b"Content-Type: text/plain\r\n\r\nfailed\r\n--B\r\nContent-Type: message/delivery-status\r\n\r\n"
           b"Reporting-MTA: dns; mx.example.test\r\n\r\nFinal-Recipient: rfc822; gone@example.test\r\n"
           b"Action: failed\r\nStatus: 5.1.1\r\n\r\n--B--\r\n")  # fmt: skip
    assert subscriptions.parse_report(dsn) == [("gone@example.test", "hard")]
    soft = (
        dsn.replace(b"gone@", b"full@")
        .replace(b"Status: 5.1.1", b"Status: 4.2.2")
        .replace(b"failed\r\nStatus", b"delayed\r\nStatus")
    )
    assert subscriptions.parse_report(soft) == [("full@example.test", "soft")]
    arf = (b"From: fbl@example.test\r\nTo: abuse@kenes.invalid\r\nSubject: complaint\r\nMIME-Version: 1.0\r\n"
           b'Content-Type: multipart/report; report-type=feedback-report; boundary="F"\r\n\r\n--F\r\n'
           b"Content-Type: text/plain\r\n\r\nspam report\r\n--F\r\nContent-Type: message/feedback-report\r\n\r\n"
           b"Feedback-Type: abuse\r\nVersion: 1\r\nOriginal-Rcpt-To: angry@example.test\r\n\r\n--F--\r\n")  # fmt: skip
    assert subscriptions.parse_report(arf) == [("angry@example.test", "complaint")]

    assert subscriptions.record_bounce("gone@example.test", "hard")
    assert subscriptions.record_bounce("angry@example.test", "complaint")
    now = timezone.now()
    assert not subscriptions.record_bounce("full@example.test", "soft", now=now - dt.timedelta(days=20))
    assert not subscriptions.record_bounce("full@example.test", "soft", now=now - dt.timedelta(days=3))
    assert not subscriptions.record_bounce("full@example.test", "soft", now=now - dt.timedelta(days=2))
    assert subscriptions.record_bounce("full@example.test", "soft", now=now)  # the third within 14 days
    reasons = dict(Suppression.objects.values_list("email", "reason"))
    assert reasons == {"gone@example.test": "hard_bounce", "angry@example.test": "complaint",
                       "full@example.test": "soft_bounce"}  # fmt: skip


def test_secretariat_previews_the_next_review(signed_in: Any, client: Client, this_week: dt.date) -> None:
    assert client.get("/news/digest/preview/").status_code == 403
    page = signed_in("secretariat").get("/news/digest/preview/?language=en")
    assert page.status_code == 200 and b"Ministers agree a timetable (test)" in page.content


def test_reports_command(tmp_path: Any) -> None:
    from django.core.management import call_command

    report = tmp_path / "dsn.eml"
    report.write_bytes(
        b'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@example.test\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--B--\r\n"
    )
    call_command("press_reports", str(report), verbosity=0)
    assert Suppression.objects.get(email="nobody@example.test").reason == "hard_bounce"
