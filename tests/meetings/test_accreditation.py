"""Accreditation of delegates (issue 15, item 7): the focal point's list asks for it, the format's
secretariat accredits or refuses (with a reason), audited; saving the list again keeps each
decision for an unchanged member. Action, page and API, and the participants' export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from kenes.audit.models import AuditEvent
from kenes.meetings import actions
from kenes.meetings.models import Accreditation, Delegation, DelegationMember, Meeting
from kenes.people.actions import create_token
from kenes.states.models import State
from tests.conftest import login, verified
from tests.refusing import refused

pytestmark = pytest.mark.django_db

DEMO = "demo-fm-2027"
HIDDEN = "demo-hos-extra-2027"  # guests of China are not invited to it: not readable by guest.cn
HEAD = {"full_name": "Dilnoza Demo-Minister (fictional)", "position_title": "Minister", "role": "head"}
ADVISER = {"full_name": "Timur Demo-Adviser (fictional)", "position_title": "", "role": "adviser"}


def _delegation(*members: dict[str, str], meeting: str = DEMO) -> Delegation:
    return actions.save_delegation(
        "test", Meeting.objects.get(code=meeting), state=State.objects.get(iso2="UZ"), members=list(members)
    )


def _members(delegation: Delegation) -> list[tuple[str, str, str]]:
    return [(m.full_name, m.accreditation, m.accreditation_note) for m in delegation.members.all()]


def _bearer(account: Any) -> Client:
    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_secretariat_decides_and_an_unchanged_member_keeps_the_decision(accounts: dict[str, Any]) -> None:
    sec = verified(accounts["secretariat"])
    delegation = _delegation(HEAD, ADVISER)
    head, adviser = delegation.members.all()
    assert {head.accreditation, adviser.accreditation} == {Accreditation.REQUESTED}

    actions.decide_accreditation(sec, head, approve=True)
    actions.decide_accreditation(sec, adviser, approve=False, note="Not on the invitation's list (fictional).")
    assert _members(delegation) == [
        (HEAD["full_name"], "approved", ""),
        (ADVISER["full_name"], "refused", "Not on the invitation's list (fictional)."),
    ]
    assert AuditEvent.objects.filter(verb="delegation.accreditation").count() == 2

    # The focal point saves the list again: the head unchanged, the adviser now an expert.
    _delegation(HEAD, {**ADVISER, "role": "expert"})
    assert _members(delegation) == [(HEAD["full_name"], "approved", ""), (ADVISER["full_name"], "requested", "")]


def test_a_refusal_gives_its_reason_and_only_the_secretariat_decides(accounts: dict[str, Any]) -> None:
    [member] = _delegation(HEAD).members.all()
    refused(
        lambda: actions.decide_accreditation(verified(accounts["secretariat"]), member, approve=False),
        400, "Say why the accreditation is refused.", field="note", watch=[member],
    )  # fmt: skip
    refused(
        lambda: actions.decide_accreditation(verified(accounts["uz"]), member, approve=True),
        403, "Only the secretariat of this format may do this.", watch=[member],
    )  # fmt: skip
    actions.decide_accreditation(verified(accounts["secretariat"]), member, approve=True)
    refused(
        lambda: actions.decide_accreditation(verified(accounts["secretariat"]), member, approve=True),
        400, "The accreditation is already so.", field="accreditation",
    )  # fmt: skip


def test_the_page_accredits_refuses_and_exports(signed_in: Any) -> None:
    head, adviser = _delegation(HEAD, ADVISER).members.all()
    sec = signed_in("secretariat")
    url = f"/meetings/{DEMO}/delegations/members/{{}}/accreditation/"
    assert sec.post(url.format(head.pk), {"decision": "approve"}).status_code == 302
    response = sec.post(url.format(adviser.pk), {"decision": "refuse", "note": ""})
    assert response.status_code == 400
    assert "Say why the accreditation is refused." in response.content.decode()
    assert sec.post(url.format(adviser.pk), {"decision": "refuse", "note": "Late (fictional)."}).status_code == 302
    page = sec.get(f"/meetings/{DEMO}/").content.decode()
    assert "accredited" in page and "accreditation refused" in page and "Late (fictional)." in page

    body = sec.get(f"/meetings/{DEMO}/delegations.csv").content.decode("utf-8-sig")
    assert "State,State code,No.,Full name,Position,Role,Accreditation" in body
    assert f"Uzbekistan,UZ,1,{HEAD['full_name']},Minister,head of delegation,accredited" in body

    # A delegate of another state reads the decision, not the reason; it cannot decide.
    kz = signed_in("kz")
    page = kz.get(f"/meetings/{DEMO}/").content.decode()
    assert "accreditation refused" in page and "Late (fictional)." not in page
    assert kz.post(url.format(head.pk), {"decision": "refuse", "note": "x"}).status_code == 403
    assert DelegationMember.objects.get(pk=head.pk).accreditation == Accreditation.APPROVED


def test_the_page_in_russian(signed_in: Any) -> None:
    [head] = _delegation(HEAD).members.all()
    sec = signed_in("secretariat")
    sec.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    page = sec.get(f"/meetings/{DEMO}/").content.decode()
    assert "аккредитация запрошена" in page and "Аккредитовать" in page
    response = sec.post(f"/meetings/{DEMO}/delegations/members/{head.pk}/accreditation/", {"decision": "refuse"})
    assert "Укажите, почему в аккредитации отказано." in response.content.decode()


def test_the_api_decides_and_hides_what_the_caller_may_not_read(accounts: dict[str, Any]) -> None:
    [head] = _delegation(HEAD).members.all()
    sec = _bearer(accounts["secretariat"])
    url = f"/api/v1/meetings/{DEMO}/delegation-members/{{}}/accreditation"
    answer = sec.post(url.format(head.pk), {"approve": True}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"member": head.pk, "state": "UZ", "full_name": HEAD["full_name"],
                             "accreditation": "approved", "note": ""}  # fmt: skip
    detail = sec.get(f"/api/v1/meetings/{DEMO}").json()
    [uz] = [d for d in detail["delegations"] if d["state"] == "UZ"]
    assert uz["members"][0]["accreditation"] == "approved"

    no_reason = sec.post(url.format(head.pk), {"approve": False}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "note"
    assert (
        _bearer(accounts["uz"])
        .post(url.format(head.pk), {"approve": False, "note": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    # A member of a meeting the caller may not read, and no member at all: the same 404.
    [hidden] = _delegation(HEAD, meeting=HIDDEN).members.all()
    cn = _bearer(accounts["cn"])
    hidden_url = f"/api/v1/meetings/{HIDDEN}/delegation-members/{hidden.pk}/accreditation"
    assert cn.post(hidden_url, {"approve": True}, content_type="application/json").status_code == 404
    assert sec.post(url.format(999_999), {"approve": True}, content_type="application/json").status_code == 404
    assert DelegationMember.objects.get(pk=hidden.pk).accreditation == Accreditation.REQUESTED
    assert Client().post(url.format(head.pk), {"approve": True}, content_type="application/json").status_code == 401


def test_the_page_answers_404_for_a_member_of_a_hidden_meeting(accounts: dict[str, Any]) -> None:
    [hidden] = _delegation(HEAD, meeting=HIDDEN).members.all()
    client = login(Client(), accounts["cn"])
    response = client.post(
        f"/meetings/{HIDDEN}/delegations/members/{hidden.pk}/accreditation/", {"decision": "approve"}
    )
    assert response.status_code == 404


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    # Words only: a table cell wraps a long name onto two lines.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def test_the_list_of_participants_as_pdf(accounts: dict[str, Any], signed_in: Any) -> None:
    head, _adviser = _delegation(HEAD, ADVISER).members.all()
    actions.decide_accreditation(verified(accounts["secretariat"]), head, approve=True)
    sec = signed_in("secretariat")
    response = sec.get(f"/meetings/{DEMO}/participants.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "List of participants" in text and "Uzbekistan" in text
    assert HEAD["full_name"] in text and "accredited" in text and "accreditation requested" in text

    sec.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    text = _pdf_text(sec.get(f"/meetings/{DEMO}/participants.pdf").content)
    assert "Список участников" in text and "Узбекистан" in text and "аккредитация подтверждена" in text

    api = _bearer(accounts["secretariat"]).get(f"/api/v1/meetings/{DEMO}/participants.pdf")
    assert api.status_code == 200 and HEAD["full_name"] in _pdf_text(api.content)
    # Other readers of the meeting are refused; a reader of none learns nothing.
    assert signed_in("kz").get(f"/meetings/{DEMO}/participants.pdf").status_code == 403
    assert _bearer(accounts["kz"]).get(f"/api/v1/meetings/{DEMO}/participants.pdf").status_code == 403
    assert _bearer(accounts["cn"]).get(f"/api/v1/meetings/{HIDDEN}/participants.pdf").status_code == 404
    assert Client().get(f"/api/v1/meetings/{DEMO}/participants.pdf").status_code == 401
