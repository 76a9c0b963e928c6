"""The JSON API of issue 3: format rules, cadence, date suggestions, meetings, invitations, agenda
and delegations. Every write goes through an action; every bad input is a clear error that
changes nothing; what a caller may not see is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from kenes.audit.models import AuditEvent
from kenes.meetings.models import AgendaItem, Delegation, Format, Invitation, InvitationStatus, Meeting
from kenes.states.models import State
from tests.conftest import days_ahead, demo_meeting_day

FM = "ca_foreign_ministers"
NAURYZ_2027 = {dt.date(2027, 3, 21), dt.date(2027, 3, 22), dt.date(2027, 3, 23)}
# A new test meeting: 300 days ahead, clear of the demo meetings (about 100 and 180 days ahead).
START = days_ahead(300)
START_DATE, END_DATE = START.isoformat(), (START + dt.timedelta(days=1)).isoformat()


def _bearer(account: Any) -> Client:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def _focal_point(iso2: str) -> Any:
    from kenes.people.actions import create_account

    return create_account(
        "test",
        email=f"focal.{iso2.lower()}@example.test",
        full_name=f"Focal {iso2} (test)",
        password=None,
        affiliation="state",
        state=State.objects.get(iso2=iso2),
        clearance="participants",
        roles=[(None, "focal_point")],
    )


def _rules(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rules_version": 1,
        "cadence_months": 6,
        "chair_rule": "rotation",
        "rotation_order": ["KZ", "KG", "TJ", "TM", "UZ"],
        "decision_rule": "consensus",
        "invitable": ["guest", "guest_of_honour", "observer"],
        "default_classification": "participants",
        "working_languages": ["ru", "en"],
        "rules_basis": "Proposal of the IV meeting (2022), test",
    }
    body.update(overrides)
    return body


def _new_meeting(client: Client, **overrides: Any) -> Any:
    body: dict[str, Any] = {
        "format": FM,
        "start_date": START_DATE,
        "end_date": END_DATE,
        "city_en": "Astana",
        "country": "KZ",
        "timezone": "Asia/Almaty",
        "start_time": "10:00",
        "end_time": "17:30",
        "kind": "regular",
        "classification": "participants",
    }
    body.update(overrides)
    return _send(client, "post", "/api/v1/meetings", body)


@pytest.fixture
def sec(accounts: dict[str, Any]) -> Client:
    return _bearer(accounts["secretariat"])


# --- schema ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_lists_the_new_paths() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/formats/{code}/rules",
        "/api/v1/cadence",
        "/api/v1/formats/{code}/date-suggestions",
        "/api/v1/meetings/{code}/status",
        "/api/v1/meetings/{code}/reschedule",
        "/api/v1/meetings/{code}/invitations",
        "/api/v1/invitations/{invitation_id}/answer",
        "/api/v1/invitations/{invitation_id}/revoke",
        "/api/v1/meetings/{code}/agenda",
        "/api/v1/agenda/{item_id}",
        "/api/v1/agenda/{item_id}/move",
        "/api/v1/meetings/{code}/delegation",
        "/api/v1/meetings/{code}/delegations.csv",
    ):
        assert path in paths, path
    assert "post" in paths["/api/v1/meetings"]
    assert {"patch", "delete"} <= set(paths["/api/v1/agenda/{item_id}"])


# --- format rules and cadence ----------------------------------------------------------------


@pytest.mark.django_db
def test_format_shows_its_rules_next_chair_and_compliance() -> None:
    fmt = Client().get(f"/api/v1/formats/{FM}").json()
    assert fmt["rules_version"] == 1 and fmt["cadence_months"] is None
    assert fmt["decision_rule"] == "consensus" and fmt["working_languages"] == ["ru"]
    assert fmt["invitable"] == ["guest", "guest_of_honour", "observer"]
    assert fmt["next_chair"] == {"state": None, "reason": "no chair rule is set for this format"}
    assert fmt["compliance"] == {"state": "no_rule", "last_held": "2023-09-13", "next_due": None, "days_left": None}


@pytest.mark.clock
@pytest.mark.django_db
def test_secretariat_sets_the_cadence_and_the_dashboard_shows_it_overdue(sec: Client) -> None:
    before = AuditEvent.objects.count()
    response = _send(sec, "patch", f"/api/v1/formats/{FM}/rules", _rules())
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cadence_months"] == 6 and body["rules_version"] == 2
    assert body["rotation_order"] == ["KZ", "KG", "TJ", "TM", "UZ"] and body["working_languages"] == ["ru", "en"]
    assert body["next_chair"]["state"] == "KZ" and "first in the rotation" in body["next_chair"]["reason"]
    assert body["compliance"]["state"] == "overdue" and body["compliance"]["next_due"] == "2024-03-13"
    event = AuditEvent.objects.order_by("-seq").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None and event.verb == "format.rules_changed"
    assert event.data["before"]["cadence_months"] is None and event.data["after"]["cadence_months"] == 6

    dashboard = Client().get("/api/v1/cadence").json()
    row = next(r for r in dashboard if r["format"] == FM)
    assert row["cadence_months"] == 6
    assert row["compliance"]["last_held"] == "2023-09-13"
    assert row["compliance"]["next_due"] == "2024-03-13"
    assert row["compliance"]["state"] == "overdue" and row["compliance"]["days_left"] < 0
    assert len(dashboard) == Format.objects.count()
    heads = next(r for r in dashboard if r["format"] == "ca_heads_of_state")
    assert heads["compliance"]["state"] == "overdue"  # annual per the data; none held since 2025-11-16

    stale = _send(sec, "patch", f"/api/v1/formats/{FM}/rules", _rules(cadence_months=3))
    assert stale.status_code == 409
    assert Format.objects.get(code=FM).cadence_months == 6


@pytest.mark.django_db
def test_a_rule_left_out_keeps_its_value(sec: Client) -> None:
    _send(sec, "patch", f"/api/v1/formats/{FM}/rules", _rules())
    response = _send(sec, "patch", f"/api/v1/formats/{FM}/rules", {"rules_version": 2, "cadence_months": 12})
    assert response.status_code == 200, response.content
    fmt = Format.objects.get(code=FM)
    assert fmt.cadence_months == 12 and fmt.rotation == ["KZ", "KG", "TJ", "TM", "UZ"] and fmt.rules_version == 3
    cleared = _send(sec, "patch", f"/api/v1/formats/{FM}/rules", {"rules_version": 3, "cadence_months": None})
    assert cleared.status_code == 200 and cleared.json()["compliance"]["state"] == "no_rule"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "status", "field", "words"),
    [
        ({"cadence_months": 0}, 400, "cadence_months", "1 to 60"),
        ({"cadence_months": 61}, 400, "cadence_months", "1 to 60"),
        ({"rotation_order": ["KZ", "RU"]}, 400, "rotation_order", "RU is not a member"),
        ({"rotation_order": []}, 400, "rotation_order", "rotation order"),
        ({"working_languages": ["fr"]}, 400, "working_languages", "languages"),
        ({"chair_rule": "lottery"}, 422, "chair_rule", None),
        ({"invitable": ["spectator"]}, 422, "invitable", None),
        ({"colour": "red"}, 422, "colour", None),
    ],
)
def test_bad_rules_are_refused_and_change_nothing(
    sec: Client, overrides: dict[str, Any], status: int, field: str, words: str | None
) -> None:
    before = AuditEvent.objects.count()
    response = _send(sec, "patch", f"/api/v1/formats/{FM}/rules", _rules(**overrides))
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["field"] == field and words in response.json()["detail"]
    else:
        assert field in [str(part) for error in response.json()["detail"] for part in error["loc"]]
    fmt = Format.objects.get(code=FM)
    assert fmt.rules_version == 1 and fmt.cadence_months is None and fmt.rotation == []
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_only_the_secretariat_changes_rules(accounts: dict[str, Any]) -> None:
    assert _send(_bearer(accounts["kz"]), "patch", f"/api/v1/formats/{FM}/rules", _rules()).status_code == 403
    assert _send(Client(), "patch", f"/api/v1/formats/{FM}/rules", _rules()).status_code == 401
    assert Format.objects.get(code=FM).rules_version == 1


# --- scheduling assistant --------------------------------------------------------------------


def _span(s: dict[str, Any]) -> set[dt.date]:
    first, last = dt.date.fromisoformat(s["start"]), dt.date.fromisoformat(s["end"])
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


@pytest.mark.clock
@pytest.mark.django_db
def test_date_suggestions_avoid_weekends_and_nauryz() -> None:
    response = Client().get(
        f"/api/v1/formats/{FM}/date-suggestions?start=2027-03-15&end=2027-04-15&days=2&guests=CN,RU"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert {"KZ", "KG", "TJ", "TM", "UZ", "CN", "RU"} <= set(body["states"])
    assert {"KZ", "CN"} <= set(body["holiday_calendars"])
    assert body["suggestions"]
    for suggestion in body["suggestions"]:
        span = _span(suggestion)
        assert len(span) == 2
        assert not span & NAURYZ_2027, suggestion
        assert all(day.weekday() < 5 for day in span), suggestion
        assert suggestion["avoided"], suggestion
        assert set(suggestion) == {"start", "end", "meets_deadline", "host", "avoided"}
    reasons = [r for s in body["suggestions"] for r in s["avoided"]]
    spring = ("nauryz", "navruz", "nowruz", "nooruz")  # the package's names vary by state
    assert any(r.startswith("2027-03-22") and "(KZ)" in r and any(n in r.lower() for n in spring) for r in reasons)
    assert any("weekend" in r for r in reasons)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("start=2027-05-03&end=2027-05-01&days=1", "end", "ends before it starts"),
        ("start=2027-01-01&end=2028-06-01&days=1", "end", "longer than 400 days"),
        ("start=2027-01-01&end=2027-02-01&days=0", "days", "1 to 7 days"),
        ("start=2027-01-01&end=2027-02-01&days=8", "days", "1 to 7 days"),
        ("start=2027-01-01&end=2027-02-01&days=2&guests=XX", "guests", "XX"),
    ],
)
def test_bad_windows_are_400_naming_the_field(query: str, field: str, words: str) -> None:
    response = Client().get(f"/api/v1/formats/{FM}/date-suggestions?{query}")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and words in response.json()["detail"]


@pytest.mark.django_db
def test_malformed_dates_are_422_and_unknown_formats_404() -> None:
    bad = Client().get(f"/api/v1/formats/{FM}/date-suggestions?start=15.03.2027&end=2027-04-15&days=2")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "start"
    missing = Client().get("/api/v1/formats/no_such_format/date-suggestions?start=2027-03-15&end=2027-04-15&days=2")
    assert missing.status_code == 404


# --- meetings --------------------------------------------------------------------------------


@pytest.mark.clock
@pytest.mark.django_db
def test_create_a_meeting(sec: Client) -> None:
    before = AuditEvent.objects.count()
    response = _new_meeting(sec)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["format"] == FM and body["start_date"] == START_DATE and body["end_date"] == END_DATE
    assert body["country"] == "KZ" and body["timezone"] == "Asia/Almaty" and body["start_time"] == "10:00:00"
    assert body["kind"] == "regular" and body["status"] == "planned" and body["version"] == 1
    # The ministers' meetings so far are unnumbered in the sources, so the new one is too.
    assert body["ordinal"] == "" and body["code"] == f"{FM}-{START_DATE}"
    assert body["agenda"] == [] and body["invitations"] == [] and body["delegations"] == []
    meeting = Meeting.objects.get(code=body["code"])
    assert meeting.city_en == "Astana" and meeting.classification == "participants"
    assert AuditEvent.objects.filter(seq__gt=before, verb="meeting.created").count() == 1
    assert sec.get(f"/api/v1/meetings/{body['code']}").json()["code"] == body["code"]


@pytest.mark.clock
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "status", "field", "words"),
    [
        ({"start_date": "2023-09-13", "end_date": "2023-09-13"}, 400, "start_date", "overlap"),  # the real one
        ({"chair_state": "RU"}, 400, "chair_state", "member"),
        ({"end_date": (START - dt.timedelta(days=1)).isoformat()}, 400, "end_date", "ends before it starts"),
        ({"timezone": "Mars/Olympus"}, 400, "timezone", "time zone"),
        ({"country": "XX"}, 400, "country", "XX"),
        ({"format": "no_such_format"}, 400, "format", "format"),
        ({"classification": "restricted"}, 400, "classification", "security channel"),
        ({"kind": "secret"}, 422, "kind", None),
        ({"start_time": "25:99"}, 422, "start_time", None),
        ({"colour": "red"}, 422, "colour", None),
    ],
)
def test_bad_meetings_are_refused_and_nothing_is_created(
    sec: Client, overrides: dict[str, Any], status: int, field: str, words: str | None
) -> None:
    count = Meeting.objects.count()
    response = _new_meeting(sec, **overrides)
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["field"] == field and words in response.json()["detail"]
    else:
        assert field in [str(part) for error in response.json()["detail"] for part in error["loc"]]
    assert Meeting.objects.count() == count


@pytest.mark.django_db
def test_only_the_secretariat_creates_meetings(accounts: dict[str, Any]) -> None:
    count = Meeting.objects.count()
    assert _new_meeting(_bearer(accounts["kz"])).status_code == 403
    assert _new_meeting(Client()).status_code == 401
    assert Meeting.objects.count() == count


@pytest.mark.clock
@pytest.mark.django_db
def test_status_lifecycle(sec: Client) -> None:
    past = _new_meeting(sec, start_date="2026-11-20", end_date="2026-11-20").json()
    url = f"/api/v1/meetings/{past['code']}"
    convened = _send(sec, "post", f"{url}/status", {"status": "convened", "version": 1})
    assert convened.status_code == 200 and convened.json()["status"] == "convened"
    stale = _send(sec, "post", f"{url}/status", {"status": "held", "version": 1})
    assert stale.status_code == 409
    held = _send(sec, "post", f"{url}/status", {"status": "held", "version": 2})
    assert held.status_code == 200 and held.json()["status"] == "held" and held.json()["version"] == 3
    back = _send(sec, "post", f"{url}/status", {"status": "planned", "version": 3})
    assert back.status_code == 400 and back.json()["field"] == "status" and "cannot become" in back.json()["detail"]
    assert _send(sec, "post", f"{url}/status", {"status": "adjourned", "version": 3}).status_code == 422
    assert Meeting.objects.get(code=past["code"]).status == "held"

    future = _new_meeting(sec).json()
    url = f"/api/v1/meetings/{future['code']}"
    early = _send(sec, "post", f"{url}/status", {"status": "held", "version": 1})
    assert early.status_code == 400 and "cannot become" in early.json()["detail"]
    _send(sec, "post", f"{url}/status", {"status": "convened", "version": 1})
    early = _send(sec, "post", f"{url}/status", {"status": "held", "version": 2})
    assert early.status_code == 400 and "before it starts" in early.json()["detail"]
    assert Meeting.objects.get(code=future["code"]).status == "convened"
    events = AuditEvent.objects.filter(verb="meeting.status_changed").count()
    assert events >= 3


@pytest.mark.clock
@pytest.mark.django_db
def test_reschedule(sec: Client, accounts: dict[str, Any]) -> None:
    meeting = _new_meeting(sec).json()
    url = f"/api/v1/meetings/{meeting['code']}/reschedule"
    day = {n: (START + dt.timedelta(days=n)).isoformat() for n in (21, 22, 28, 50)}
    moved = _send(sec, "post", url, {"start_date": day[21], "end_date": day[22], "version": 1})
    assert moved.status_code == 200, moved.content
    assert moved.json()["start_date"] == day[21] and moved.json()["version"] == 2
    stale = _send(sec, "post", url, {"start_date": day[28], "version": 1})
    assert stale.status_code == 409
    clash = _send(sec, "post", url, {"start_date": demo_meeting_day().isoformat(), "version": 2})  # the demo's day
    assert clash.status_code == 400 and clash.json()["field"] == "start_date"
    assert _send(_bearer(accounts["kz"]), "post", url, {"start_date": day[50], "version": 2}).status_code == 403
    assert Meeting.objects.get(code=meeting["code"]).start_text == day[21]


# --- invitations and what guests see ---------------------------------------------------------


@pytest.mark.clock
@pytest.mark.django_db
def test_invitation_flow_and_what_a_guest_sees(sec: Client, accounts: dict[str, Any]) -> None:
    code = _new_meeting(sec).json()["code"]
    url = f"/api/v1/meetings/{code}"
    member = _send(sec, "post", f"{url}/invitations", {"state": "KZ", "standing": "guest"})
    assert member.status_code == 400 and "member" in member.json()["detail"] and member.json()["field"] == "state"
    sent = _send(sec, "post", f"{url}/invitations", {"state": "CN", "standing": "guest"})
    assert sent.status_code == 201, sent.content
    invitation = sent.json()
    assert invitation["party"] == "CN" and invitation["status"] == "pending" and invitation["meeting"] == code
    again = _send(sec, "post", f"{url}/invitations", {"state": "CN", "standing": "guest"})
    assert again.status_code == 400 and "already invited" in again.json()["detail"]
    ru_pending = _send(sec, "post", f"{url}/invitations", {"state": "RU", "standing": "observer"}).json()
    assert _send(sec, "post", f"{url}/invitations", {"state": "CN", "standing": "king"}).status_code == 422

    cn_delegate = _bearer(accounts["cn"])
    assert cn_delegate.get(url).status_code == 404  # not yet accepted

    # The invitee's focal point finds its invitation and accepts it; a mere delegate may not.
    focal_cn = _bearer(_focal_point("CN"))
    mine = focal_cn.get("/api/v1/invitations").json()
    assert invitation["id"] in [i["id"] for i in mine]
    refused = _send(cn_delegate, "post", f"/api/v1/invitations/{invitation['id']}/answer", {"accept": True})
    assert refused.status_code == 403
    accepted = _send(focal_cn, "post", f"/api/v1/invitations/{invitation['id']}/answer", {"accept": True})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    twice = _send(focal_cn, "post", f"/api/v1/invitations/{invitation['id']}/answer", {"accept": False})
    assert twice.status_code == 400
    assert AuditEvent.objects.filter(verb="invitation.accepted", target_id=str(invitation["id"])).exists()

    for title, level in (
        ("Opening (test)", "participants"),
        ("Members-only red lines (test)", "members"),
        ("Closing (test)", "participants"),
    ):
        added = _send(sec, "post", f"{url}/agenda", {"title": title, "classification": level})
        assert added.status_code == 201, added.content

    seen = cn_delegate.get(url)
    assert seen.status_code == 200
    assert "Members-only red lines" not in seen.content.decode()
    agenda = seen.json()["agenda"]
    assert [(a["number"], a["title"]) for a in agenda] == [(1, "Opening (test)"), (2, "Closing (test)")]
    # A guest learns of no other invitation than accepted ones and its own (RU's pending one is hidden).
    assert [i["party"] for i in seen.json()["invitations"]] == ["CN"]
    assert [g["party"] for g in seen.json()["guests"]] == ["CN"]

    member_view = _bearer(accounts["kz"]).get(url).json()
    assert [a["number"] for a in member_view["agenda"]] == [1, 2, 3]
    assert member_view["agenda"][1]["title"] == "Members-only red lines (test)"
    assert {i["party"] for i in member_view["invitations"]} == {"CN", "RU"}

    # Another state's focal point: an invitation it cannot see is a 404, one it can see is a 403.
    focal_ru = _bearer(_focal_point("RU"))
    hidden = _send(focal_ru, "post", f"/api/v1/invitations/{invitation['id']}/answer", {"accept": False})
    assert hidden.status_code == 404
    demo_cn = Invitation.objects.get(meeting__code="demo-fm-2027", state__iso2="CN")
    visible = _send(focal_ru, "post", f"/api/v1/invitations/{demo_cn.pk}/answer", {"accept": False})
    assert visible.status_code == 403
    assert Invitation.objects.get(pk=invitation["id"]).status == InvitationStatus.ACCEPTED
    assert Invitation.objects.get(pk=demo_cn.pk).status == InvitationStatus.ACCEPTED
    assert _send(focal_cn, "post", f"/api/v1/invitations/{ru_pending['id']}/answer", {"accept": True}).status_code in (
        403,
        404,
    )
    assert Invitation.objects.get(pk=ru_pending["id"]).status == InvitationStatus.PENDING

    # Only the secretariat revokes; revoking takes the guest's access away at once.
    assert _send(focal_cn, "post", f"/api/v1/invitations/{invitation['id']}/revoke").status_code == 403
    revoked = _send(sec, "post", f"/api/v1/invitations/{invitation['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    gone = cn_delegate.get(url)
    assert gone.status_code == 404 and gone.json() == {"detail": "Not found."}
    assert code not in [m["code"] for m in cn_delegate.get("/api/v1/meetings").json()]


# --- agenda ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_agenda_add_move_patch_delete_with_audit(sec: Client, accounts: dict[str, Any]) -> None:
    url = "/api/v1/meetings/demo-fm-2027"
    ids = []
    for title, level in (("First (test)", "participants"), ("Second (test)", "members"), ("Third (test)", None)):
        body: dict[str, Any] = {"title": title, "presenter": "Chair (test)"}
        if level:
            body["classification"] = level
        response = _send(sec, "post", f"{url}/agenda", body)
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    assert response.json()["number"] == 3 and response.json()["classification"] == "participants"
    assert AuditEvent.objects.filter(verb="agenda.item_added").count() >= 3

    lower = _send(sec, "post", f"{url}/agenda", {"title": "Public (test)", "classification": "public"})
    assert lower.status_code == 400 and lower.json()["field"] == "classification"
    hidden = _send(sec, "post", f"{url}/agenda", {"title": "Restricted (test)", "classification": "restricted"})
    assert hidden.status_code == 400 and hidden.json()["field"] == "classification"
    empty = _send(sec, "post", f"{url}/agenda", {"title": "  "})
    assert empty.status_code == 400 and empty.json()["field"] == "title"
    linked = _send(sec, "post", f"{url}/agenda", {"title": "Linked (test)", "documents": ["demo-fm-2027-agenda"]})
    assert linked.status_code == 201 and linked.json()["documents"] == ["demo-fm-2027-agenda"]
    unknown = _send(sec, "post", f"{url}/agenda", {"title": "x", "documents": ["no-such-document"]})
    assert unknown.status_code == 400 and unknown.json()["field"] == "documents"

    moved = _send(sec, "post", f"/api/v1/agenda/{ids[2]}/move", {"position": 1})
    assert moved.status_code == 200, moved.content
    assert [a["title"] for a in moved.json()][:3] == ["Third (test)", "First (test)", "Second (test)"]
    assert [a["number"] for a in moved.json()] == list(range(1, len(moved.json()) + 1))
    nowhere = _send(sec, "post", f"/api/v1/agenda/{ids[2]}/move", {"position": 99})
    assert nowhere.status_code == 400 and nowhere.json()["field"] == "position"
    assert AuditEvent.objects.filter(verb="agenda.item_moved", target_id=str(ids[2])).exists()

    patched = _send(sec, "patch", f"/api/v1/agenda/{ids[0]}", {"version": 1, "status": "done", "title": "First!"})
    assert patched.status_code == 200, patched.content
    assert patched.json()["status"] == "done" and patched.json()["version"] == 2 and patched.json()["number"] == 2
    stale = _send(sec, "patch", f"/api/v1/agenda/{ids[0]}", {"version": 1, "status": "pending"})
    assert stale.status_code == 409
    assert _send(sec, "patch", f"/api/v1/agenda/{ids[0]}", {"version": 2, "status": "maybe"}).status_code == 422
    assert AgendaItem.objects.get(pk=ids[0]).status == "done"
    assert AuditEvent.objects.filter(verb="agenda.item_updated", target_id=str(ids[0])).count() == 1

    # A guest cannot address a members-only item; a member delegate may read but not change one.
    cn = _bearer(accounts["cn"])
    assert _send(cn, "patch", f"/api/v1/agenda/{ids[1]}", {"version": 1, "status": "done"}).status_code == 404
    assert cn.delete(f"/api/v1/agenda/{ids[1]}").status_code == 404
    kz = _bearer(accounts["kz"])
    assert _send(kz, "patch", f"/api/v1/agenda/{ids[1]}", {"version": 1, "status": "done"}).status_code == 403
    assert kz.delete(f"/api/v1/agenda/{ids[0]}").status_code == 403

    deleted = sec.delete(f"/api/v1/agenda/{ids[2]}")
    assert deleted.status_code == 204
    assert not AgendaItem.objects.filter(pk=ids[2]).exists()
    assert AuditEvent.objects.filter(verb="agenda.item_removed", target_id=str(ids[2])).exists()
    positions = list(AgendaItem.objects.filter(meeting__code="demo-fm-2027").values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1))
    assert sec.delete(f"/api/v1/agenda/{ids[2]}").status_code == 404


# --- delegations -----------------------------------------------------------------------------


DELEGATION = [
    {"full_name": "Demo Head (test)", "position_title": "Minister of Foreign Affairs", "role": "head"},
    {"full_name": '=HYPERLINK("http://x")', "position_title": "Adviser", "role": "adviser"},
]


@pytest.mark.django_db
def test_delegation_kept_by_its_focal_point_and_exported(sec: Client, accounts: dict[str, Any]) -> None:
    uz = _bearer(accounts["uz"])
    url = "/api/v1/meetings/demo-fm-2027"
    saved = _send(uz, "put", f"{url}/delegation", {"members": DELEGATION})
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["state"] == "UZ" and body["version"] == 2
    assert (body["members"][0]["full_name"], body["members"][0]["role"]) == ("Demo Head (test)", "head")
    assert AuditEvent.objects.filter(verb="delegation.saved").exists()

    two_heads = [*DELEGATION, {"full_name": "Another Head (test)", "role": "head"}]
    refused = _send(uz, "put", f"{url}/delegation", {"members": two_heads, "version": 2})
    assert refused.status_code == 400 and refused.json()["field"] == "members"
    assert "one head" in refused.json()["detail"]
    stale = _send(uz, "put", f"{url}/delegation", {"members": DELEGATION[:1], "version": 1})
    assert stale.status_code == 409
    bad_role = _send(uz, "put", f"{url}/delegation", {"members": [{"full_name": "X", "role": "king"}]})
    assert bad_role.status_code == 422
    not_focal = _send(_bearer(accounts["kz"]), "put", f"{url}/delegation", {"members": DELEGATION})
    assert not_focal.status_code == 403
    delegation = Delegation.objects.get(meeting__code="demo-fm-2027", state__iso2="UZ")
    assert delegation.members.count() == 2 and delegation.version == 2
    assert not Delegation.objects.filter(meeting__code="demo-fm-2027", state__iso2="KZ").exists()

    detail = _bearer(accounts["kz"]).get(url).json()
    assert detail["delegations"][0]["state"] == "UZ" and len(detail["delegations"][0]["members"]) == 2

    export = sec.get(f"{url}/delegations.csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    text = export.content.decode()
    assert text.splitlines()[0] == "state,role,full_name,position,accreditation"
    assert "UZ,head,Demo Head (test),Minister of Foreign Affairs,requested" in text
    assert "'=HYPERLINK" in text  # a spreadsheet will not run it as a formula
    assert _bearer(accounts["kz"]).get(f"{url}/delegations.csv").status_code == 403
    assert _bearer(accounts["cn"]).get("/api/v1/meetings/demo-hos-extra-2027/delegations.csv").status_code == 404
    assert Client().get(f"{url}/delegations.csv").status_code == 401


# --- query count -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_detail_query_count_does_not_grow(accounts: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kenes.meetings import actions

    meeting = Meeting.objects.get(code="demo-fm-2027")
    client = _bearer(accounts["kz"])
    url = "/api/v1/meetings/demo-fm-2027"

    def grow(index: int) -> None:
        for n in range(3):
            actions.add_agenda_item("test", meeting, title=f"Item {index}.{n} (test)", presenter="x")
        iso2 = ["KZ", "KG", "TJ", "TM", "UZ", "AZ"][index]
        people = [{"full_name": f"Person {iso2} {n} (test)", "role": "member"} for n in range(4)]
        actions.save_delegation("test", meeting, members=people, state=State.objects.get(iso2=iso2))

    counts = []
    for index in range(3):
        grow(index * 2)
        grow(index * 2 + 1)
        client.get(url)  # warm per-request caches alike
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    body = response.json()
    assert len(body["agenda"]) == 18 and len(body["delegations"]) == 6
    assert counts[0] == counts[1] == counts[2], counts
