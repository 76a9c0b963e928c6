"""A notice's e-mail leaves through the task queue (issue 15, item 5): the action's transaction only
queues it, the worker sends it once, and a mail server that refuses loses nothing."""

from __future__ import annotations

import importlib
from smtplib import SMTPException
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.translation import gettext_lazy
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage

from kenes.people.models import Account, NoticeChoice, NoticeMode
from kenes.people.notify import notify, send_daily_mail, send_notice_mail

pytestmark = pytest.mark.django_db
INVITED = "Your delegation is invited to a meeting. Open Kenes to answer."


class Refusing(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise SMTPException("421 try again later")


@pytest.fixture
def real_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Conf, "SYNC", False)


def _account() -> Account:
    account = Account.objects.get(email="focal.kz@demo.kenes.invalid")
    NoticeChoice.objects.filter(account=account).delete()
    account.notifications.all().delete()
    return account


def _queued() -> list[tuple[str, tuple[Any, ...]]]:
    """Every task waiting in the queue (the ORM broker hands them out a few at a time)."""
    found = []
    while tasks := get_broker().dequeue():
        found += [(t["func"], tuple(t["args"])) for t in (SignedPackage.loads(payload) for _ack, payload in tasks)]
    return found


def test_the_action_queues_the_mail_and_the_worker_sends_it_once(
    real_queue: None, django_capture_on_commit_callbacks: Any
) -> None:
    account = _account()
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/x/")
    assert mail.outbox == []  # nothing sent from the request
    [(func, args)] = [task for task in _queued() if task[1] == (notice.pk,)]  # the demo's own notices queued theirs
    assert func == "kenes.people.notify.send_notice_mail"
    module, name = func.rsplit(".", 1)
    assert getattr(importlib.import_module(module), name)(*args) is True
    [sent] = mail.outbox
    assert sent.to == [account.email] and INVITED in sent.body and "/meetings/x/" in sent.body
    notice.refresh_from_db()
    assert notice.mailed_at is not None
    assert send_notice_mail(notice.pk) is False  # the task delivered again sends nothing more
    assert len(mail.outbox) == 1


def test_a_refusing_mail_server_keeps_the_notice_unsent(
    real_queue: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    account = _account()
    with django_capture_on_commit_callbacks(execute=True):
        notice = notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/x/")
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"
    with pytest.raises(SMTPException):  # the queue keeps the task among its failures
        send_notice_mail(notice.pk)
    notice.refresh_from_db()
    assert notice.mailed_at is None and account.notifications.count() == 1  # still in Kenes


def test_a_refused_daily_mail_leaves_the_notices_waiting(settings: Any) -> None:
    account = _account()
    NoticeChoice.objects.create(account=account, kind="invitation", mode=NoticeMode.DAILY)
    notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/x/")
    settings.EMAIL_BACKEND = f"{__name__}.Refusing"
    with pytest.raises(SMTPException):
        send_daily_mail(account)
    assert account.notifications.filter(in_daily_mail=True).count() == 1  # tomorrow's e-mail has it
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_daily_mail(account) == 1 and len(mail.outbox) == 1
    assert not account.notifications.filter(in_daily_mail=True).exists()


def test_a_queue_that_fails_after_the_commit_loses_no_notice(
    real_queue: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import OperationalError

    def down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django_q.tasks.async_task", down)
    account = _account()
    with django_capture_on_commit_callbacks(execute=True):  # the failure is logged, not raised
        notice = notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/x/")
    assert account.notifications.filter(pk=notice.pk).exists() and mail.outbox == []
