"""The decisions API under /api/v1/: visible-only reads, writes through the actions, errors as
elsewhere ({"detail", "field"}), and a classification on every protected object."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kenes.decisions.models import Decision, Instruction, Report
from kenes.meetings.models import Format
from kenes.texts.models import Text
from tests.decisions.conftest import FM

pytestmark = pytest.mark.django_db


def _bearer(account: Any) -> Client:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, body, content_type="application/json")


@pytest.fixture
def clients(people: dict[str, Any]) -> dict[str, Client]:
    return {name: _bearer(people[name]) for name in ("secretariat", "kz", "uz", "cn", "ru", "focal_kz")}


def _decision(clients: dict[str, Client], text: Text, uid: str = "OP1") -> dict[str, Any]:
    response = _post(clients["secretariat"], "/api/v1/decisions", {"text": text.code, "unit": uid})
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def _instruction(clients: dict[str, Client], decision: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {
        "decision": decision["id"], "title": "Prepare a transport plan (API test)", "assignee_kind": "states",
        "states": [{"state": "UZ", "focal_point": "focal.uz@demo.kenes.invalid", "ministry": "Ministry of Transport"}],
        "due_date": decision["adopted_on"], **extra,
    }  # fmt: skip
    response = _post(clients["secretariat"], "/api/v1/instructions", body)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_the_whole_flow_through_the_api(clients: dict[str, Client], adopted: Text) -> None:
    decision = _decision(clients, adopted)
    assert decision["classification"] == "members" and decision["unit"] == "OP1" and decision["content"]
    instruction = _instruction(clients, decision)
    assert instruction["classification"] == "members" and instruction["status"] == "not_started"
    assert instruction["assignees"] == [
        {"state": "UZ", "ministry": "Ministry of Transport", "focal_point": "focal.uz@demo.kenes.invalid"}
    ]
    url = f"/api/v1/instructions/{instruction['id']}"
    response = _post(clients["uz"], f"{url}/reports", {"body": "Done (API test).", "progress": "done"})
    assert response.status_code == 201, response.content
    report = response.json()
    assert report["classification"] == "members" and report["review"] == "submitted"
    response = _post(clients["secretariat"], f"/api/v1/reports/{report['id']}/accept", {"comment": "Thanks"})
    assert response.status_code == 200 and response.json()["review"] == "accepted"
    detail = clients["kz"].get(url).json()
    assert detail["status"] == "done" and len(detail["reports"]) == 1
    assert [e["kind"] for e in detail["timeline"]] == ["adopted", "decision", "created", "report", "review"]
    assert detail["decision_detail"]["text"] == adopted.code


def test_bad_input_is_a_clear_error_that_changes_nothing(clients: dict[str, Client], adopted: Text) -> None:
    decision = _decision(clients, adopted)
    count = Instruction.objects.count()
    response = _post(clients["secretariat"], "/api/v1/instructions", {
        "decision": decision["id"], "title": "x", "assignee_kind": "states", "due_date": "2020-01-01",
        "states": [{"state": "UZ", "focal_point": "focal.uz@demo.kenes.invalid"}],
    })  # fmt: skip
    assert response.status_code == 400
    assert response.json()["field"] == "due_date" and "before the decision" in response.json()["detail"]
    response = _post(clients["secretariat"], "/api/v1/instructions", {
        "decision": decision["id"], "title": "x", "assignee_kind": "states", "due_date": decision["adopted_on"],
        "states": [{"state": "UZ", "focal_point": "delegate.kz@demo.kenes.invalid"}],
    })  # fmt: skip
    assert response.status_code == 400 and response.json()["field"] == "states"
    response = _post(
        clients["secretariat"],
        "/api/v1/instructions",
        {"decision": decision["id"], "title": "x", "assignee_kind": "states", "colour": "red"},
    )
    assert response.status_code == 422  # unknown field
    assert Instruction.objects.count() == count

    instruction = _instruction(clients, decision)
    url = f"/api/v1/instructions/{instruction['id']}"
    response = _post(clients["focal_kz"], f"{url}/reports", {"body": "Not ours (API test).", "progress": "done"})
    assert response.status_code == 400 and response.json()["field"] == "state"
    _post(clients["secretariat"], f"{url}/cancel", {"reason": "Test cancel."})
    response = _post(clients["uz"], f"{url}/reports", {"body": "Too late (API test).", "progress": "done"})
    assert response.status_code == 400 and "cancelled" in response.json()["detail"]
    assert not Report.objects.filter(instruction_id=instruction["id"]).exists()
    assert clients["kz"].get(url).json()["status"] == "cancelled"


def test_non_adopted_text_and_non_secretariat_are_refused(clients: dict[str, Client], people: dict[str, Any]) -> None:
    from kenes.texts import actions as text_actions

    draft = text_actions.create_text(people["secretariat"], fmt=Format.objects.get(code=FM), code="api-draft",
                                     title="TEST draft", kind="joint_statement", classification="members",
                                     units=[{"kind": "operative", "content": "Instruct (test)."}])  # fmt: skip
    response = _post(clients["secretariat"], "/api/v1/decisions", {"text": draft.code, "unit": "OP1"})
    assert response.status_code == 400 and "not adopted" in response.json()["detail"]
    response = _post(clients["kz"], "/api/v1/decisions", {"text": draft.code, "unit": "OP1"})
    assert response.status_code == 403
    response = _post(clients["cn"], "/api/v1/decisions", {"text": draft.code, "unit": "OP1"})
    assert response.status_code == 404
    response = Client().post("/api/v1/decisions", {"text": draft.code, "unit": "OP1"}, content_type="application/json")
    assert response.status_code == 401
    assert not Decision.objects.filter(text=draft).exists()


def test_a_guest_never_sees_a_members_only_instruction(clients: dict[str, Client], adopted: Text) -> None:
    decision = _decision(clients, adopted)
    instruction = _instruction(clients, decision)
    _post(clients["uz"], f"/api/v1/instructions/{instruction['id']}/reports", {"body": "x (test)", "progress": "done"})
    report = Report.objects.get(instruction_id=instruction["id"])
    for client in (clients["cn"], clients["ru"], Client()):
        ids = [i["id"] for i in client.get("/api/v1/instructions").json()]
        assert instruction["id"] not in ids
        assert client.get(f"/api/v1/instructions/{instruction['id']}").status_code == 404
        assert client.get(f"/api/v1/decisions/{decision['id']}").status_code == 404
        assert decision["id"] not in [d["id"] for d in client.get("/api/v1/decisions").json()]
        body = client.get("/api/v1/instructions.csv").content.decode("utf-8-sig")
        assert "API test" not in body
        for verb in ("accept", "return"):
            assert _post(client, f"/api/v1/reports/{report.pk}/{verb}", {"comment": "x"}).status_code in (401, 404)
    assert instruction["id"] in [i["id"] for i in clients["kz"].get("/api/v1/instructions").json()]


def test_public_list_holds_the_real_proposals_with_their_label() -> None:
    rows = Client().get("/api/v1/instructions").json()
    proposals = {r["proposal"]: r for r in rows if r["basis"] == "proposal"}
    assert set(proposals) == {"P3", "P4"}
    p4 = proposals["P4"]
    assert p4["status"] == "proposed" and p4["classification"] == "public" and p4["recurrence_months"] == 6
    assert "adoption as a decision is not recorded in the sources" in p4["basis_note"]
    assert "IV" in p4["basis_note"]
    detail = Client().get(f"/api/v1/instructions/{p4['id']}").json()
    assert [s["code"] for s in detail["proposal_detail"]["sources"]] == ["S14"]
    assert detail["reports"] == []
    assert all(not r["is_demo"] or r["classification"] != "public" for r in rows)  # the demo one is members only


@pytest.mark.clock
def test_csv_export_applies_the_same_rules_and_filters(clients: dict[str, Client], adopted: Text) -> None:
    decision = _decision(clients, adopted)
    instruction = _instruction(clients, decision)
    public = list(csv.DictReader(io.StringIO(Client().get("/api/v1/instructions.csv").content.decode("utf-8-sig"))))
    assert {r["proposal"] for r in public} == {"P3", "P4"}
    member = clients["kz"].get("/api/v1/instructions.csv?assignee=state:UZ").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(member)))
    assert str(instruction["id"]) in {r["id"] for r in rows}
    assert all("UZ" in r["assignee"] or "Uzbekistan" in r["assignee"] for r in rows)
    api_ids = {i["id"] for i in clients["kz"].get("/api/v1/instructions?assignee=state:UZ").json()}
    assert {int(r["id"]) for r in rows} == api_ids
    # made overdue: due ten days ago, on a decision of forty days ago
    today = timezone.localdate()
    Instruction.objects.filter(pk=instruction["id"]).update(
        due_date=today - dt.timedelta(days=10), basis_date=today - dt.timedelta(days=40)
    )
    Decision.objects.filter(pk=decision["id"]).update(adopted_on=today - dt.timedelta(days=40))
    overdue = clients["kz"].get("/api/v1/instructions?status=overdue").json()
    assert instruction["id"] in {i["id"] for i in overdue}
    assert all(i["status"] == "overdue" for i in overdue)
    body = clients["kz"].get("/api/v1/instructions.csv?status=overdue").content.decode("utf-8-sig")
    overdue_rows = list(csv.DictReader(io.StringIO(body)))
    assert {int(r["id"]) for r in overdue_rows} == {i["id"] for i in overdue}
    assert all(r["status"] == "overdue" for r in overdue_rows)
    not_overdue = clients["kz"].get("/api/v1/instructions?status=not_started").json()
    assert instruction["id"] not in {i["id"] for i in not_overdue}


def test_csv_cells_never_start_a_formula(clients: dict[str, Client], adopted: Text) -> None:
    decision = _decision(clients, adopted)
    _instruction(clients, decision, title="=HYPERLINK(1) (test)")
    body = clients["kz"].get("/api/v1/instructions.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1) (test)" in body


def test_meeting_cadence_instruction_through_the_api(clients: dict[str, Client], adopted: Text) -> None:
    decision = _decision(clients, adopted)
    response = _post(clients["secretariat"], "/api/v1/instructions", {
        "decision": decision["id"], "title": "Ministers meet twice a year (API test)", "assignee_kind": "format",
        "assignee_format": FM, "recurrence_months": 6, "meets": True,
    })  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["imposes_cadence"] is True
    fmt = clients["kz"].get(f"/api/v1/formats/{FM}").json()
    assert fmt["cadence_months"] == 6 and f"instruction no. {response.json()['id']}" in fmt["rules_basis"]
    annual = _post(clients["secretariat"], "/api/v1/instructions", {
        "decision": decision["id"], "title": "Report annually (API test)", "assignee_kind": "body",
        "assignee_body": "Council of National Coordinators", "annually": True,
    })  # fmt: skip
    assert annual.status_code == 201 and annual.json()["recurrence_months"] == 12
