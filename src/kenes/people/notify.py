"""Notifications: in-app and by e-mail. They carry a short text and a link that needs a sign-in,
never the protected content itself."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from kenes.people.models import Account, Notification


def notify(account: Account, verb: str, text: str, *, url: str = "", email: bool = True) -> Notification:
    notification = Notification.objects.create(account=account, verb=verb, text=text[:300], url=url)
    if email:
        link = f"{settings.KENES_BASE_URL}{url}" if url else settings.KENES_BASE_URL

        def send() -> None:
            send_mail(f"Kenes: {text[:80]}", f"{text}\n\n{link}\n", None, [account.email], fail_silently=True)

        transaction.on_commit(send)
    return notification
