"""The JSON API of negotiated texts: plain and structured wording round-trip, every write through an
action, bad input refused with a clear error that changes nothing, and what a caller may not see is
a 404 — a members-only text, its positions, amendments, notes and diff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kenes.audit.models import AuditEvent
from kenes.texts import actions
from kenes.texts.models import Amendment, Position, PrivateNote, Text, TextStatus, UnitVersion
from tests.texts.test_negotiation import people  # noqa: F401  (fixture: all six member delegations)

FM = "ca_foreign_ministers"
MEETING = "demo-fm-2027"
MEMBERS = ("kz", "uz", "kg", "tj", "tm", "az")

STRUCTURED = [
    {"text": "Ministers meet "},
    {"options": [{"text": "at least once every six months", "sponsors": ["KZ", "UZ"]},
                 {"text": "annually", "sponsors": ["TM"]}]},
    {"text": "."},
]  # fmt: skip
PLAIN = "Ministers meet [at least once every six months {KZ,UZ} | annually {TM}]."


def _bearer(account: Any) -> Client:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kenes.people.actions import create_token

    if account.requires_two_factor and not TOTPDevice.objects.filter(user=account, confirmed=True).exists():
        TOTPDevice.objects.create(user=account, name="test authenticator", confirmed=True)
    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def clients(people: dict[str, Any]) -> dict[str, Client]:  # noqa: F811
    return {name: _bearer(account) for name, account in people.items()}


def _create(client: Client, code: str = "api-statement", classification: str = "participants", **extra: Any) -> Any:
    body: dict[str, Any] = {
        "code": code,
        "title": "DEMO joint statement via the API (fictional)",
        "kind": "joint_statement",
        "format": FM,
        "meeting": MEETING,
        "classification": classification,
        "languages": ["ru", "en"],
        "units": [
            {"kind": "preamble", "content": "Recalling the IV Consultative Meeting (demo),"},
            {"kind": "operative", "segments": STRUCTURED},
        ],
    }
    body.update(extra)
    return _send(client, "post", "/api/v1/texts", body)


def _unit(room: dict[str, Any], uid: str) -> dict[str, Any]:
    return next(u for u in room["units"] if u["uid"] == uid)


def _resolve_and_agree(clients: dict[str, Client], code: str) -> None:
    """Delete the second option through an amendment, then every member supports every unit."""
    amendment = _send(clients["kz"], "post", f"/api/v1/texts/{code}/units/OP1/amendments",
                      {"kind": "delete", "bracket_index": 0, "option_index": 1, "reason": "demo"})  # fmt: skip
    assert amendment.status_code == 201, amendment.content
    decided = _send(clients["secretariat"], "post", f"/api/v1/amendments/{amendment.json()['id']}/decision",
                    {"accept": True})  # fmt: skip
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    for uid in ("PP1", "OP1"):
        for name in MEMBERS:
            response = _send(
                clients[name], "post", f"/api/v1/texts/{code}/units/{uid}/positions", {"stance": "support"}
            )
            assert response.status_code == 201, response.content


# --- Creating and reading --------------------------------------------------------------------


@pytest.mark.django_db
def test_structured_round_trip_and_plain_syntax_give_the_same_structure(clients: dict[str, Client]) -> None:
    created = _create(clients["secretariat"])
    assert created.status_code == 201, created.content
    room = clients["kz"].get("/api/v1/texts/api-statement").json()
    op1 = _unit(room, "OP1")
    assert op1["languages"]["ru"]["content"] == PLAIN
    assert op1["languages"]["ru"]["segments"] == STRUCTURED
    assert op1["state"] == "bracketed" and op1["kind"] == "operative" and op1["revision"] == 1
    assert op1["languages"]["en"] == {"content": "", "segments": [], "out_of_date": True}
    assert room["classification"] == "participants" and op1["classification"] == "participants"
    assert room["open_brackets"] == 1 and room["members"] == ["AZ", "KG", "KZ", "TJ", "TM", "UZ"]
    assert [v["number"] for v in room["versions"]] == [1] and room["versions"][0]["open_brackets"] == 1

    plain = _send(clients["secretariat"], "post", "/api/v1/texts", {
        "code": "api-plain", "title": "DEMO plain (fictional)", "kind": "concept", "format": FM,
        "units": [{"content": PLAIN}],
    })  # fmt: skip
    assert plain.status_code == 201, plain.content
    assert _unit(plain.json(), "OP1")["languages"]["ru"]["segments"] == STRUCTURED

    listed = clients["kz"].get("/api/v1/texts").json()
    assert {"api-statement", "api-plain"} <= {t["code"] for t in listed}
    assert Client().get("/api/v1/texts/api-statement").status_code == 404  # not public


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "status", "field"),
    [
        ({"content": "Ministers meet [annually."}, 400, "units.0.content"),
        ({"segments": [{"options": []}]}, 422, "options"),  # a bracket needs an option: in the schema
        ({"segments": [{"text": "a"}, {"text": "b"}]}, 400, "units.0.segments"),
        ({"content": "x", "segments": [{"text": "x"}]}, 400, "units.0.segments"),
        ({"kind": "operative"}, 400, "units.0.content"),
        ({"content": "x", "colour": "red"}, 422, "colour"),
        ({"segments": [{"text": "x", "bold": True}]}, 422, "bold"),
    ],
)
def test_bad_units_are_refused_naming_the_field(
    clients: dict[str, Client], unit: dict[str, Any], status: int, field: str
) -> None:
    before = AuditEvent.objects.count()
    response = _create(clients["secretariat"], units=[unit])
    assert response.status_code == status, response.content
    body = response.json()
    if status == 400:
        assert body["field"] == field and body["detail"]
    else:
        assert field in [str(part) for error in body["detail"] for part in error["loc"]]
    assert not Text.objects.filter(code="api-statement").exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_unknown_fields_and_codes(clients: dict[str, Client]) -> None:
    assert _create(clients["secretariat"], colour="red").status_code == 422
    bad = _create(clients["secretariat"], code="no spaces/here")  # the code's pattern is in the schema
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "payload", "code"]
    assert _create(clients["kz"]).status_code == 403  # only the secretariat drafts
    assert _create(Client()).status_code == 401
    assert not Text.objects.filter(code="api-statement").exists()


# --- Drafting --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_add_and_conflict(clients: dict[str, Client]) -> None:
    _create(clients["secretariat"])
    sec = clients["secretariat"]
    url = "/api/v1/texts/api-statement/units/PP1"
    english = _send(sec, "put", f"{url}/en", {"expected_revision": 1, "content": "Recalling the IV meeting (demo),"})
    assert english.status_code == 200, english.content
    assert english.json()["languages"]["en"]["out_of_date"] is False
    russian = _send(sec, "put", f"{url}/ru", {"expected_revision": 1, "segments": [{"text": "Ссылаясь (демо),"}]})
    assert russian.status_code == 200, russian.content
    body = russian.json()
    assert body["revision"] == 2 and body["languages"]["en"]["out_of_date"] is True
    assert body["languages"]["ru"]["content"] == "Ссылаясь (демо),"
    stale = _send(sec, "put", f"{url}/ru", {"expected_revision": 1, "content": "Другое (демо),"})
    assert stale.status_code == 409
    assert UnitVersion.objects.get(unit__uid="PP1", unit__text__code="api-statement", language="ru").content == (
        "Ссылаясь (демо),"
    )
    unbalanced = _send(sec, "put", f"{url}/ru", {"expected_revision": 2, "content": "Ссылаясь [на"})
    assert unbalanced.status_code == 400 and unbalanced.json()["field"] == "content"
    assert "brackets are not right" in unbalanced.json()["detail"]
    assert _send(sec, "put", f"{url}/fr", {"expected_revision": 2, "content": "x"}).json()["field"] == "language"
    assert _send(clients["kz"], "put", f"{url}/ru", {"expected_revision": 2, "content": "x"}).status_code == 403

    added = _send(sec, "post", "/api/v1/texts/api-statement/units", {"kind": "operative", "content": "New (demo).",
                                                                     "after": "PP1"})  # fmt: skip
    assert added.status_code == 201 and added.json()["uid"] == "OP2" and added.json()["order"] == 2
    missing = _send(sec, "post", "/api/v1/texts/api-statement/units", {"content": "x", "after": "OP9"})
    assert missing.status_code == 400 and missing.json()["field"] == "after"
    assert clients["kz"].get("/api/v1/texts/api-statement/units/OP9").status_code in (404, 405)


# --- Amendments and positions ----------------------------------------------------------------


@pytest.mark.django_db
def test_amendments_through_the_api(clients: dict[str, Client]) -> None:
    _create(clients["secretariat"])
    base = "/api/v1/texts/api-statement/units/OP1/amendments"
    proposal = _send(clients["tm"], "post", base, {
        "kind": "replace", "bracket_index": 0, "option_index": 1, "segments": [{"text": "once a year"}],
        "reason": "demo",
    })  # fmt: skip
    assert proposal.status_code == 201, proposal.content
    assert proposal.json()["content"] == "once a year" and proposal.json()["state"] == "TM"
    counter = _send(clients["uz"], "post", base, {"kind": "replace", "content": "every year",
                                                  "parent": proposal.json()["id"]})  # fmt: skip
    assert counter.status_code == 201 and counter.json()["parent"] == proposal.json()["id"]
    assert _send(clients["kz"], "post", f"/api/v1/amendments/{counter.json()['id']}/withdraw").status_code == 403
    withdrawn = _send(clients["uz"], "post", f"/api/v1/amendments/{counter.json()['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    no_option = _send(clients["kz"], "post", base, {"kind": "delete", "bracket_index": 3, "option_index": 0})
    assert no_option.status_code == 400 and no_option.json()["field"] == "option_index"
    bad_parent = _send(clients["kz"], "post", base, {"kind": "replace", "content": "x", "parent": 999999})
    assert bad_parent.status_code == 400 and bad_parent.json()["field"] == "parent"
    decided = _send(clients["secretariat"], "post", f"/api/v1/amendments/{proposal.json()['id']}/decision",
                    {"accept": True})  # fmt: skip
    assert decided.status_code == 200 and decided.json()["decided_in_version"] == 2
    op1 = _unit(clients["kz"].get("/api/v1/texts/api-statement").json(), "OP1")
    assert (
        op1["languages"]["ru"]["content"]
        == "Ministers meet [at least once every six months {KZ,UZ} | once a year {TM}]."
    )
    assert [a["status"] for a in op1["amendments"]] == ["accepted", "withdrawn"]
    assert all(a["classification"] == "participants" for a in op1["amendments"])


@pytest.mark.django_db
def test_positions_and_guests(clients: dict[str, Client]) -> None:
    _create(clients["secretariat"])
    url = "/api/v1/texts/api-statement/units/OP1/positions"
    whole = _send(clients["kz"], "post", url, {"stance": "reservation", "note": "demo reservation"})
    assert whole.status_code == 201 and whole.json()["bracket_index"] is None
    option = _send(clients["tm"], "post", url, {"stance": "support", "bracket_index": 0, "option_index": 1})
    assert option.status_code == 201 and option.json()["option_index"] == 1
    reasonless = _send(clients["uz"], "post", url, {"stance": "objection"})
    assert reasonless.status_code == 400 and reasonless.json()["field"] == "note"

    guest = _send(clients["cn"], "post", url, {"stance": "objection", "note": "a guest objects"})
    assert guest.status_code == 403
    assert not Position.objects.filter(state__iso2="CN").exists()
    assert Position.objects.filter(unit__text__code="api-statement").count() == 2
    comment = _send(clients["cn"], "post", "/api/v1/texts/api-statement/units/OP1/comments",
                    {"body": "A guest's remark (demo)."})  # fmt: skip
    assert comment.status_code == 201 and comment.json()["state"] == "CN"

    op1 = _unit(clients["cn"].get("/api/v1/texts/api-statement").json(), "OP1")  # participants: guests read it
    assert set(op1["positions"]) == {"KZ"} and op1["positions"]["KZ"]["stance"] == "reservation"
    assert [(p["state"], p["option_index"]) for p in op1["option_positions"]] == [("TM", 1)]
    assert [c["state"] for c in op1["comments"]] == ["CN"]


@pytest.mark.django_db
def test_amendment_to_a_frozen_text_is_refused(clients: dict[str, Client]) -> None:
    _create(clients["secretariat"])
    _resolve_and_agree(clients, "api-statement")
    adopted = _send(clients["secretariat"], "post", "/api/v1/texts/api-statement/adopt")
    assert adopted.status_code == 200, adopted.content
    assert adopted.json()["status"] == "adopted" and set(adopted.json()["adopted_hashes"]) == {"ru"}
    before = Amendment.objects.count()
    refused = _send(clients["kz"], "post", "/api/v1/texts/api-statement/units/PP1/amendments",
                    {"kind": "replace", "content": "Other words (demo)."})  # fmt: skip
    assert refused.status_code == 400 and "frozen" in refused.json()["detail"]
    assert Amendment.objects.count() == before
    edit = _send(clients["secretariat"], "put", "/api/v1/texts/api-statement/units/PP1/ru",
                 {"expected_revision": 1, "content": "x"})  # fmt: skip
    assert edit.status_code == 400 and "frozen" in edit.json()["detail"]
    again = _send(clients["secretariat"], "post", "/api/v1/texts/api-statement/adopt")
    assert again.status_code == 400


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_guest_never_sees_a_members_only_text(clients: dict[str, Client]) -> None:
    assert _create(clients["secretariat"], code="api-members", classification="members").status_code == 201
    amendment = _send(clients["kz"], "post", "/api/v1/texts/api-members/units/OP1/amendments",
                      {"kind": "delete", "bracket_index": 0, "option_index": 1})  # fmt: skip
    _send(clients["secretariat"], "post", f"/api/v1/amendments/{amendment.json()['id']}/decision", {"accept": True})
    _send(clients["kz"], "post", "/api/v1/texts/api-members/units/OP1/positions", {"stance": "support"})
    guest = clients["cn"]
    for url in (
        "/api/v1/texts/api-members",
        "/api/v1/texts/api-members/diff?from=1&to=2",
        "/api/v1/texts/api-members/pdf",
        "/texts/api-members/pdf/",
    ):
        response = guest.get(url)
        assert response.status_code == 404, url
        assert "via the API" not in response.content.decode()  # the title does not leak
    assert "api-members" not in {t["code"] for t in guest.get("/api/v1/texts").json()}
    writes = [
        ("post", "/api/v1/texts/api-members/notes", {"body": "guest note"}),
        ("post", "/api/v1/texts/api-members/units/OP1/positions", {"stance": "support"}),
        ("post", "/api/v1/texts/api-members/units/OP1/comments", {"body": "guest comment"}),
        ("post", "/api/v1/texts/api-members/units/OP1/amendments", {"kind": "replace", "content": "x"}),
        ("post", f"/api/v1/amendments/{amendment.json()['id']}/withdraw", None),
        ("post", "/api/v1/texts/api-members/signatures", None),
    ]
    for method, url, body in writes:
        assert _send(guest, method, url, body).status_code == 404, url
    assert not PrivateNote.objects.filter(text__code="api-members").exists()
    assert clients["kz"].get("/api/v1/texts/api-members").status_code == 200


@pytest.mark.django_db
def test_private_notes_stay_private(clients: dict[str, Client]) -> None:
    _create(clients["secretariat"])
    note = _send(clients["kz"], "post", "/api/v1/texts/api-statement/notes",
                 {"body": "DEMO red line of Kazakhstan (fictional)", "unit": "OP1", "red_line": True})  # fmt: skip
    assert note.status_code == 201, note.content
    assert note.json()["private_to"] == "KZ" and note.json()["unit"] == "OP1"
    assert note.json()["classification"] == "participants"
    _send(clients["uz"], "post", "/api/v1/texts/api-statement/notes", {"body": "DEMO note of Uzbekistan"})
    kz_room = clients["kz"].get("/api/v1/texts/api-statement").json()
    assert [n["body"] for n in kz_room["notes"]] == ["DEMO red line of Kazakhstan (fictional)"]
    for name in ("uz", "secretariat", "cn", "kg"):
        raw = clients[name].get("/api/v1/texts/api-statement").content.decode()
        assert "red line of Kazakhstan" not in raw, name
    assert [n["private_to"] for n in clients["uz"].get("/api/v1/texts/api-statement").json()["notes"]] == ["UZ"]
    bad_unit = _send(clients["kz"], "post", "/api/v1/texts/api-statement/notes", {"body": "x", "unit": "OP7"})
    assert bad_unit.status_code == 400 and bad_unit.json()["field"] == "unit"


# --- Versions and diff -----------------------------------------------------------------------


@pytest.mark.django_db
def test_diff_between_versions(clients: dict[str, Client]) -> None:
    _create(clients["secretariat"])
    _resolve_and_agree(clients, "api-statement")
    diff = clients["kz"].get("/api/v1/texts/api-statement/diff?from=1&to=2")
    assert diff.status_code == 200, diff.content
    body = diff.json()
    assert body["from_version"] == 1 and body["to_version"] == 2 and body["language"] == "ru"
    op1 = next(u for u in body["units"] if u["uid"] == "OP1")
    assert op1["change"] == "changed"
    assert any(d["op"] == "-" and "annually" in d["words"] for d in op1["diff"])
    assert any(d["op"] == "+" and "months." in d["words"] for d in op1["diff"])
    assert next(u for u in body["units"] if u["uid"] == "PP1")["change"] == "same"
    missing = clients["kz"].get("/api/v1/texts/api-statement/diff?from=1&to=9")
    assert missing.status_code == 404 and "no such version" in missing.json()["detail"]
    english = clients["kz"].get("/api/v1/texts/api-statement/diff?from=1&to=2&language=en").json()
    assert all(u["change"] == "same" for u in english["units"])
    assert clients["kz"].get("/api/v1/texts/api-statement/diff?from=1&to=2&language=fr").status_code == 400
    assert clients["kz"].get("/api/v1/texts/api-statement/diff?to=2").status_code == 422


# --- Silence, adoption, signatures -----------------------------------------------------------


@pytest.mark.clock
@pytest.mark.django_db
def test_silence_procedure_through_the_api(clients: dict[str, Client]) -> None:
    _create(clients["secretariat"])
    sec = clients["secretariat"]
    future = (timezone.now() + dt.timedelta(days=3)).astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    local = future.replace(hour=18, minute=0, second=0)
    not_clean = _send(sec, "post", "/api/v1/texts/api-statement/silence",
                      {"deadline": local.isoformat(), "timezone": "Asia/Almaty"})  # fmt: skip
    assert not_clean.status_code == 400 and "clean" in not_clean.json()["detail"]
    _resolve_and_agree(clients, "api-statement")
    bad_zone = _send(sec, "post", "/api/v1/texts/api-statement/silence",
                     {"deadline": local.isoformat(), "timezone": "Mars/Olympus"})  # fmt: skip
    assert bad_zone.status_code == 400 and bad_zone.json()["field"] == "timezone"
    started = _send(sec, "post", "/api/v1/texts/api-statement/silence",
                    {"deadline": local.isoformat(), "timezone": "Asia/Almaty"})  # fmt: skip
    assert started.status_code == 200, started.content
    silence = started.json()["silence"]
    assert silence["timezone"] == "Asia/Almaty"
    assert silence["deadline"].startswith(local.isoformat()) and silence["deadline"][19:] in ("+05:00", "+06:00")

    assert _send(clients["cn"], "post", "/api/v1/texts/api-statement/silence/break", {"reason": "guest"}).status_code \
        == 403  # fmt: skip
    broken = _send(clients["tj"], "post", "/api/v1/texts/api-statement/silence/break",
                   {"reason": "Demo: we need another day."})  # fmt: skip
    assert broken.status_code == 200 and broken.json()["status"] == "drafting" and broken.json()["silence"] is None
    assert [b["state"] for b in broken.json()["silence_breaks"]] == ["TJ"]

    again = _send(sec, "post", "/api/v1/texts/api-statement/silence",
                  {"deadline": local.isoformat(), "timezone": "Asia/Almaty"})  # fmt: skip
    assert again.status_code == 200 and again.json()["status"] == "silence"
    Text.objects.filter(code="api-statement").update(silence_deadline=timezone.now() - dt.timedelta(seconds=1))
    late = _send(clients["kz"], "post", "/api/v1/texts/api-statement/silence/break", {"reason": "late"})
    assert late.status_code == 400 and "too late" in late.json()["detail"]
    late_objection = _send(clients["kz"], "post", "/api/v1/texts/api-statement/units/OP1/positions",
                           {"stance": "objection", "note": "late"})  # fmt: skip
    assert late_objection.status_code == 400 and "too late" in late_objection.json()["detail"]
    assert Text.objects.get(code="api-statement").status == TextStatus.SILENCE

    assert actions.adopt_due_silences() == ["api-statement"]
    room = clients["kz"].get("/api/v1/texts/api-statement").json()
    assert room["status"] == "adopted" and room["adopted_by"] == "silence" and room["silence"] is None
    assert set(room["adopted_hashes"]) == {"ru"}  # English was never written: no hash for it


@pytest.mark.django_db
def test_signatures(clients: dict[str, Client]) -> None:
    _create(clients["secretariat"])
    assert _send(clients["kz"], "post", "/api/v1/texts/api-statement/signatures").status_code == 400  # not adopted
    _resolve_and_agree(clients, "api-statement")
    _send(clients["secretariat"], "post", "/api/v1/texts/api-statement/adopt")
    signed = _send(clients["kz"], "post", "/api/v1/texts/api-statement/signatures")
    assert signed.status_code == 201, signed.content
    hashes = Text.objects.get(code="api-statement").adopted_hashes
    assert signed.json()["state"] == "KZ" and signed.json()["hashes"] == hashes
    twice = _send(clients["kz"], "post", "/api/v1/texts/api-statement/signatures")
    assert twice.status_code == 400 and "already signed" in twice.json()["detail"]
    assert _send(clients["cn"], "post", "/api/v1/texts/api-statement/signatures").status_code == 403
    room = clients["uz"].get("/api/v1/texts/api-statement").json()
    assert [(s["state"], s["classification"]) for s in room["signatures"]] == [("KZ", "participants")]


@pytest.mark.django_db
def test_openapi_lists_the_text_paths() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/texts",
        "/api/v1/texts/{code}",
        "/api/v1/texts/{code}/units/{uid}/{language}",
        "/api/v1/texts/{code}/units/{uid}/amendments",
        "/api/v1/amendments/{amendment_id}/decision",
        "/api/v1/texts/{code}/diff",
        "/api/v1/texts/{code}/silence/break",
        "/api/v1/texts/{code}/signatures",
        "/api/v1/texts/{code}/pdf",
    ):
        assert path in paths, path


@pytest.mark.django_db
def test_the_room_costs_the_same_queries_however_long_the_text(clients: dict[str, Client]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _create(clients["secretariat"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert clients["kz"].get("/api/v1/texts/api-statement").status_code == 200
        return len(queries)

    small = count()
    for number in range(8):
        uid = _send(clients["secretariat"], "post", "/api/v1/texts/api-statement/units",
                    {"content": f"Paragraph {number} [a {{KZ}} | b {{UZ}}] (demo)."}).json()["uid"]  # fmt: skip
        _send(clients["kz"], "post", f"/api/v1/texts/api-statement/units/{uid}/positions", {"stance": "support"})
        _send(clients["uz"], "post", f"/api/v1/texts/api-statement/units/{uid}/amendments",
              {"kind": "replace", "content": f"Other {number} (demo)."})  # fmt: skip
        _send(clients["cn"], "post", f"/api/v1/texts/api-statement/units/{uid}/comments", {"body": "demo"})
        _send(clients["kz"], "post", "/api/v1/texts/api-statement/notes", {"body": "demo", "unit": uid})
    assert count() == small
