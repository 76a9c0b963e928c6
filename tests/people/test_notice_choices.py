"""Each person chooses how each kind of notice reaches them by e-mail (issue 15, item 5): at once,
in one daily e-mail, or not at all; every notice stays in Kenes. The daily e-mail is received by a
real SMTP server started here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils.translation import gettext_lazy

from kenes.audit.models import AuditEvent
from kenes.people.actions import create_token
from kenes.people.models import Account, NoticeChoice
from kenes.people.notify import choices_of, kind_of, notify
from kenes.people.tasks import send_daily_mails_task
from tests.conftest import login
from tests.press.test_digest import Inbox, smtp  # noqa: F401 - the real SMTP server fixture

pytestmark = pytest.mark.django_db
INVITED = "Your delegation is invited to a meeting. Open Kenes to answer."
REVIEWED = "Your report on an instruction was accepted."


def _account(email: str = "focal.kz@demo.kenes.invalid") -> Account:
    account = Account.objects.get(email=email)
    NoticeChoice.objects.filter(account=account).delete()
    account.notifications.all().delete()
    return account


def _bearer(account: Account) -> Client:
    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_each_verb_has_its_kind() -> None:
    assert kind_of("invitation.sent") == "invitation"
    assert kind_of("report.reviewed") == kind_of("instruction.reminder") == "instruction"
    assert kind_of("text.notice") == "text" and kind_of("cadence.reminder") == "cadence"
    assert kind_of("security.consultation_requested") == "security" and kind_of("press.x") == "other"


def test_at_once_unless_chosen_otherwise(django_capture_on_commit_callbacks: Any) -> None:
    account = _account()
    with django_capture_on_commit_callbacks(execute=True):
        notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/x/")
    assert [m.to for m in mail.outbox] == [[account.email]]


def test_off_keeps_the_notice_in_kenes_without_an_e_mail(django_capture_on_commit_callbacks: Any) -> None:
    account = _account()
    NoticeChoice.objects.create(account=account, kind="invitation", mode="off")
    with django_capture_on_commit_callbacks(execute=True):
        notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/x/")
        notify(account, "report.reviewed", gettext_lazy(REVIEWED), url="/instructions/1/")  # another kind
    assert account.notifications.count() == 2
    assert len(mail.outbox) == 1 and REVIEWED in mail.outbox[0].body


def test_daily_gathers_the_notices_into_one_e_mail(smtp: Inbox, django_capture_on_commit_callbacks: Any) -> None:  # noqa: F811
    account = _account()
    account.preferred_language = "ru"
    account.save(update_fields=["preferred_language"])
    NoticeChoice.objects.create(account=account, kind="invitation", mode="daily")
    with django_capture_on_commit_callbacks(execute=True):
        notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/a/")
        notify(account, "invitation.sent", gettext_lazy(INVITED), url="/meetings/b/")
    assert smtp.to(account.email) == []  # nothing at once
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_mails_task() == 1
    [message] = smtp.to(account.email)
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "уведомления за день (2)" in str(message["Subject"])
    assert text.count("Ваша делегация приглашена на встречу") == 2 and "/meetings/a/" in text and "/meetings/b/" in text
    with django_capture_on_commit_callbacks(execute=True):
        assert send_daily_mails_task() == 0  # each notice once
    assert len(smtp.to(account.email)) == 1


def test_the_account_page_sets_them_and_records_it() -> None:
    account = _account()
    client = login(Client(), account)
    page = client.get("/account/").content.decode()
    assert 'name="notice_invitation"' in page and 'name="notice_security"' in page
    response = client.post("/account/notices/", {"notice_invitation": "daily", "notice_text": "off"})
    assert response.status_code == 302
    assert choices_of(account) | {"invitation": "daily", "text": "off"} == choices_of(account)
    assert AuditEvent.objects.filter(verb="account.notice_choices_set", target_id=str(account.pk)).exists()
    page = client.get("/account/").content.decode()
    assert "Your e-mail choices are saved." in page


def test_a_bad_choice_on_the_page_changes_nothing() -> None:
    account = _account()
    client = login(Client(), account)
    client.cookies["django_language"] = "ru"
    response = client.post("/account/notices/", {"notice_invitation": "daily", "notice_text": "hourly"}, follow=True)
    assert response.status_code == 200
    assert "Неизвестный способ hourly" in response.content.decode()
    assert set(choices_of(account).values()) == {"now"}  # all or nothing


def test_the_api_reads_and_sets_them() -> None:
    account = _account("delegate.uz@demo.kenes.invalid")
    client = _bearer(account)
    assert set(client.get("/api/v1/me/notices").json()["choices"].values()) == {"now"}
    body = json.dumps({"instruction": "daily", "security": "off"})
    response = client.put("/api/v1/me/notices", body, content_type="application/json")
    assert response.status_code == 200
    choices = response.json()["choices"]
    assert (choices["instruction"], choices["security"], choices["invitation"]) == ("daily", "off", "now")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"weather": "now"}, 422, "weather"),
        ({"invitation": "hourly"}, 422, "invitation"),
        ({"invitation": "daily", "text": 3}, 422, "text"),
    ],
)
def test_bad_api_choices_are_refused_and_change_nothing(body: dict[str, Any], status: int, field: str) -> None:
    account = _account("delegate.az@demo.kenes.invalid")
    response = _bearer(account).put("/api/v1/me/notices", json.dumps(body), content_type="application/json")
    assert response.status_code == status
    assert field in json.dumps(response.json())
    assert not NoticeChoice.objects.filter(account=account).exists()


def test_nobody_reads_or_sets_them_without_signing_in() -> None:
    assert Client().get("/api/v1/me/notices").status_code == 401
    assert Client().put("/api/v1/me/notices", "{}", content_type="application/json").status_code == 401
