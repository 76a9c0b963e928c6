"""The pages of negotiated texts through the real views and the Django test client: the list, a new
draft, and every form of the negotiation room, each with its bad-input path; what a guest may not
see; the positions matrix, the diff, silence, adoption and signatures; and the room's query count."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.meetings.models import Format, Meeting
from kenes.people.demo import DEMO_DRAFT_TEXT, DEMO_MEMBERS_TEXT, DEMO_PASSWORD
from kenes.texts import actions
from kenes.texts.models import (
    Amendment,
    AmendmentStatus,
    Comment,
    Position,
    PrivateNote,
    Signature,
    Text,
    TextStatus,
    Unit,
    UnitVersion,
)
from tests.conftest import login, verified

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
MEMBERS = ("kz", "uz", "kg", "tj", "tm", "az")
OP1 = "Ministers meet [at least once every six months {KZ,UZ} | annually {TM}]."


@pytest.fixture
def people(accounts: dict[str, Any]) -> dict[str, Any]:
    """The demo accounts, plus delegates of Tajikistan, Turkmenistan and Azerbaijan (members too),
    each able to sign in with a password and a TOTP code."""
    from kenes.people.actions import create_account
    from kenes.states.models import State

    out = {name: accounts[name] for name in ("secretariat", "kz", "uz", "kg", "ru", "cn")}
    for iso2 in ("TJ", "TM", "AZ"):
        account = create_account(
            "test", email=f"delegate.{iso2.lower()}@test.kenes.invalid", full_name=f"Delegate {iso2} (test)",
            password=DEMO_PASSWORD, affiliation="state", state=State.objects.get(iso2=iso2), clearance="members",
            roles=[(None, "delegate")], check_password=False,
        )  # fmt: skip
        TOTPDevice.objects.create(user=account, name="test", confirmed=True)
        out[iso2.lower()] = account
    return out


@pytest.fixture
def client_for(people: dict[str, Any]) -> Any:
    """One signed-in client per account and test (a TOTP code is good for one sign-in only)."""
    made: dict[str, Client] = {}

    def make(name: str | None) -> Client:
        if name is None:
            return Client()
        if name not in made:
            made[name] = login(Client(), people[name])
        return made[name]

    return make


def _as(people: dict[str, Any], name: str) -> Any:
    return verified(people[name])


def _make_text(people: dict[str, Any], code: str = "test-statement", classification: str = "participants",
               units: list[dict[str, str]] | None = None) -> Text:  # fmt: skip
    return actions.create_text(
        _as(people, "secretariat"), fmt=Format.objects.get(code="ca_foreign_ministers"),
        meeting=Meeting.objects.get(code="demo-fm-2027"), code=code, title="DEMO test statement (fictional)",
        kind="joint_statement", classification=classification, languages=["ru", "en"],
        units=units or [
            {"kind": "preamble", "content": "Recalling the demo meeting (fictional),"},
            {"kind": "operative", "content": OP1},
        ],
    )  # fmt: skip


@pytest.fixture
def text(people: dict[str, Any]) -> Text:
    return _make_text(people)


def _page(response: Any) -> str:
    return response.content.decode()


def _room(text: Text) -> str:
    return f"/texts/{text.code}/"


def _content(text: Text, uid: str, language: str = "ru") -> str:
    return UnitVersion.objects.get(unit__text=text, unit__uid=uid, language=language).content


def _resolve_and_agree(people: dict[str, Any], text: Text) -> None:
    """Through the actions: the bracket resolved, then every member supports every paragraph."""
    op1 = text.units.get(uid="OP1")
    amendment = actions.propose_amendment(_as(people, "kz"), op1, kind="delete", bracket_index=0, option_index=1)
    actions.decide_amendment(_as(people, "secretariat"), amendment, accept=True)
    for unit in text.units.filter(removed=False):
        for name in MEMBERS:
            actions.state_position(_as(people, name), unit, stance="support")


# --- list, navigation, meeting page ---------------------------------------------------------------


def test_the_list_shows_what_each_reader_may_see(client_for: Any) -> None:
    member = _page(client_for("kz").get("/texts/"))
    assert "DEMO — Joint statement on coordinated approaches (fictional draft)" in member
    assert "fictional, members only" in member
    assert 'href="/texts/"' in member  # the header link
    guest = _page(client_for("cn").get("/texts/"))
    assert "Joint statement on coordinated approaches" in guest
    assert "members only" not in guest
    public = _page(client_for(None).get("/texts/"))
    assert "Joint statement on coordinated approaches" not in public
    assert "New draft" not in member and "New draft" in _page(client_for("secretariat").get("/texts/"))


def test_the_list_counts_open_brackets_and_shows_version_and_status(client_for: Any) -> None:
    page = _page(client_for("kz").get("/texts/"))
    row = re.search(r'<tr>\s*<td[^>]*><div class="cell"><a href="/texts/demo-fm-2027-coordinated-approaches/">.*?</tr>',
                    page, re.S)  # fmt: skip
    assert row is not None
    cells = re.findall(r'class="num"><div class="cell">([^<]*)<', row[0])
    assert cells[0] == "2"  # two open brackets in the demo draft
    assert "under negotiation" in row[0] and "Participants" in row[0] and "Demo (fictional)" in row[0]


def test_the_meeting_page_lists_its_texts(client_for: Any) -> None:
    member = _page(client_for("kz").get("/meetings/demo-fm-2027/"))
    assert 'id="texts"' in member
    assert f'href="/texts/{DEMO_DRAFT_TEXT}/"' in member and f'href="/texts/{DEMO_MEMBERS_TEXT}/"' in member
    guest = _page(client_for("cn").get("/meetings/demo-fm-2027/"))
    assert f'href="/texts/{DEMO_DRAFT_TEXT}/"' in guest and DEMO_MEMBERS_TEXT not in guest
    assert "New draft for this meeting" in _page(client_for("secretariat").get("/meetings/demo-fm-2027/"))


def test_the_demo_draft_is_fictional_and_carries_the_2022_alternative(client_for: Any) -> None:
    demo = Text.objects.get(code=DEMO_DRAFT_TEXT)
    assert demo.is_demo and demo.classification == "participants" and demo.language_list == ["ru", "en"]
    assert "[at least once every six months {KZ} | annually]" in _content(demo, "OP1", "en")
    assert not UnitVersion.objects.filter(unit__text=demo, out_of_date=True).exists()
    assert Text.objects.get(code=DEMO_MEMBERS_TEXT).classification == "members"


# --- what a guest may not see ---------------------------------------------------------------------


def test_a_guest_never_sees_a_members_only_text(client_for: Any, people: dict[str, Any]) -> None:
    members_only = _make_text(people, code="test-members-only", classification="members")
    unit = members_only.units.get(uid="OP1")
    actions.propose_amendment(_as(people, "kz"), unit, kind="replace", content="Members-only words.")
    actions.state_position(_as(people, "uz"), unit, stance="objection", note="members-only reason")
    for name in ("cn", "ru", None):
        client = client_for(name)
        for path in ("", "?show=all", "diff/?a=1&b=1"):
            assert client.get(f"/texts/{members_only.code}/{path}").status_code == 404, (name, path)
        for path, data in (
            ("units/OP1/position/", {"stance": "support"}),
            ("units/OP1/amend/", {"kind": "delete"}),
            ("units/OP1/comment/", {"body": "hello"}),
            ("silence/break/", {"reason": "no"}),
            ("sign/", {}),
        ):
            response = client.post(f"/texts/{members_only.code}/{path}", data)
            assert response.status_code in (404, 302), (name, path)  # 302: the public is sent to sign in
            if name is not None:
                assert response.status_code == 404
        assert "members-only" not in _page(client.get("/texts/")).lower()
    assert _page(client_for("kz").get(_room(members_only))).count("members-only reason") >= 1


def test_private_notes_stay_with_their_delegation(client_for: Any, text: Text) -> None:
    kz = client_for("kz")
    response = kz.post(f"/texts/{text.code}/notes/", {"unit": "OP1", "body": "KZ red line: six months (demo)",
                                                      "red_line": "1"}, headers=HTMX)  # fmt: skip
    assert response.status_code == 200
    assert "KZ red line: six months (demo)" in _page(response) and "red line" in _page(response)
    kz.post(f"/texts/{text.code}/notes/", {"body": "KZ whole-text note (demo)"})
    assert PrivateNote.objects.filter(text=text).count() == 2
    page = _page(kz.get(_room(text)))
    assert "KZ red line: six months (demo)" in page and "KZ whole-text note (demo)" in page
    for other in ("uz", "cn", "secretariat"):
        other_page = _page(client_for(other).get(_room(text)))
        assert "KZ red line" not in other_page and "KZ whole-text note" not in other_page, other


def test_private_note_bad_input(client_for: Any, text: Text) -> None:
    response = client_for("kz").post(f"/texts/{text.code}/notes/", {"unit": "OP1", "body": "  "}, headers=HTMX)
    assert response.status_code == 400
    assert "A note has 1 to 4000 characters." in _page(response)
    assert not PrivateNote.objects.filter(text=text).exists()


# --- a new draft ----------------------------------------------------------------------------------

DRAFT = """PP: Recalling the demo meeting
(fictional),

OP: Ministers meet [at least once every six months {KZ} | annually].

Ministers report to the heads of state (demo)."""


def test_the_secretariat_creates_a_draft(client_for: Any) -> None:
    client = client_for("secretariat")
    form = _page(client.get("/texts/new/?format=ca_foreign_ministers&meeting=demo-fm-2027"))
    assert 'value="demo-fm-2027" selected' in form and "PP:" in form
    response = client.post("/texts/new/", {
        "title": "DEMO — a new statement (fictional)", "code": "", "kind": "joint_statement",
        "format": "ca_foreign_ministers", "meeting": "demo-fm-2027", "classification": "participants",
        "working_language": "ru", "languages": ["ru", "en", "kk"], "draft": DRAFT,
    })  # fmt: skip
    assert response.status_code == 302
    created = Text.objects.get(title="DEMO — a new statement (fictional)")
    assert response["Location"] == f"/texts/{created.code}/"
    assert created.code == "demo-a-new-statement-fictional"
    assert created.language_list == ["ru", "en", "kk"] and created.meeting.code == "demo-fm-2027"
    units = list(created.units.order_by("order"))
    assert [(u.uid, u.kind) for u in units] == [("PP1", "preamble"), ("OP1", "operative"), ("OP2", "operative")]
    assert _content(created, "PP1") == "Recalling the demo meeting (fictional),"
    assert _content(created, "OP1") == "Ministers meet [at least once every six months {KZ} | annually]."
    page = _page(client.get(response["Location"]))
    assert "The draft is created." in page and 'class="bracket"' in page


def test_a_draft_with_an_unbalanced_bracket_is_refused(client_for: Any) -> None:
    client = client_for("secretariat")
    before = Text.objects.count()
    draft = "PP: Recalling (demo),\n\nOP: Ministers meet [at least once every six months | annually."
    response = client.post("/texts/new/", {
        "title": "DEMO unbalanced (fictional)", "kind": "joint_statement", "format": "ca_foreign_ministers",
        "meeting": "", "classification": "", "working_language": "ru", "draft": draft,
    })  # fmt: skip
    assert response.status_code == 400
    page = _page(response)
    assert "Paragraph 2: The brackets are not right: a bracket is opened and not closed" in page
    assert "DEMO unbalanced (fictional)" in page and "Ministers meet [at least once every six months" in page
    assert Text.objects.count() == before


def test_a_draft_needs_a_good_code_and_the_secretariat(client_for: Any) -> None:
    client = client_for("secretariat")
    response = client.post("/texts/new/", {"title": "DEMO (fictional)", "code": "Bad Code!", "kind": "concept",
                                           "format": "ca_foreign_ministers", "draft": "Text."})  # fmt: skip
    assert response.status_code == 400 and "A code has 3 to 100" in _page(response)
    assert client_for("kz").get("/texts/new/").status_code == 403
    assert client_for(None).get("/texts/new/").status_code == 302  # to the sign-in page


# --- the room: reading ----------------------------------------------------------------------------


def test_the_room_highlights_brackets_with_sponsors_and_unit_states(client_for: Any, text: Text) -> None:
    page = _page(client_for("kz").get(_room(text)))
    assert page.count('class="bracket"') == 1
    assert re.search(r'<span class="option">.*?at least once every six months.*?class="sponsors"[^>]*>KZ UZ<', page)
    assert "ustate-bracketed" in page and "ustate-pending" in page
    assert 'id="unit-PP1"' in page and 'id="unit-OP1"' in page
    assert "1 open bracket" in page and f'href="/texts/{text.code}/pdf/"' in page


def test_language_tabs_and_out_of_date_flags(client_for: Any, text: Text, people: dict[str, Any]) -> None:
    client = client_for("kz")
    page = _page(client.get(_room(text) + "?show=en"))
    assert 'lang="en"' in page and "Not yet written in this language." in page and "out of date" in page
    actions.edit_unit(_as(people, "secretariat"), text.units.get(uid="PP1"), language="en",
                      content="Recalling the demo meeting (EN, fictional),")  # fmt: skip
    page = _page(client.get(_room(text) + "?show=all"))
    assert "Recalling the demo meeting (EN, fictional)," in page and "Recalling the demo meeting (fictional)," in page
    assert 'aria-current="true">Side by side' in page


# --- the room: the chair's pen --------------------------------------------------------------------


def test_the_chair_edits_a_paragraph_in_place(client_for: Any, text: Text) -> None:
    client = client_for("secretariat")
    unit = text.units.get(uid="PP1")
    response = client.post(f"/texts/{text.code}/units/PP1/edit/", {
        "language": "ru", "content": "Recalling the fourth demo meeting (fictional),", "revision": unit.revision,
    }, headers=HTMX)  # fmt: skip
    assert response.status_code == 200
    page = _page(response)
    assert page.startswith('<article class="unit') and "The paragraph is saved." in page
    assert re.search(r'<section id="matrix"[^>]*hx-swap-oob="true"', page)
    assert re.search(r'<section id="versions"[^>]*hx-swap-oob="true"', page)
    assert _content(text, "PP1") == "Recalling the fourth demo meeting (fictional),"
    assert UnitVersion.objects.get(unit=unit, language="en").out_of_date
    # without JavaScript: an ordinary POST, then back to the paragraph
    response = client.post(f"/texts/{text.code}/units/PP1/edit/", {
        "language": "en", "content": "Recalling the fourth demo meeting (EN),", "revision": unit.revision + 1,
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("#unit-PP1")


def test_the_chair_gets_bad_input_and_stale_forms_back(client_for: Any, text: Text) -> None:
    client = client_for("secretariat")
    unit = text.units.get(uid="OP1")
    before = _content(text, "OP1")
    versions = text.text_versions.count()
    response = client.post(f"/texts/{text.code}/units/OP1/edit/", {
        "language": "ru", "content": "Ministers meet [annually.", "revision": unit.revision,
    }, headers=HTMX)  # fmt: skip
    assert response.status_code == 400
    assert "The brackets are not right" in _page(response) and "Ministers meet [annually.</textarea>" in _page(response)
    response = client.post(f"/texts/{text.code}/units/OP1/edit/", {
        "language": "ru", "content": "Ministers meet [annually.", "revision": unit.revision,
    })  # fmt: skip
    assert response.status_code == 400 and "<h1>" in _page(response)  # the whole room without JavaScript
    assert "Ministers meet [annually.</textarea>" in _page(response)
    response = client.post(f"/texts/{text.code}/units/OP1/edit/", {
        "language": "ru", "content": "Ministers meet annually.", "revision": unit.revision - 1 if unit.revision > 1
        else unit.revision + 5,
    }, headers=HTMX)  # fmt: skip
    assert response.status_code == 409 and "Someone else changed this paragraph" in _page(response)
    assert _content(text, "OP1") == before and text.text_versions.count() == versions
    assert client_for("kz").post(f"/texts/{text.code}/units/OP1/edit/", {
        "language": "ru", "content": "x", "revision": unit.revision}).status_code == 403  # fmt: skip
    assert client.post(f"/texts/{text.code}/units/OP9/edit/", {"language": "ru", "content": "x"}).status_code == 404


def test_the_chair_adds_a_paragraph(client_for: Any, text: Text) -> None:
    client = client_for("secretariat")
    response = client.post(f"/texts/{text.code}/units/add/", {"kind": "operative", "after": "PP1",
                                                              "content": "Ministers report (demo)."})  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("#unit-OP2")
    assert [u.uid for u in text.units.order_by("order")] == ["PP1", "OP2", "OP1"]
    response = client.post(f"/texts/{text.code}/units/add/", {"kind": "operative", "content": "Bad [bracket"})
    assert response.status_code == 400 and "The brackets are not right" in _page(response)
    assert "Bad [bracket</textarea>" in _page(response)
    assert text.units.count() == 3


# --- the room: amendments -------------------------------------------------------------------------


def test_amendments_proposed_accepted_rejected_withdrawn(client_for: Any, text: Text) -> None:
    kz, tm = client_for("kz"), client_for("tm")
    response = kz.post(f"/texts/{text.code}/units/OP1/amend/", {"kind": "delete", "target": "0.1",
                                                               "reason": "six months is the proposal"},
                       headers=HTMX)  # fmt: skip
    assert response.status_code == 200
    page = _page(response)
    assert "Your amendment is proposed." in page and "bracket 1, option 2" in page
    assert "six months is the proposal" in page
    deletion = Amendment.objects.get(text=text, state__iso2="KZ")
    assert deletion.kind == "delete" and (deletion.bracket_index, deletion.option_index) == (0, 1)
    assert ">Withdraw<" in page  # the proposer may withdraw its own
    assert ">Withdraw<" not in _page(tm.get(_room(text)))
    # a replacement of the whole paragraph shows its word-level difference beside the unit
    tm.post(f"/texts/{text.code}/units/OP1/amend/", {"kind": "replace", "target": "unit",
                                                     "content": "Ministers meet annually."})  # fmt: skip
    replacement = Amendment.objects.get(text=text, state__iso2="TM")
    page = _page(client_for("secretariat").get(_room(text)))
    box = page[page.index(f'id="amendment-{replacement.pk}"') :]
    assert re.search(r"<del>[^<]*six months[^<]*</del>", box)
    assert page.count(">Accept<") == 2
    # Turkmenistan withdraws its own; Kazakhstan may not withdraw it
    assert kz.post(f"/texts/{text.code}/amendments/{replacement.pk}/withdraw/").status_code == 403
    assert tm.post(f"/texts/{text.code}/amendments/{replacement.pk}/withdraw/").status_code == 302
    assert Amendment.objects.get(pk=replacement.pk).status == AmendmentStatus.WITHDRAWN
    # the chair accepts the deletion: the bracket resolves and a version is made
    response = client_for("secretariat").post(f"/texts/{text.code}/amendments/{deletion.pk}/decide/",
                                              {"decision": "accept"}, headers=HTMX)  # fmt: skip
    assert response.status_code == 200 and "The amendment is accepted into the text." in _page(response)
    assert _content(text, "OP1") == "Ministers meet at least once every six months."
    assert text.text_versions.count() == 2
    # deciding it again is refused with a message, and nothing changes
    response = client_for("secretariat").post(f"/texts/{text.code}/amendments/{deletion.pk}/decide/",
                                              {"decision": "reject"}, headers=HTMX)  # fmt: skip
    assert response.status_code == 400 and "already been decided" in _page(response)
    assert Amendment.objects.get(pk=deletion.pk).status == AmendmentStatus.ACCEPTED


def test_amendment_bad_input_changes_nothing(client_for: Any, text: Text) -> None:
    kz = client_for("kz")
    for data, message in (
        ({"kind": "replace", "target": "unit", "content": "Ministers meet [annually."}, "The brackets are not right"),
        ({"kind": "replace", "target": "unit", "content": "  "}, "Write the proposed wording."),
        ({"kind": "delete", "target": "7.0"}, "There is no such option in this paragraph."),
        ({"kind": "insert", "target": "0.0", "content": "x"}, "Options are replaced or deleted"),
        ({"kind": "delete", "target": "nonsense"}, "Choose the whole paragraph or one option."),
    ):
        response = kz.post(f"/texts/{text.code}/units/OP1/amend/", {**data, "reason": "kept reason"}, headers=HTMX)
        assert response.status_code == 400, data
        assert message in _page(response) and 'value="kept reason"' in _page(response)
    assert not Amendment.objects.filter(text=text).exists()
    response = client_for("cn").post(f"/texts/{text.code}/units/OP1/amend/", {"kind": "delete"})
    assert response.status_code == 403 and "Guests" in _page(response)


def test_an_amendment_to_an_amendment(client_for: Any, text: Text) -> None:
    tm, uz = client_for("tm"), client_for("uz")
    tm.post(f"/texts/{text.code}/units/OP1/amend/", {"kind": "replace", "target": "0.1", "content": "once a year"})
    proposal = Amendment.objects.get(text=text)
    response = uz.post(f"/texts/{text.code}/amendments/{proposal.pk}/amend/", {"content": "every year"}, headers=HTMX)
    assert response.status_code == 200 and f"amendment #{proposal.pk} by TM" in _page(response)
    counter = Amendment.objects.get(parent=proposal)
    response = uz.post(f"/texts/{text.code}/amendments/{proposal.pk}/amend/", {"content": "every [year"},
                       headers=HTMX)  # fmt: skip
    assert response.status_code == 400 and "The brackets are not right" in _page(response)
    client_for("secretariat").post(f"/texts/{text.code}/amendments/{counter.pk}/decide/", {"decision": "accept"})
    assert Amendment.objects.get(pk=proposal.pk).content == "every year"


# --- the room: positions, matrix, comments --------------------------------------------------------


def test_positions_fill_the_matrix(client_for: Any, text: Text, people: dict[str, Any]) -> None:
    kz = client_for("kz")
    response = kz.post(f"/texts/{text.code}/units/PP1/position/", {"stance": "support", "target": "unit"},
                       headers=HTMX)  # fmt: skip
    assert response.status_code == 200 and "Your delegation&#x27;s position is recorded." in _page(response)
    assert re.search(r'<section id="matrix"[^>]*hx-swap-oob="true"', _page(response))
    client_for("uz").post(f"/texts/{text.code}/units/PP1/position/",
                          {"stance": "reservation", "note": "on the word 'Recalling' (demo)"})  # fmt: skip
    client_for("tm").post(f"/texts/{text.code}/units/PP1/position/",
                          {"stance": "objection", "note": "demo objection"})  # fmt: skip
    page = _page(client_for("secretariat").get(_room(text)))
    matrix = page[page.index('id="matrix"') : page.index('id="versions"')]
    rows = {m[1]: m[2] for m in re.finditer(r'<th scope="row" class="state-col">[^<]*<span[^>]*>(\w\w)</span>'
                                            r"</th>(.*?)</tr>", matrix, re.S)}  # fmt: skip
    assert set(rows) == {"KZ", "UZ", "KG", "TJ", "TM", "AZ"}
    assert "pos-support" in rows["KZ"] and "pos-reservation" in rows["UZ"] and "pos-objection" in rows["TM"]
    assert "on the word &#x27;Recalling&#x27; (demo)" in rows["UZ"] and "<details>" in rows["TM"]
    assert "pos-none" in rows["KG"]
    assert "ustate-objected" in matrix


def test_a_position_on_an_option_and_bad_positions(client_for: Any, text: Text) -> None:
    kz = client_for("kz")
    response = kz.post(f"/texts/{text.code}/units/OP1/position/", {"stance": "support", "target": "0.0"},
                       headers=HTMX)  # fmt: skip
    assert response.status_code == 200
    assert "Positions on options" in _page(response) and "bracket 1, option 1" in _page(response)
    position = Position.objects.get(unit__text=text, state__iso2="KZ")
    assert (position.bracket_index, position.option_index) == (0, 0)
    for data, message in (
        ({"stance": "objection", "note": ""}, "An objection gives its reason."),
        ({"stance": "reservation", "note": " "}, "A reservation says what is reserved."),
        ({"stance": "maybe"}, "Unknown position."),
        ({"stance": "support", "target": "4.4"}, "There is no such option in this paragraph."),
    ):
        response = kz.post(f"/texts/{text.code}/units/PP1/position/", data, headers=HTMX)
        assert response.status_code == 400 and message in _page(response), data
    assert Position.objects.filter(unit__text=text).count() == 1
    response = client_for("cn").post(f"/texts/{text.code}/units/PP1/position/", {"stance": "objection", "note": "x"})
    assert response.status_code == 403 and "Guests take part without a say" in _page(response)


def test_guests_comment_but_have_no_say(client_for: Any, text: Text) -> None:
    cn = client_for("cn")
    page = _page(cn.get(_room(text)))
    assert "State your position" not in page and "Propose an amendment" not in page and ">Comment<" in page
    response = cn.post(f"/texts/{text.code}/units/PP1/comment/", {"body": "A guest's remark (demo)."}, headers=HTMX)
    assert response.status_code == 200 and "A guest&#x27;s remark (demo)." in _page(response)
    response = cn.post(f"/texts/{text.code}/units/PP1/comment/", {"body": "   "}, headers=HTMX)
    assert response.status_code == 400 and "A comment has 1 to 4000 characters." in _page(response)
    assert Comment.objects.filter(unit__text=text).count() == 1
    assert "A guest&#x27;s remark (demo)." in _page(client_for("kz").get(_room(text)))


# --- the room: versions and the diff --------------------------------------------------------------


def test_versions_chart_and_word_diff(client_for: Any, text: Text, people: dict[str, Any]) -> None:
    _resolve_and_agree(people, text)
    client = client_for("kz")
    page = _page(client.get(_room(text) + "?a=1&b=2"))
    start = page.index('<svg class="chart"')
    chart = page[start : page.index("</svg>", start)]
    assert chart.count("<rect") == 2 and "version 1: 1 open brackets" in chart
    diff = page[page.index('id="diff"') :]
    assert "<del>| annually {TM}]</del>" in diff or re.search(r"<del>[^<]*annually[^<]*</del>", diff)
    assert "amendment #" in page and "accepted" in page  # the version's reason, in words
    fragment = client.get(f"/texts/{text.code}/diff/?a=1&b=2&dlang=ru", headers=HTMX)
    assert fragment.status_code == 200 and _page(fragment).startswith('<div id="diff"')
    assert re.search(r"<del>[^<]*annually[^<]*</del>", _page(fragment))
    bad = client.get(f"/texts/{text.code}/diff/?a=1&b=99", headers=HTMX)
    assert bad.status_code == 400 and "There is no such version of this text." in _page(bad)
    assert client.get(f"/texts/{text.code}/diff/?a=1&b=2").status_code == 302  # without JavaScript: the room


# --- silence, adoption, signatures ----------------------------------------------------------------


def _deadline(days: int = 2) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.clock
def test_circulate_under_silence_and_break_it(client_for: Any, text: Text, people: dict[str, Any]) -> None:
    secretariat = client_for("secretariat")
    data = {"deadline": _deadline(), "timezone": "Asia/Tashkent"}
    response = secretariat.post(f"/texts/{text.code}/silence/", data)
    assert response.status_code == 400 and "Only a clean text goes under silence" in _page(response)
    assert Text.objects.get(pk=text.pk).status == TextStatus.DRAFTING
    _resolve_and_agree(people, text)
    for bad, message in (
        ({"deadline": "tomorrow", "timezone": "Asia/Tashkent"}, "Give the deadline as a date and a time."),
        ({"deadline": _deadline(-1), "timezone": "Asia/Tashkent"}, "The deadline must be in the future."),
        ({"deadline": _deadline(), "timezone": "Europe/Paris"}, "Choose the time zone of a member state:"),
    ):
        response = secretariat.post(f"/texts/{text.code}/silence/", bad)
        assert response.status_code == 400 and message in _page(response), bad
    day = timezone.localdate() + dt.timedelta(days=30)  # 18:00 in Tashkent (UTC+05:00, no summer time)
    response = secretariat.post(f"/texts/{text.code}/silence/", {"deadline": f"{day.isoformat()}T18:00",
                                                                 "timezone": "Asia/Tashkent"})  # fmt: skip
    assert response.status_code == 302
    current = Text.objects.get(pk=text.pk)
    assert current.status == TextStatus.SILENCE
    assert current.silence_deadline == dt.datetime.combine(day, dt.time(13, 0), tzinfo=dt.UTC)
    page = _page(client_for("kz").get(_room(text)))
    shown = dateformat.format(day, "j F Y")  # e.g. "10 March 2031"
    assert f"{shown}, 18:00" in page and "Asia/Tashkent (UTC+05:00)" in page and f"{shown}, 13:00 UTC" in page
    assert f'data-deadline="{day.isoformat()}T13:00:00Z"' in page and "left" in page
    assert ">Break silence<" in page and "State your position" in page
    assert ">Break silence<" not in _page(client_for("cn").get(_room(text)))
    assert client_for("cn").post(f"/texts/{text.code}/silence/break/", {"reason": "guest"}).status_code == 403
    response = client_for("kz").post(f"/texts/{text.code}/silence/break/", {"reason": "  "})
    assert response.status_code == 400 and "Breaking silence gives its reason." in _page(response)
    assert Text.objects.get(pk=text.pk).status == TextStatus.SILENCE
    response = client_for("tj").post(f"/texts/{text.code}/silence/break/", {"reason": "Demo: one more day."})
    assert response.status_code == 302
    assert Text.objects.get(pk=text.pk).status == TextStatus.DRAFTING
    page = _page(client_for("kz").get(_room(text)))
    assert "Silence broken" in page and "Demo: one more day." in page and "Tajikistan" in page


@pytest.mark.clock
def test_an_objection_during_silence_breaks_it_and_reloads_the_room(client_for: Any, text: Text,
                                                                     people: dict[str, Any]) -> None:  # fmt: skip
    _resolve_and_agree(people, text)
    actions.circulate_for_silence(_as(people, "secretariat"), text, deadline=timezone.now() + dt.timedelta(days=1),
                                  timezone_name="Asia/Almaty")  # fmt: skip
    response = client_for("uz").post(f"/texts/{text.code}/units/PP1/position/",
                                      {"stance": "objection", "note": "Demo objection."}, headers=HTMX)  # fmt: skip
    assert response.status_code == 200 and response["HX-Redirect"] == f"/texts/{text.code}/#unit-PP1"
    assert Text.objects.get(pk=text.pk).status == TextStatus.DRAFTING


def test_adoption_by_consensus_freezes_hashes_and_signatures(client_for: Any, text: Text,
                                                             people: dict[str, Any]) -> None:  # fmt: skip
    secretariat = client_for("secretariat")
    response = secretariat.post(f"/texts/{text.code}/adopt/")
    assert response.status_code == 400 and "Only a clean text is adopted" in _page(response)
    _resolve_and_agree(people, text)
    for unit in text.units.filter(removed=False):
        actions.edit_unit(_as(people, "secretariat"), unit, language="en", content=f"English {unit.uid} (demo).")
    assert secretariat.post(f"/texts/{text.code}/adopt/").status_code == 302
    adopted = Text.objects.get(pk=text.pk)
    assert adopted.status == TextStatus.ADOPTED and adopted.adopted_by == "consensus"
    page = _page(client_for("kz").get(_room(adopted)))
    assert "Adopted — the text is frozen" in page and "by consensus at a meeting" in page
    for language in ("ru", "en"):
        assert adopted.adopted_hashes[language] in page
    assert "SHA-256 · Русский" in page and "SHA-256 · English" in page
    assert f'href="/texts/{text.code}/pdf/"' in page and "Sign for Kazakhstan" in page
    assert f'href="/texts/{text.code}/pdf/?languages=ru%2Cen"' in page  # Russian and English side by side
    assert "Propose an amendment" not in page and "State your position" not in page
    assert client_for("cn").post(f"/texts/{text.code}/sign/").status_code == 403
    assert "Sign for" not in _page(client_for("cn").get(_room(adopted)))
    assert client_for("kz").post(f"/texts/{text.code}/sign/").status_code == 302
    signature = Signature.objects.get(text=adopted)
    assert signature.state.iso2 == "KZ" and signature.hashes == adopted.adopted_hashes
    page = _page(client_for("kz").get(_room(adopted)))
    assert "Arman Demo-Delegate" in page and "Sign for Kazakhstan" not in page
    response = client_for("kz").post(f"/texts/{text.code}/sign/")
    assert response.status_code == 400 and "already signed" in _page(response)
    response = client_for("kz").post(f"/texts/{text.code}/units/OP1/amend/", {"kind": "replace",
                                                                              "content": "Other words."})  # fmt: skip
    assert response.status_code == 400 and "adopted and frozen" in _page(response)
    assert not Amendment.objects.filter(text=adopted, status=AmendmentStatus.PROPOSED).exists()


@pytest.mark.clock
def test_adoption_by_silence_at_the_deadline(client_for: Any, text: Text, people: dict[str, Any]) -> None:
    _resolve_and_agree(people, text)
    actions.circulate_for_silence(_as(people, "secretariat"), text, deadline=timezone.now() + dt.timedelta(days=1),
                                  timezone_name="Asia/Bishkek")  # fmt: skip
    Text.objects.filter(pk=text.pk).update(silence_deadline=timezone.now() - dt.timedelta(seconds=1))
    page = _page(client_for("kz").get(_room(text)))
    assert "The deadline has passed." in page
    assert actions.adopt_due_silences() == [text.code]
    page = _page(client_for("kz").get(_room(text)))
    assert "by silence procedure" in page and Text.objects.get(pk=text.pk).adopted_hashes["ru"] in page


# --- the room does not grow its queries with the text ---------------------------------------------


def _busy_text(people: dict[str, Any], code: str, count: int) -> Text:
    units = [{"kind": "operative", "content": f"Paragraph {n} [one {{KZ}} | two] (demo)."} for n in range(count)]
    busy = _make_text(people, code=code, units=units)
    for index, unit in enumerate(busy.units.all()):
        actions.state_position(_as(people, "kz"), unit, stance="support")
        actions.state_position(_as(people, "uz"), unit, stance="objection", note=f"demo {index}")
        actions.state_position(_as(people, "tm"), unit, stance="support", bracket_index=0, option_index=1)
        actions.propose_amendment(_as(people, "kg"), unit, kind="delete", bracket_index=0, option_index=0)
        actions.add_comment(_as(people, "cn"), unit, body=f"comment {index}")
        actions.add_private_note(_as(people, "kz"), busy, unit=unit, body=f"note {index}")
    # every set-up write landed: three positions, an amendment, a comment and a note per unit
    assert busy.units.count() == count
    assert Position.objects.filter(unit__text=busy).count() == 3 * count
    assert Amendment.objects.filter(text=busy, status=AmendmentStatus.PROPOSED).count() == count
    assert Comment.objects.filter(unit__text=busy).count() == count
    assert PrivateNote.objects.filter(text=busy, unit__isnull=False).count() == count
    return busy


def test_the_room_query_count_does_not_grow_with_the_units(client_for: Any, people: dict[str, Any]) -> None:
    small, large = _busy_text(people, "test-small", 3), _busy_text(people, "test-large", 30)
    client = client_for("kz")
    counts = []
    for busy in (small, large):
        client.get(_room(busy))  # warm the session and caches alike
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_room(busy) + "?show=all")
        assert response.status_code == 200
        page = _page(response)
        assert page.count('class="unit ') == Unit.objects.filter(text=busy).count()
        # the page shows what the set-up wrote, so the count covers the work of showing it
        for body in (*Comment.objects.filter(unit__text=busy).values_list("body", flat=True),
                     *PrivateNote.objects.filter(text=busy).values_list("body", flat=True)):  # fmt: skip
            assert re.search(rf"\b{re.escape(body)}(?!\d)", page), body
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[1] < 40, counts


def test_the_room_speaks_russian(client_for: Any, text: Text) -> None:
    client = client_for("kz")
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    page = _page(client.get(_room(text)))
    assert '<html lang="ru">' in page
    for words in ("Позиции государств-членов", "Версии", "Предложить поправку", "Сравнить две версии"):
        assert words in page, words
