"""Notifications: in-app and by e-mail. They carry a short text and a link that needs a sign-in,
never the protected content itself.

A message marked with ``gettext_lazy`` (its values in ``params``) is kept untranslated too, so the
notification list shows it in the language the reader reads in; the e-mail and the stored text are
in the recipient's preferred language (else the site's default)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise

from kenes.people.models import Account, Notification


def _render(text: str | Promise, params: dict[str, Any] | None) -> str:
    value = str(text)
    return value % params if params else value


def notify(
    account: Account,
    verb: str,
    text: str | Promise,
    *,
    params: dict[str, Any] | None = None,
    url: str = "",
    email: bool = True,
) -> Notification:
    message = ""
    with translation.override(account.preferred_language or settings.LANGUAGE_CODE):
        values = {key: str(value) for key, value in (params or {}).items()}  # lazy values in that language
        rendered = _render(text, values)
    if isinstance(text, Promise):
        with translation.override(None):  # no catalogue active: the message id itself
            message = str(text)
    notification = Notification.objects.create(
        account=account, verb=verb, text=rendered[:300], message=message[:300], params=values, url=url
    )
    if email:
        link = f"{settings.KENES_BASE_URL}{url}" if url else settings.KENES_BASE_URL

        def send() -> None:
            send_mail(f"Kenes: {rendered[:80]}", f"{rendered}\n\n{link}\n", None, [account.email], fail_silently=True)

        transaction.on_commit(send)
    return notification
