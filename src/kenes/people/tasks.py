"""Background tasks of accounts, run by the task queue (django-q2, ``./dev worker``)."""

from __future__ import annotations

from kenes.people.models import Account, Notification
from kenes.people.notify import send_daily_mail


def send_daily_mails_task() -> int:
    """The daily e-mail of every account with notices waiting for it (scheduled daily); answers
    how many e-mails were sent."""
    waiting = Notification.objects.filter(in_daily_mail=True).values("account_id").distinct()
    return sum(1 for account in Account.objects.filter(pk__in=waiting, is_active=True) if send_daily_mail(account))
