"""A notification reads in the reader's language: the list translates it when shown, the stored
text and the e-mail are in the recipient's preferred language."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_lazy

from kenes.people.models import Account
from kenes.people.notify import notify

pytestmark = pytest.mark.django_db
INVITED = "Your delegation is invited to a meeting. Open Kenes to answer."
INVITED_RU = "Ваша делегация приглашена на встречу. Откройте Kenes, чтобы ответить."


def test_the_demo_invitation_reads_in_either_language(signed_in: Any) -> None:
    focal_ru = Account.objects.get(email="focal.ru@demo.kenes.invalid")
    from kenes.people.demo import DEMO_EXTRA_MEETING

    notice = focal_ru.notifications.get(verb="invitation.sent", url=f"/meetings/{DEMO_EXTRA_MEETING}/")
    with translation.override("ru"):
        assert notice.shown == INVITED_RU
    with translation.override("en"):
        assert notice.shown == INVITED
    client = signed_in(None)
    from tests.conftest import login

    login(client, focal_ru)
    client.cookies["django_language"] = "ru"
    page = client.get("/notifications/").content.decode()
    assert INVITED_RU in page and INVITED not in page


def test_stored_text_and_mail_follow_the_preferred_language(django_capture_on_commit_callbacks: Any) -> None:
    account = Account.objects.get(email="focal.ru@demo.kenes.invalid")
    account.preferred_language = "ru"
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        notice = notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/x/")
    assert notice.text == INVITED_RU and notice.message == INVITED
    assert mail.outbox[-1].body.startswith(INVITED_RU)
