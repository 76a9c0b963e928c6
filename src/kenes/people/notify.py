"""Notifications: in-app and by e-mail. They carry a short text and a link that needs a sign-in,
never the protected content itself.

A message marked with ``gettext_lazy`` (its values in ``params``) is kept untranslated too, so the
notification list shows it in the language the reader reads in; the e-mail and the stored text are
in the recipient's preferred language (else the site's default). Each person chooses per kind how
notices reach them by e-mail: at once, in one daily e-mail, or not at all (in Kenes only).

E-mails leave through the task queue (django-q2): the action's transaction only queues them, after
its commit, so a slow or unreachable mail server neither holds a request nor loses the notice; a
failed sending is kept among the queue's failed tasks, and the notice stays in Kenes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kenes.people.models import Account, NoticeChoice, NoticeKind, NoticeMode, Notification

_KINDS = {
    "invitation": NoticeKind.INVITATIONS,
    "text": NoticeKind.TEXTS,
    "silence": NoticeKind.TEXTS,
    "instruction": NoticeKind.INSTRUCTIONS,
    "report": NoticeKind.INSTRUCTIONS,
    "cadence": NoticeKind.CADENCE,
    "security": NoticeKind.SECURITY,
}


def kind_of(verb: str) -> str:
    """The kind a notice's verb belongs to (``report.filed`` → instructions and reports)."""
    return _KINDS.get(verb.split(".", 1)[0], NoticeKind.OTHER)


def mode_for(account: Account, kind: str) -> str:
    """How the account gets this kind by e-mail; at once unless it chose otherwise."""
    chosen = NoticeChoice.objects.filter(account=account, kind=kind).values_list("mode", flat=True).first()
    return chosen or NoticeMode.NOW


def choices_of(account: Account) -> dict[str, str]:
    """Every kind of notice with how it reaches the account by e-mail."""
    chosen = dict(NoticeChoice.objects.filter(account=account).values_list("kind", "mode"))
    return {kind: chosen.get(kind, NoticeMode.NOW) for kind in NoticeKind.values}


def send_daily_mail(account: Account) -> int:
    """One e-mail with the notices that waited for it since the last one, in the account's
    language; answers how many it carried. Run daily for every account (``people.tasks``)."""
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update().filter(account=account, in_daily_mail=True).order_by("created_at")
        )
        if not waiting:
            return 0
        with translation.override(account.preferred_language or settings.LANGUAGE_CODE):
            subject = str(_("Kenes: your notices of the day (%(n)d)")) % {"n": len(waiting)}
            lines = [f"- {n.shown}\n  {settings.KENES_BASE_URL}{n.url}" for n in waiting]
        body = "\n".join(lines) + "\n"
        # Sent inside the transaction (this runs in the task queue): should the mail server refuse
        # it, nothing is marked and the notices wait for the next day's e-mail.
        send_mail(subject, body, None, [account.email])
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(
            in_daily_mail=False, mailed_at=timezone.now()
        )
    return len(waiting)


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
    mode = mode_for(account, kind_of(verb)) if email else NoticeMode.OFF
    notification = Notification.objects.create(
        account=account,
        verb=verb,
        text=rendered[:300],
        message=message[:300],
        params=values,
        url=url,
        in_daily_mail=mode == NoticeMode.DAILY,
    )
    if mode == NoticeMode.NOW:
        pk = notification.pk
        # Robust: should the queue's database blink just after the commit, the committed action
        # still answers (the notice is in Kenes; the failure is logged), never a 500.
        transaction.on_commit(lambda: _queue_mail(pk), robust=True)
    return notification


def _queue_mail(notification_id: int) -> None:
    from django_q.tasks import async_task

    async_task("kenes.people.notify.send_notice_mail", notification_id, task_name=f"notice-mail-{notification_id}")


def send_notice_mail(notification_id: int) -> bool:
    """The task: one notice's e-mail, in the words stored for its recipient; once only. A refusal
    of the mail server raises, so the queue keeps the task among its failures."""
    with transaction.atomic():
        notice = Notification.objects.select_for_update().select_related("account").filter(pk=notification_id).first()
        if notice is None or notice.mailed_at is not None or not notice.account.is_active:
            return False
        link = f"{settings.KENES_BASE_URL}{notice.url}" if notice.url else settings.KENES_BASE_URL
        send_mail(f"Kenes: {notice.text[:80]}", f"{notice.text}\n\n{link}\n", None, [notice.account.email])
        notice.mailed_at = timezone.now()
        notice.save(update_fields=["mailed_at"])
    return True
