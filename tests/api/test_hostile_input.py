"""Hostile input (issue 10, item 2): every bad input is a 4xx that names the field, changes nothing
and is never a 5xx — through the API and through the pages, on SQLite and on PostgreSQL (run the
suite again with ``KENES_DATABASE_URL`` set to a PostgreSQL database).

The kinds, each through both doors:

* a control character (NUL, which PostgreSQL refuses outright; ESC; DEL; a C1 control) in a text
  field, a path or a query;
* a lone UTF-16 surrogate (``"\\ud800"`` in JSON): pages cannot receive one, forms are decoded as
  UTF-8 with replacement;
* more characters than the field's limit (``kenes.inputs``; the limits are the action modules'
  constants, published in the schema as ``maxLength``);
* two requests creating the same code at once: the second one's insert meets the first one's row
  (simulated exactly: the other request's row is written between the check and the insert);
* a meeting time with a UTC offset (SQLite cannot store one).

The API refuses what its schema forbids with a 422 whose ``loc`` names the field; a rule an action
holds is a 400 ``{"detail", "field"}``; the pages answer 400 with the message on the form.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from kenes import inputs
from kenes.audit.models import AuditEvent
from kenes.decisions import actions as decision_actions
from kenes.decisions.models import Decision, Instruction, Report
from kenes.errors import ActionError
from kenes.meetings import actions as meeting_actions
from kenes.meetings.models import AgendaItem, DelegationMember, Document, Format, Meeting
from kenes.people.demo import DEMO_DRAFT_TEXT, DEMO_MEETING, DEMO_TEXT
from kenes.texts import actions as text_actions
from kenes.texts.models import Amendment, Comment, Position, PrivateNote, Signature, Text, UnitVersion
from tests.conftest import login, verified

CONTROLS = {"nul": "\x00", "esc": "\x1b", "del": "\x7f", "c1": "\x85"}
FM = "ca_foreign_ministers"


def _bearer(account: Any) -> Client:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", account, "x")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def api(accounts: dict[str, Any]) -> dict[str, Client]:
    return {name: _bearer(accounts[name]) for name in ("secretariat", "kz", "uz")}


@pytest.fixture
def pages(accounts: dict[str, Any]) -> dict[str, Client]:
    return {name: login(Client(), accounts[name]) for name in ("secretariat", "kz", "uz")}


def _send(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def _snapshot() -> tuple[int, ...]:
    """What a refused write must leave as it was: the audit log and every object a write makes."""
    return tuple(
        model.objects.count()
        for model in (AuditEvent, Text, UnitVersion, Amendment, Position, Comment, PrivateNote, Meeting, AgendaItem,
                      DelegationMember, Document, Decision, Instruction, Report, Signature)
    )  # fmt: skip


def _contents() -> dict[str, Any]:
    """The free text that a refused edit must leave untouched."""
    return {
        "units": sorted(UnitVersion.objects.values_list("pk", "content")),
        "documents": sorted(Document.objects.values_list("pk", "title_en", "body", "version")),
        "agenda": sorted(AgendaItem.objects.values_list("pk", "title", "presenter", "version")),
        "instructions": sorted(Instruction.objects.values_list("pk", "cancel_reason")),
        "reports": sorted(Report.objects.values_list("pk", "review", "review_comment")),
    }


@contextmanager
def _unchanged() -> Iterator[None]:
    before, contents = _snapshot(), _contents()
    yield
    assert _snapshot() == before
    assert _contents() == contents


def _loc(response: Any) -> list[str]:
    return [".".join(str(part) for part in issue["loc"]) for issue in response.json()["detail"]]


# --- The API: one write of each kind, with the bad value in one field ------------------------------


def _ids() -> dict[str, Any]:
    report = Report.objects.filter(is_demo=True).first()
    assert report is not None
    return {
        "draft": DEMO_DRAFT_TEXT,
        "meeting": DEMO_MEETING,
        "document": "demo-fm-2027-press",
        "instruction": report.instruction_id,
        "report": report.pk,
        "revision": Text.objects.get(code=DEMO_DRAFT_TEXT).units.get(uid="OP1").revision,
        "version": Document.objects.get(code="demo-fm-2027-press").version,
    }


# (who, method, url, body with {bad} where the bad value goes, the field's location)
API_WRITES: list[tuple[str, str, str, dict[str, Any], str]] = [
    ("secretariat", "post", "/api/v1/texts",
     {"code": "hostile", "title": "DEMO {bad}", "kind": "joint_statement", "format": FM,
      "units": [{"content": "Ministers meet."}]}, "body.payload.title"),
    ("secretariat", "post", "/api/v1/texts",
     {"code": "hostile", "title": "DEMO", "kind": "joint_statement", "format": FM,
      "units": [{"content": "Ministers {bad} meet."}]}, "body.payload.units.0.content"),
    ("secretariat", "put", "/api/v1/texts/{draft}/units/OP1/ru",
     {"expected_revision": "{revision}", "content": "Ministers {bad} meet."}, "body.payload.content"),
    ("kz", "post", "/api/v1/texts/{draft}/units/OP1/amendments",
     {"kind": "replace", "content": "Ministers meet.", "reason": "Because {bad}"}, "body.payload.reason"),
    ("kz", "post", "/api/v1/texts/{draft}/units/OP1/amendments",
     {"kind": "replace", "segments": [{"text": "Ministers {bad} meet."}]}, "body.payload.segments.0.text.text"),
    ("kz", "post", "/api/v1/texts/{draft}/units/OP1/positions",
     {"stance": "objection", "note": "No {bad}"}, "body.payload.note"),
    ("kz", "post", "/api/v1/texts/{draft}/units/OP1/comments", {"body": "A comment {bad}"}, "body.payload.body"),
    ("kz", "post", "/api/v1/texts/{draft}/notes", {"body": "Red line {bad}", "red_line": True}, "body.payload.body"),
    ("secretariat", "post", "/api/v1/meetings",
     {"format": FM, "start_date": "2031-03-03", "title_en": "DEMO {bad}"}, "body.payload.title_en"),
    ("secretariat", "post", "/api/v1/meetings",
     {"format": FM, "start_date": "2031-03-03", "city_en": "Astana{bad}"}, "body.payload.city_en"),
    ("secretariat", "post", "/api/v1/meetings/{meeting}/agenda", {"title": "Item {bad}"}, "body.payload.title"),
    ("secretariat", "post", "/api/v1/meetings/{meeting}/agenda",
     {"title": "Item", "presenter": "A {bad}"}, "body.payload.presenter"),
    ("uz", "put", "/api/v1/meetings/{meeting}/delegation",
     {"members": [{"full_name": "A. Demo{bad}"}]}, "body.payload.members.0.full_name"),
    ("secretariat", "patch", "/api/v1/documents/{document}",
     {"version": "{version}", "body": "Text {bad}"}, "body.payload.body"),
    ("secretariat", "post", "/api/v1/instructions/{instruction}/cancel",
     {"reason": "Done {bad}"}, "body.payload.reason"),
    ("uz", "post", "/api/v1/instructions/{instruction}/reports",
     {"body": "Done {bad}", "progress": "done"}, "body.payload.body"),
    ("secretariat", "post", "/api/v1/reports/{report}/return", {"comment": "Why {bad}"}, "body.payload.comment"),
]  # fmt: skip


def _fill(value: Any, bad: str, ids: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, bad, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, bad, ids) for v in value]
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.replace("{bad}", bad).format(**ids) if "{" in value else value
    return value


def _url(template: str, ids: dict[str, Any]) -> str:
    return template.format(**ids)


@pytest.mark.django_db
@pytest.mark.parametrize("char", list(CONTROLS), ids=list(CONTROLS))
@pytest.mark.parametrize(
    ("who", "method", "url", "body", "loc"), API_WRITES, ids=[w[4] + ":" + w[2] for w in API_WRITES]
)
def test_api_refuses_control_characters_naming_the_field(
    api: dict[str, Client], char: str, who: str, method: str, url: str, body: dict[str, Any], loc: str
) -> None:
    ids = _ids()
    with _unchanged():
        response = _send(api[who], method, _url(url, ids), _fill(body, CONTROLS[char], ids))
        assert response.status_code == 422, response.content
        assert loc in _loc(response)
        assert any("control character" in issue["msg"] for issue in response.json()["detail"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "method", "url", "body", "loc"), API_WRITES, ids=[w[4] + ":" + w[2] for w in API_WRITES]
)
def test_api_refuses_a_lone_surrogate_naming_the_field(
    api: dict[str, Client], who: str, method: str, url: str, body: dict[str, Any], loc: str
) -> None:
    ids = _ids()
    # json.dumps writes the lone surrogate as the escape "\ud800", as a hostile client would.
    raw = json.dumps(_fill(body, "\ud800", ids))
    assert "\\ud800" in raw
    with _unchanged():
        response = getattr(api[who], method)(_url(url, ids), raw, content_type="application/json")
        assert response.status_code == 422, response.content
        assert loc in _loc(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "loc"),
    [
        ("/api/v1/texts/a%00b", "path.code"),
        ("/api/v1/meetings/%00", "path.code"),
        ("/api/v1/documents/a%1Bb", "path.code"),
        ("/api/v1/states/K%00", "path.iso2"),
        ("/api/v1/formats/%7F", "path.code"),
        ("/api/v1/texts?format=%00", "query.format"),
        ("/api/v1/meetings?format=%C2%85", "query.format"),
        ("/api/v1/instructions?assignee=state:%00", "query.assignee"),
        (f"/api/v1/texts/{DEMO_DRAFT_TEXT}/diff?from=1&to=2&language=%00", "query.language"),
    ],
)
def test_api_refuses_control_characters_in_paths_and_queries(api: dict[str, Client], url: str, loc: str) -> None:
    for client in (Client(), api["kz"]):
        response = client.get(url)
        assert response.status_code == 422, response.content
        assert loc in _loc(response)


@pytest.mark.django_db
def test_the_published_rule_is_the_enforced_rule() -> None:
    """The schema's pattern admits exactly what the validator admits: tab and line breaks, any
    printable character of any script; no other control character."""
    import re

    schema = Client().get("/api/v1/openapi.json").json()
    title = schema["components"]["schemas"]["TextCreate"]["properties"]["title"]
    assert title["pattern"] == inputs.PATTERN and title["maxLength"] == text_actions.MAX_TITLE
    pattern = re.compile(inputs.PATTERN.replace("\\u", "\\u"))
    for ok in ("Министры\tвстречаются\r\n", "Ministrlar uchrashadi", "Ministrler — «jyl saýyn»", "§ 2 (b)"):
        assert pattern.match(ok) and inputs.problem(ok) is None
    for code in [*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)]:
        assert not pattern.match(f"a{chr(code)}b") and inputs.problem(f"a{chr(code)}b"), code
    assert inputs.problem("a\ud800b") and "surrogate" in (inputs.problem("a\udfffb") or "")


# --- Lengths ---------------------------------------------------------------------------------------

# (who, method, url, body with {long} where the over-long value goes, the field's location, its limit)
API_LENGTHS: list[tuple[str, str, str, dict[str, Any], str, int]] = [
    ("secretariat", "post", "/api/v1/texts",
     {"code": "hostile", "title": "{bad}", "kind": "joint_statement", "format": FM,
      "units": [{"content": "Ministers meet."}]}, "body.payload.title", text_actions.MAX_TITLE),
    ("secretariat", "post", "/api/v1/texts",
     {"code": "hostile", "title": "DEMO", "kind": "joint_statement", "format": FM,
      "units": [{"content": "{bad}"}]}, "body.payload.units.0.content", text_actions.MAX_CONTENT),
    ("kz", "post", "/api/v1/texts/{draft}/units/OP1/amendments",
     {"kind": "replace", "content": "{bad}"}, "body.payload.content", text_actions.MAX_CONTENT),
    ("kz", "post", "/api/v1/texts/{draft}/units/OP1/amendments",
     {"kind": "replace", "content": "Ministers meet.", "reason": "{bad}"}, "body.payload.reason",
     text_actions.MAX_REASON),
    ("kz", "post", "/api/v1/texts/{draft}/units/OP1/positions",
     {"stance": "objection", "note": "{bad}"}, "body.payload.note", text_actions.MAX_NOTE),
    ("kz", "post", "/api/v1/texts/{draft}/units/OP1/comments", {"body": "{bad}"}, "body.payload.body",
     text_actions.MAX_COMMENT),
    ("kz", "post", "/api/v1/texts/{draft}/notes", {"body": "{bad}"}, "body.payload.body", text_actions.MAX_NOTE),
    ("secretariat", "post", "/api/v1/meetings", {"format": FM, "start_date": "2031-03-03", "title_en": "{bad}"},
     "body.payload.title_en", meeting_actions.MAX_TITLE),
    ("secretariat", "post", "/api/v1/meetings/{meeting}/agenda", {"title": "{bad}"}, "body.payload.title",
     meeting_actions.MAX_TITLE),
    ("secretariat", "post", "/api/v1/instructions/{instruction}/cancel", {"reason": "{bad}"},
     "body.payload.reason", decision_actions.MAX_REASON),
    ("secretariat", "post", "/api/v1/reports/{report}/return", {"comment": "{bad}"}, "body.payload.comment",
     decision_actions.MAX_COMMENT),
]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "method", "url", "body", "loc", "limit"), API_LENGTHS, ids=[w[4] + ":" + w[2] for w in API_LENGTHS]
)
def test_api_refuses_one_character_too_many(
    api: dict[str, Client], who: str, method: str, url: str, body: dict[str, Any], loc: str, limit: int
) -> None:
    ids = _ids()
    schema = Client().get("/api/v1/openapi.json").json()
    assert str(limit) in json.dumps(schema)  # published
    with _unchanged():
        response = _send(api[who], method, _url(url, ids), _fill(body, "x" * (limit + 1), ids))
        assert response.status_code == 422, response.content
        assert loc in _loc(response)
        assert any(issue["type"] in ("string_too_long", "too_long") for issue in response.json()["detail"])


@pytest.mark.django_db
def test_a_megabyte_amendment_is_refused_at_once(api: dict[str, Client]) -> None:
    """The 1 MB amendment of 100,000 brackets that once took the room down is a 422 on its length."""
    bomb = "[a | b] " * 100_000
    with _unchanged():
        response = _send(api["kz"], "post", f"/api/v1/texts/{DEMO_DRAFT_TEXT}/units/OP1/amendments",
                         {"kind": "replace", "content": bomb, "reason": "x" * 1_000_000})  # fmt: skip
        assert response.status_code == 422
        assert {"body.payload.content", "body.payload.reason"} <= set(_loc(response))


# --- Uniqueness races ------------------------------------------------------------------------------


@contextmanager
def _written_meanwhile(fragment: str, insert: Callable[[], None]) -> Iterator[list[bool]]:
    """Right after the request's uniqueness check (the first query containing ``fragment``) has
    found nothing, ``insert`` writes the row a concurrent request would have committed."""
    done: list[bool] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if not done and fragment in sql:
            done.append(True)
            insert()
        return result

    with connection.execute_wrapper(wrapper):
        yield done


def _other_text(code: str) -> Callable[[], None]:
    def insert() -> None:
        Text.objects.create(code=code, format=Format.objects.get(code=FM), kind="joint_statement",
                            title="DEMO the other request's text", classification="participants",
                            working_language="ru", languages="ru")  # fmt: skip

    return insert


_TEXT_CHECK = 'FROM "texts_text" WHERE "texts_text"."code" ='


@pytest.mark.django_db
def test_two_api_requests_creating_the_same_text_code(api: dict[str, Client]) -> None:
    before = AuditEvent.objects.count()
    body = {"code": "raced", "title": "DEMO raced", "kind": "joint_statement", "format": FM,
            "units": [{"content": "Ministers meet."}]}  # fmt: skip
    with _written_meanwhile(_TEXT_CHECK, _other_text("raced")) as done:
        response = _send(api["secretariat"], "post", "/api/v1/texts", body)
    assert done, "the uniqueness check did not run"
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": "A text with this code already exists.", "field": "code"}
    assert Text.objects.get(code="raced").title == "DEMO the other request's text"
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_two_pages_creating_the_same_text_code(pages: dict[str, Client]) -> None:
    before = AuditEvent.objects.count()
    form = {"title": "DEMO raced", "code": "raced-page", "kind": "joint_statement", "format": FM,
            "working_language": "ru", "draft": "Ministers meet."}  # fmt: skip
    with _written_meanwhile(_TEXT_CHECK, _other_text("raced-page")) as done:
        response = pages["secretariat"].post("/texts/new/", form)
    assert done
    assert response.status_code == 400
    assert "A text with this code already exists." in response.content.decode()
    assert Text.objects.filter(code="raced-page").count() == 1
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_two_requests_creating_the_same_meeting(api: dict[str, Client]) -> None:
    fmt = Format.objects.get(code=FM)
    code = f"{fmt.code}-2031-03-03"

    def insert() -> None:
        Meeting.objects.create(format=fmt, code=code, kind="extraordinary", start_text="2040-01-01",
                               end_text="2040-01-01", classification="public")  # fmt: skip

    before = AuditEvent.objects.count()
    body = {"format": FM, "start_date": "2031-03-03", "kind": "extraordinary"}
    with _written_meanwhile('FROM "meetings_meeting" WHERE "meetings_meeting"."code" =', insert) as done:
        response = _send(api["secretariat"], "post", "/api/v1/meetings", body)
    assert done
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "code"
    assert Meeting.objects.filter(code=code).count() == 1
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_two_requests_marking_the_same_decision(accounts: dict[str, Any]) -> None:
    text = Text.objects.get(code=DEMO_TEXT)
    unit = text.units.get(uid="OP2")

    def insert() -> None:
        Decision.objects.create(text=text, unit=unit, adopted_on=timezone.localdate())

    client = _bearer(accounts["secretariat"])
    before = AuditEvent.objects.count()
    with _written_meanwhile('FROM "decisions_decision" WHERE "decisions_decision"."unit_id" =', insert) as done:
        response = _send(client, "post", "/api/v1/decisions", {"text": DEMO_TEXT, "unit": "OP2"})
    assert done
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "unit"
    # The check runs inside the action's transaction here, so the row "the other request" wrote in
    # this same transaction goes with its rollback: nothing of either remains, nothing is audited.
    assert not Decision.objects.filter(unit=unit).exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_two_colleagues_signing_at_once(accounts: dict[str, Any]) -> None:
    text = Text.objects.get(code=DEMO_TEXT)
    delegate = verified(accounts["kz"])
    Signature.objects.filter(text=text, state=delegate.state).delete()

    def insert() -> None:
        Signature.objects.create(text=text, state=delegate.state, signer=delegate, signer_name="A colleague",
                                 hashes=text.adopted_hashes)  # fmt: skip

    before = AuditEvent.objects.count()
    with (
        _written_meanwhile('FROM "texts_signature" WHERE', insert) as done,
        pytest.raises(ActionError, match="already signed"),
    ):
        text_actions.sign(delegate, text)
    assert done
    assert not Signature.objects.filter(text=text, state=delegate.state).exists()  # as for the decision
    assert AuditEvent.objects.count() == before


# --- A meeting time with a UTC offset --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["10:00+05:00", "10:00:00Z", "23:59:59-12:00"])
def test_a_meeting_time_with_a_utc_offset_is_refused(api: dict[str, Client], value: str) -> None:
    body = {"format": FM, "start_date": "2031-03-03", "timezone": "Asia/Almaty", "start_time": value}
    with _unchanged():
        response = _send(api["secretariat"], "post", "/api/v1/meetings", body)
        assert response.status_code == 422, response.content
        assert "body.payload.start_time" in _loc(response)


@pytest.mark.django_db
def test_a_local_meeting_time_is_kept(api: dict[str, Client]) -> None:
    body = {"format": FM, "start_date": "2031-03-03", "timezone": "Asia/Almaty", "start_time": "10:00",
            "end_time": "17:30:00", "kind": "extraordinary"}  # fmt: skip
    response = _send(api["secretariat"], "post", "/api/v1/meetings", body)
    assert response.status_code == 201, response.content
    assert (response.json()["start_time"], response.json()["end_time"]) == ("10:00:00", "17:30:00")


@pytest.mark.django_db
def test_the_action_refuses_an_aware_time_too() -> None:
    import datetime as dt

    with _unchanged(), pytest.raises(ActionError) as refused:
        meeting_actions.create_meeting(
            "test", fmt=Format.objects.get(code=FM), start_text="2031-03-03", timezone_name="Asia/Almaty",
            start_time=dt.time(10, 0, tzinfo=dt.UTC), kind="extraordinary",
        )  # fmt: skip
    assert refused.value.field == "start_time"


# --- The pages -------------------------------------------------------------------------------------

# (who, url, form with {bad} where the bad value goes, the field the error names)
PAGE_WRITES: list[tuple[str, str, dict[str, str], str]] = [
    ("secretariat", "/texts/new/",
     {"title": "DEMO {bad}", "code": "hostile-page", "kind": "joint_statement", "format": FM,
      "working_language": "ru", "draft": "Ministers meet."}, "title"),
    ("secretariat", "/texts/new/",
     {"title": "DEMO", "code": "hostile-page", "kind": "joint_statement", "format": FM, "working_language": "ru",
      "draft": "Ministers {bad} meet."}, "draft"),
    ("secretariat", "/texts/{draft}/units/OP1/edit/",
     {"language": "ru", "content": "Ministers {bad} meet.", "revision": "{revision}"}, "content"),
    ("secretariat", "/texts/{draft}/units/add/", {"kind": "operative", "content": "New {bad}"}, "content"),
    ("kz", "/texts/{draft}/units/OP1/amend/",
     {"kind": "replace", "target": "unit", "content": "Ministers meet.", "reason": "Because {bad}"}, "reason"),
    ("kz", "/texts/{draft}/units/OP1/amend/",
     {"kind": "replace", "target": "unit", "content": "Ministers {bad} meet."}, "content"),
    ("kz", "/texts/{draft}/units/OP1/position/", {"stance": "objection", "target": "unit", "note": "No {bad}"},
     "note"),
    ("kz", "/texts/{draft}/units/OP1/comment/", {"body": "A comment {bad}"}, "body"),
    ("kz", "/texts/{draft}/notes/", {"body": "Red line {bad}", "red_line": "1"}, "body"),
    ("secretariat", "/formats/" + FM + "/new-meeting/",
     {"start_text": "2031-03-03", "title_en": "DEMO {bad}", "kind": "extraordinary"}, "title_en"),
    ("secretariat", "/formats/" + FM + "/new-meeting/",
     {"start_text": "2031-03-03", "city_en": "Astana{bad}", "kind": "extraordinary"}, "city_en"),
    ("secretariat", "/meetings/{meeting}/agenda/", {"title": "Item {bad}"}, "title"),
    ("secretariat", "/meetings/{meeting}/agenda/", {"title": "Item", "presenter": "A {bad}"}, "presenter"),
    ("secretariat", "/documents/{document}/edit/",
     {"version": "{version}", "title_en": "DEMO press note", "body": "Text {bad}", "classification": "public"},
     "body"),
    ("secretariat", "/instructions/{instruction}/cancel/", {"reason": "Done {bad}"}, "reason"),
    ("uz", "/instructions/{instruction}/report/", {"body": "Done {bad}", "progress": "done"}, "body"),
]  # fmt: skip


def _page_form(form: dict[str, str], bad: str, ids: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key, value in form.items():
        value = value.replace("{bad}", bad)
        if value.startswith("{") and value.endswith("}"):
            value = str(ids[value[1:-1]])
        out[key] = value
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("char", list(CONTROLS), ids=list(CONTROLS))
@pytest.mark.parametrize(("who", "url", "form", "field"), PAGE_WRITES, ids=[w[3] + ":" + w[1] for w in PAGE_WRITES])
def test_pages_refuse_control_characters_naming_the_field(
    pages: dict[str, Client], char: str, who: str, url: str, form: dict[str, str], field: str
) -> None:
    ids = _ids()
    with _unchanged():
        response = pages[who].post(_url(url, ids), _page_form(form, CONTROLS[char], ids))
        assert response.status_code == 400, response.content[:300]
        assert "control character" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "url", "form", "field"), PAGE_WRITES, ids=[w[3] + ":" + w[1] for w in PAGE_WRITES])
def test_pages_refuse_text_longer_than_the_limit(
    pages: dict[str, Client], who: str, url: str, form: dict[str, str], field: str
) -> None:
    ids = _ids()
    long = "x" * 200_001  # longer than any field's limit
    with _unchanged():
        response = pages[who].post(_url(url, ids), _page_form(form, long, ids))
        assert response.status_code == 400, response.content[:300]


@pytest.mark.django_db
def test_a_page_cannot_receive_a_lone_surrogate(pages: dict[str, Client]) -> None:
    """A form is decoded as UTF-8 with replacement: the bytes of a lone surrogate arrive as U+FFFD."""
    response = pages["kz"].post(
        f"/texts/{DEMO_DRAFT_TEXT}/units/OP1/comment/",
        b"body=A+comment+%ED%A0%80",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert Comment.objects.filter(body__contains="\ufffd").count() >= 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/meetings/%00/",
        "/meetings/a%1Bb/",
        "/documents/%00/",
        "/documents/%00/edit/",
        "/states/%00/",
        f"/texts/{DEMO_DRAFT_TEXT}/units/%00/edit/",
        "/texts/?format=%00",
        "/meetings/?format=%00",
        "/instructions/?assignee=state:%00&meeting=%00",
        "/decisions/new/?q=%00",
        "/calendar/?month=%00",
    ],
)
def test_pages_answer_a_control_character_in_the_address_without_a_server_error(
    pages: dict[str, Client], url: str
) -> None:
    for client in (Client(), pages["secretariat"]):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
    with _unchanged():
        response = pages["secretariat"].post(url, {"title": "x"})
        assert response.status_code < 500, (url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "form"),
    [
        (f"/texts/{DEMO_DRAFT_TEXT}/notes/", {"body": "A note", "unit": "\x00"}),
        (f"/texts/{DEMO_DRAFT_TEXT}/units/add/", {"kind": "operative", "content": "New", "after": "\x00"}),
        ("/formats/" + FM + "/new-meeting/", {"start_text": "2031-03-03", "country": "\x00"}),
        ("/formats/" + FM + "/new-meeting/", {"start_text": "2031-03-03", "timezone": "Asia/\x00"}),
        (f"/meetings/{DEMO_MEETING}/invitations/", {"state": "\x00"}),
        (f"/meetings/{DEMO_MEETING}/invitations/", {"organisation": "\x00"}),
        (f"/decisions/new/{DEMO_TEXT}/", {"unit": "\x00"}),
    ],
)
def test_pages_answer_a_control_character_in_a_lookup_field_without_a_server_error(
    pages: dict[str, Client], url: str, form: dict[str, str]
) -> None:
    with _unchanged():
        response = pages["secretariat"].post(url, form)
        assert response.status_code < 500, (url, response.status_code)
        assert response.status_code != 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ru", "Адрес содержит символ, которого в нём быть не может."),
        ("en", "The address contains a character that cannot appear in it."),
    ],
)
def test_a_control_character_in_a_page_filter_is_refused_in_the_readers_language(language: str, message: str) -> None:
    """PostgreSQL refuses NUL in a parameter (a server error); the page refuses the address first."""
    response = Client().get("/meetings/", {"format": "a\x00b"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert message in response.content.decode()
    # A tab or a line break is ordinary in a text box's value and reaches the page.
    assert Client().get("/meetings/", {"format": "a\tb"}).status_code == 200


@pytest.mark.django_db
def test_a_control_character_in_a_page_path_names_nothing() -> None:
    assert Client().get("/meetings/a%00b/").status_code == 404
    assert Client().get("/meetings/").status_code == 200
