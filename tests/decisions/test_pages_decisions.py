"""The pages: the follow-up dashboard, an instruction, marking a decision, giving an instruction,
reports with attachments, the cadence "imposed by" line; through the real views and sign-in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kenes.decisions import actions
from kenes.decisions.models import Decision, Instruction, Report
from kenes.formats import short_date
from kenes.meetings.models import Format
from kenes.people.demo import DEMO_TEXT
from kenes.texts.models import Text
from tests.decisions.conftest import FM

pytestmark = pytest.mark.django_db

DEMO_TITLE = "DEMO: prepare a regional road-safety plan (fictional)"
NOT_RECORDED = "adoption as a decision is not recorded in the sources"


@pytest.fixture
def signed_in(signed_in: Any) -> Any:
    """One signed-in client per account for the test: a TOTP code is accepted once, so signing the
    same account in twice within 30 seconds would be refused."""
    made: dict[str | None, Client] = {}

    def make(name: str | None) -> Client:
        if name not in made:
            made[name] = signed_in(name)
        return made[name]

    return make


def _demo() -> Instruction:
    return Instruction.objects.get(decision__text__code=DEMO_TEXT)


def test_public_dashboard_shows_the_proposals_and_nothing_members_only(signed_in: Any) -> None:
    for who in (None, "cn", "ru"):
        response = signed_in(who).get("/instructions/")
        assert response.status_code == 200
        body = response.content.decode()
        assert "at least once every six months" in body and "Secretaries of Security Councils" in body
        assert "proposal — adoption not recorded" in body
        assert DEMO_TITLE not in body and "road-safety" not in body


@pytest.mark.clock
def test_members_see_the_demo_instruction_status_and_chart(signed_in: Any) -> None:
    body = signed_in("kz").get("/instructions/").content.decode()
    assert DEMO_TITLE in body and "in progress" in body
    assert "<svg" in body and "<polyline" in body  # the completion chart, drawn on the server
    assert "Follow-up" in body  # the header link


def test_dashboard_filters_by_status_assignee_and_meeting(signed_in: Any) -> None:
    client = signed_in("kz")
    body = client.get("/instructions/?status=proposed").content.decode()
    assert "six months" in body and DEMO_TITLE not in body
    body = client.get("/instructions/?assignee=state:UZ").content.decode()
    assert DEMO_TITLE in body and "six months" not in body
    body = client.get("/instructions/?meeting=ca_heads_of_state-IV&group=status").content.decode()
    assert "six months" in body and DEMO_TITLE not in body
    assert client.get("/instructions/?status=bogus&group=bogus").status_code == 200


@pytest.mark.clock
def test_overdue_instructions_are_listed(signed_in: Any, people: dict[str, Any], adopted: Text) -> None:
    decision = actions.mark_decision(people["secretariat"], adopted, adopted.units.get(uid="OP1"))
    instruction = actions.create_instruction(
        people["secretariat"], decision, title="Late task (test)", assignee_kind="states",
        states=[actions.AssigneeSpec(people["uz"].state, people["uz"])], due_date=decision.adopted_on,
    )  # fmt: skip
    Instruction.objects.filter(pk=instruction.pk).update(
        due_date=dt.date(2026, 1, 1), basis_date=dt.date(2025, 12, 1)
    )  # a decision of last year, as if it had been adopted then
    Decision.objects.filter(pk=decision.pk).update(adopted_on=dt.date(2025, 12, 1))
    body = signed_in("kz").get("/instructions/").content.decode()
    overdue = body.split('id="overdue-heading"')[1].split("</section>")[0]
    assert "Late task (test)" in overdue


def test_instruction_page_access(signed_in: Any) -> None:
    demo = _demo()
    url = f"/instructions/{demo.pk}/"
    for who in (None, "cn", "ru"):
        assert signed_in(who).get(url).status_code == 404
        assert signed_in(who).get(f"/decisions/{demo.decision_id}/").status_code == 404
    body = signed_in("kz").get(url).content.decode()
    assert DEMO_TITLE in body and "working group was set up" in body and "Ministry of Transport (demo)" in body
    assert "File a progress report" not in body  # Kazakhstan is not the assignee
    assert f'action="/instructions/{demo.pk}/cancel/"' not in body  # only the secretariat cancels
    body = signed_in("uz").get(url).content.decode()
    assert "File a progress report" in body
    body = signed_in("secretariat").get(url).content.decode()
    assert "Accept" in body and "Cancel this instruction" in body


def test_proposal_page_says_it_is_a_proposal(signed_in: Any) -> None:
    p4 = Instruction.objects.get(proposal__code="P4")
    body = Client().get(f"/instructions/{p4.pk}/").content.decode()
    assert NOT_RECORDED in body and "Proposed at the IV meeting" in body
    assert (
        ">lyrics.vg</a>" in body and ">S14<" not in body and "минимум раз в полгода" in body
    )  # the outlet, not the id
    assert "File a progress report" not in body and 'id="reports"' not in body
    body = signed_in("secretariat").get(f"/instructions/{p4.pk}/").content.decode()
    assert "Cancel this instruction" not in body


def test_csv_export_applies_the_access_rules(signed_in: Any) -> None:
    public = Client().get("/instructions/export.csv")
    assert public.status_code == 200 and public["Content-Type"].startswith("text/csv")
    text = public.content.decode("utf-8-sig")
    assert "P4" in text and DEMO_TITLE not in text
    assert DEMO_TITLE not in signed_in("cn").get("/instructions/export.csv").content.decode("utf-8-sig")
    assert DEMO_TITLE in signed_in("kz").get("/instructions/export.csv").content.decode("utf-8-sig")
    only = signed_in("kz").get("/instructions/export.csv?status=proposed").content.decode("utf-8-sig")
    assert DEMO_TITLE not in only and "P3" in only


def test_secretariat_marks_a_decision_and_gives_an_instruction(signed_in: Any, accounts: dict[str, Any]) -> None:
    client = signed_in("secretariat")
    body = client.get("/decisions/new/").content.decode()
    assert f"/decisions/new/{DEMO_TEXT}/" in body
    response = client.post(f"/decisions/new/{DEMO_TEXT}/", {"unit": "OP2"})
    decision = Decision.objects.get(text__code=DEMO_TEXT, unit__uid="OP2")
    assert response.status_code == 302 and response["Location"] == f"/decisions/{decision.pk}/"
    again = client.post(f"/decisions/new/{DEMO_TEXT}/", {"unit": "OP2"})
    assert again.status_code == 400 and "already marked" in again.content.decode()
    page = client.get(f"/decisions/{decision.pk}/").content.decode()
    assert "Give an instruction" in page and "national coordinators" in page

    uz = accounts["uz"]
    before = (decision.adopted_on - dt.timedelta(days=1)).isoformat()
    form = {"title": "Report on the roadmap (page test)", "assignee_kind": "states", "state": ["UZ"],
            "ministry_UZ": "Ministry of Foreign Affairs", "focal_UZ": str(uz.pk), "schedule": "due",
            "due_date": before, "classification": "members"}  # fmt: skip
    count = Instruction.objects.count()
    response = client.post(f"/decisions/{decision.pk}/instructions/", form)
    assert response.status_code == 400
    assert "is before the decision" in response.content.decode()
    assert 'value="Report on the roadmap (page test)"' in response.content.decode()  # the input is kept
    assert Instruction.objects.count() == count
    form["due_date"] = (decision.adopted_on + dt.timedelta(days=60)).isoformat()
    response = client.post(f"/decisions/{decision.pk}/instructions/", form)
    instruction = Instruction.objects.get(decision=decision)
    assert response.status_code == 302 and response["Location"] == f"/instructions/{instruction.pk}/"
    assert instruction.assignees.get().focal_point == uz

    assert signed_in("kz").get(f"/decisions/new/{DEMO_TEXT}/").status_code == 403
    assert signed_in("cn").get(f"/decisions/new/{DEMO_TEXT}/").status_code == 404


def test_report_with_attachment_then_accepted(signed_in: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    demo = _demo()
    focal = signed_in("uz")
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 page test", content_type="application/pdf")
    response = focal.post(f"/instructions/{demo.pk}/report/",
                          {"body": "Plan drafted (page test).", "progress": "done", "attachment": upload})  # fmt: skip
    assert response.status_code == 302, response.content[:300]
    report = Report.objects.get(body="Plan drafted (page test).")
    download = signed_in("kz").get(f"/instructions/{demo.pk}/reports/{report.pk}/attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 page test"
    assert 'filename="plan.pdf"' in download["Content-Disposition"]
    assert signed_in("cn").get(f"/instructions/{demo.pk}/reports/{report.pk}/attachment/").status_code == 404
    assert Client().get(f"/instructions/{demo.pk}/reports/{report.pk}/attachment/").status_code == 302

    secretariat = signed_in("secretariat")
    bad = secretariat.post(f"/instructions/{demo.pk}/reports/{report.pk}/review/", {"decision": "return"})
    assert bad.status_code == 400 and "why the report is returned" in bad.content.decode()
    ok = secretariat.post(f"/instructions/{demo.pk}/reports/{report.pk}/review/",
                          {"decision": "accept", "comment": "Thank you (page test)."})  # fmt: skip
    assert ok.status_code == 302
    report.refresh_from_db()
    assert report.review == "accepted"
    assert "Thank you (page test)." in signed_in("kz").get(f"/instructions/{demo.pk}/").content.decode()


def test_bad_reports_through_the_page_change_nothing(signed_in: Any, people: dict[str, Any]) -> None:
    demo = _demo()
    count = Report.objects.count()
    response = signed_in("uz").post(f"/instructions/{demo.pk}/report/", {"body": " ", "progress": "done"})
    assert response.status_code == 400 and "Write what was done" in response.content.decode()
    assert (
        signed_in("kz").post(f"/instructions/{demo.pk}/report/", {"body": "x", "progress": "done"}).status_code == 403
    )
    signed_in("secretariat").post(f"/instructions/{demo.pk}/cancel/", {"reason": "Test cancel (page)."})
    response = signed_in("uz").post(f"/instructions/{demo.pk}/report/", {"body": "Late (test)", "progress": "done"})
    assert response.status_code == 400 and "cancelled" in response.content.decode()
    assert Report.objects.count() == count


def test_cadence_dashboard_and_format_page_show_the_imposing_instruction(
    signed_in: Any, people: dict[str, Any], adopted: Text
) -> None:
    decision = actions.mark_decision(people["secretariat"], adopted, adopted.units.get(uid="OP1"))
    instruction = actions.create_instruction(
        people["secretariat"], decision, title="Ministers meet every six months (test)", assignee_kind="format",
        assignee_format=Format.objects.get(code=FM), recurrence_months=6, meets=True,
    )  # fmt: skip
    for url in ("/cadence/", f"/formats/{FM}/"):
        body = signed_in("kz").get(url).content.decode()
        assert "imposed by" in body and f'href="/instructions/{instruction.pk}/"' in body
        assert "Ministers meet every six months (test)" in body
        public = Client().get(url).content.decode()  # the rule is public, the members-only instruction is not
        assert f"/instructions/{instruction.pk}/" not in public and "Ministers meet every six months" not in public
    body = signed_in("kz").get(f"/instructions/{instruction.pk}/").content.decode()
    assert "Meetings held" in body and short_date(dt.date(2023, 9, 13)) in body


def test_dashboard_queries_do_not_grow_with_instructions(signed_in: Any, people: dict[str, Any], adopted: Text) -> None:
    client = signed_in("kz")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/instructions/").status_code == 200
        return len(queries)

    decision = actions.mark_decision(people["secretariat"], adopted, adopted.units.get(uid="OP1"))

    def give(n: int) -> None:
        instruction = actions.create_instruction(
            people["secretariat"], decision, title=f"Task {n} (test)", assignee_kind="states",
            states=[actions.AssigneeSpec(people["uz"].state, people["uz"]),
                    actions.AssigneeSpec(people["kz"].state, people["focal_kz"])],
            due_date=decision.adopted_on + dt.timedelta(days=n),
        )  # fmt: skip
        actions.file_report(people["uz"], instruction, body="x (test)", progress="in_progress")

    give(1)
    few = count()
    for n in range(2, 8):
        give(n)
    assert count() == few


def test_dashboard_in_russian(signed_in: Any) -> None:
    client = signed_in("kz")
    client.post("/i18n/setlang/", {"language": "ru", "next": "/instructions/"})
    body = client.get("/instructions/").content.decode()
    assert "Выполнение решений" in body and "Контроль исполнения" in body
