"""Issue 10: a client whose write timed out retries with the same Idempotency-Key, safely."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from kenes.meetings.models import AgendaItem
from kenes.people.actions import create_token

URL = "/api/v1/meetings/demo-fm-2027/agenda"


def _client(account: Any) -> Client:
    _token, raw = create_token("test", account, "retry")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _post(client: Client, key: str | None, title: str = "Test item (fictional)") -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(URL, {"title": title}, content_type="application/json", headers=headers)


def _items(title: str = "Test item (fictional)") -> int:
    return AgendaItem.objects.filter(meeting__code="demo-fm-2027", title=title).count()


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_first_answer_and_writes_once(accounts: dict[str, Any]) -> None:
    client = _client(accounts["secretariat"])
    first = _post(client, "retry-1")
    assert first.status_code == 201, first.content
    again = _post(client, "retry-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert _items() == 1
    # Without a key each write is its own.
    assert _post(client, None).status_code == 201
    assert _items() == 2


@pytest.mark.django_db
def test_the_same_key_for_a_different_request_is_refused(accounts: dict[str, Any]) -> None:
    client = _client(accounts["secretariat"])
    assert _post(client, "retry-2").status_code == 201
    other = _post(client, "retry-2", title="Another test item (fictional)")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.json()["detail"]
    assert _items("Another test item (fictional)") == 0


@pytest.mark.django_db
def test_keys_belong_to_their_client(accounts: dict[str, Any]) -> None:
    assert _post(_client(accounts["secretariat"]), "shared-key").status_code == 201
    second = _post(_client(accounts["secretariat"]), "shared-key")  # another token, another client
    assert second.status_code == 201 and "Idempotent-Replayed" not in second
    assert _items() == 2


@pytest.mark.django_db
def test_a_key_is_kept_for_24_hours(accounts: dict[str, Any]) -> None:
    client = _client(accounts["secretariat"])
    assert _post(client, "retry-3").status_code == 201
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)):
        assert _post(client, "retry-3")["Idempotent-Replayed"] == "true"
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)):
        late = _post(client, "retry-3")
        assert late.status_code == 201 and "Idempotent-Replayed" not in late
    assert _items() == 2


@pytest.mark.django_db
def test_a_refused_write_is_replayed_as_refused_and_changes_nothing(accounts: dict[str, Any]) -> None:
    client = _client(accounts["kz"])  # a delegate: the agenda is the secretariat's
    first = _post(client, "retry-4")
    assert first.status_code == 403
    assert _post(client, "retry-4").status_code == 403
    assert _items() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "bad\x01key"])
def test_a_malformed_key_is_a_clear_400(accounts: dict[str, Any], key: str) -> None:
    response = _post(_client(accounts["secretariat"]), key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert _items() == 0


@pytest.mark.django_db
def test_a_failed_write_is_not_kept_so_the_retry_runs(accounts: dict[str, Any], monkeypatch: Any) -> None:
    from kenes.meetings import actions

    client = _client(accounts["secretariat"])
    client.raise_request_exception = False
    real = actions.add_agenda_item
    monkeypatch.setattr(actions, "add_agenda_item", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    failed = _post(client, "retry-5")
    assert failed.status_code == 500 and "detail" in failed.json()
    monkeypatch.setattr(actions, "add_agenda_item", real)
    retried = _post(client, "retry-5")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried
    assert _items() == 1
