"""The JSON API: schema, authentication, error shapes, and writes through actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kenes.audit.models import AuditEvent
from kenes.meetings.models import Document


def _bearer(account: Any) -> Client:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.mark.django_db
def test_openapi_schema_lists_the_endpoints() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/states", "/api/v1/meetings", "/api/v1/meetings/{code}", "/api/v1/documents/{code}"):
        assert path in paths
    assert "classification" in schema["components"]["schemas"]["DocumentOut"]["properties"]


@pytest.mark.django_db
def test_public_reads_need_no_account() -> None:
    client = Client()
    states = client.get("/api/v1/states").json()
    az = next(s for s in states if s["iso2"] == "AZ")
    assert [p["status"] for p in az["participation"]] == ["guest_of_honour", "member"]
    meeting = client.get("/api/v1/meetings/ca_heads_of_state-IV").json()
    assert meeting["classification"] == "public"
    assert {d["classification"] for d in meeting["documents"]} == {"public"}
    assert len(meeting["documents"]) == 6


@pytest.mark.django_db
def test_members_on_a_date() -> None:
    client = Client()
    before = client.get("/api/v1/mechanisms/ca_consultative_meetings/members?date=2024-01-01").json()
    after = client.get("/api/v1/mechanisms/ca_consultative_meetings/members?date=2026-01-01").json()
    assert "AZ" not in before["members"] and "AZ" in after["members"]
    bad = client.get("/api/v1/mechanisms/ca_consultative_meetings/members?date=01.01.2024")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"][-1] == "date"


@pytest.mark.django_db
def test_errors_are_json_with_detail(accounts: dict[str, Any]) -> None:
    client = Client()
    missing = client.get("/api/v1/meetings/no-such-meeting")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not found."}
    wrong = Client(headers={"Authorization": "Bearer kenes_not-a-token"}).get("/api/v1/meetings")
    assert wrong.status_code == 401 and "detail" in wrong.json()
    scheme = Client(headers={"Authorization": "Basic abc"}).get("/api/v1/meetings")
    assert scheme.status_code == 401
    assert client.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_invisible_objects_are_404_not_403(accounts: dict[str, Any]) -> None:
    guest = _bearer(accounts["cn"])
    response = guest.get("/api/v1/documents/demo-fm-2027-briefing")
    assert response.status_code == 404
    assert "briefing" not in response.content.decode().lower()
    patch = guest.patch(
        "/api/v1/documents/demo-fm-2027-briefing", {"version": 1, "title_en": "x"}, content_type="application/json"
    )
    assert patch.status_code == 404
    assert Document.objects.get(code="demo-fm-2027-briefing").title_en.startswith("DEMO members-only")


@pytest.mark.django_db
def test_patch_through_the_action(accounts: dict[str, Any]) -> None:
    secretariat = _bearer(accounts["secretariat"])
    before = AuditEvent.objects.count()
    response = secretariat.patch(
        "/api/v1/documents/demo-fm-2027-agenda",
        {"version": 1, "title_en": "DEMO revised agenda (fictional)"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["title_en"] == "DEMO revised agenda (fictional)"
    assert response.json()["version"] == 2
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.verb == "document.updated" and AuditEvent.objects.count() == before + 1
    # The log says that the title changed, not what it says (security review, finding 3).
    assert event.data["fields"] == ["title_en"]
    assert event.data["before"]["title_en"]["length"] == len("DEMO draft agenda shared with guests (fictional)")
    assert "DEMO" not in str(event.data)


@pytest.mark.django_db
def test_concurrent_edit_is_refused_with_409(accounts: dict[str, Any]) -> None:
    secretariat = _bearer(accounts["secretariat"])
    url = "/api/v1/documents/demo-fm-2027-agenda"
    first = secretariat.patch(url, {"version": 1, "body": "first"}, content_type="application/json")
    assert first.status_code == 200
    stale = secretariat.patch(url, {"version": 1, "body": "second"}, content_type="application/json")
    assert stale.status_code == 409
    assert "Someone else saved" in stale.json()["detail"]
    assert Document.objects.get(code="demo-fm-2027-agenda").body == "first"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"version": 1, "colour": "red"}, "colour"),
        ({"version": 1, "classification": "secret"}, "classification"),
        ({"title_en": "no version"}, "version"),
        ({"version": "one"}, "version"),
    ],
)
def test_unknown_fields_and_bad_values_are_422(accounts: dict[str, Any], payload: dict[str, Any], field: str) -> None:
    response = _bearer(accounts["secretariat"]).patch(
        "/api/v1/documents/demo-fm-2027-agenda", payload, content_type="application/json"
    )
    assert response.status_code == 422
    assert field in [str(part) for error in response.json()["detail"] for part in error["loc"]]
    assert Document.objects.get(code="demo-fm-2027-agenda").version == 1


@pytest.mark.django_db
def test_rule_violations_are_400_naming_the_field(accounts: dict[str, Any]) -> None:
    secretariat = _bearer(accounts["secretariat"])
    url = "/api/v1/documents/demo-fm-2027-agenda"
    empty = secretariat.patch(url, {"version": 1, "title_en": "  "}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["field"] == "title_en"
    restricted = secretariat.patch(url, {"version": 1, "classification": "restricted"}, content_type="application/json")
    assert restricted.status_code == 400 and restricted.json()["field"] == "classification"
    assert Document.objects.get(code="demo-fm-2027-agenda").classification == "participants"


@pytest.mark.django_db
def test_readers_who_may_not_edit_get_403(accounts: dict[str, Any]) -> None:
    response = _bearer(accounts["kz"]).patch(
        "/api/v1/documents/demo-fm-2027-agenda", {"version": 1, "body": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "detail" in response.json()


@pytest.mark.django_db
def test_session_writes_need_the_csrf_token(accounts: dict[str, Any]) -> None:
    from tests.conftest import login

    client = Client(enforce_csrf_checks=True)
    client.cookies = login(Client(), accounts["secretariat"]).cookies
    response = client.patch(
        "/api/v1/documents/demo-fm-2027-agenda", {"version": 1, "body": "x"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert Document.objects.get(code="demo-fm-2027-agenda").body != "x"


@pytest.mark.django_db
def test_every_protected_object_carries_its_classification(accounts: dict[str, Any]) -> None:
    from kenes.meetings.models import Meeting

    client = _bearer(accounts["kg"])
    documents = client.get("/api/v1/documents").json()
    stored = dict(
        Document.objects.filter(code__in=[d["code"] for d in documents]).values_list("code", "classification")
    )
    assert len(stored) == len(documents) > 0
    assert {d["code"]: d["classification"] for d in documents} == stored
    assert {"public", "participants", "members"} <= set(stored.values())  # the demo material at every level it reads
    meetings = client.get("/api/v1/meetings").json()
    stored = dict(Meeting.objects.filter(code__in=[m["code"] for m in meetings]).values_list("code", "classification"))
    assert len(stored) == len(meetings) > 0
    assert {m["code"]: m["classification"] for m in meetings} == stored


@pytest.mark.django_db
def test_verify_audit_after_api_writes(accounts: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    _bearer(accounts["secretariat"]).patch(
        "/api/v1/documents/demo-fm-2027-press", {"version": 1, "body": "x"}, content_type="application/json"
    )
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
