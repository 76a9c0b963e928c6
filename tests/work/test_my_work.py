""" "My work": each person sees what waits for them, through the access policy, and an item goes
when the work is done (issue 15, item 4). Page and API read the same lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from kenes.decisions import actions as decision_actions
from kenes.decisions.models import Instruction, Report, Review
from kenes.meetings import actions as meeting_actions
from kenes.meetings.models import Invitation, InvitationStatus
from kenes.people.models import Account
from kenes.security import actions as security_actions
from kenes.security.models import ThreatReport
from kenes.texts import actions as text_actions
from kenes.texts.models import Text, TextStatus
from kenes.work.queries import DUE_WITHIN_DAYS, work_for
from tests.conftest import login, verified


def _account(email: str) -> Account:
    return Account.objects.select_related("state").get(email=email)


def _api(client: Client) -> dict[str, Any]:
    response = client.get("/api/v1/work")
    assert response.status_code == 200, response.content[:300]
    return response.json()  # type: ignore[no-any-return]


def _titles(work: dict[str, Any], kind: str) -> list[str]:
    return [item["title"] for item in work["items"] if item["kind"] == kind]


@pytest.mark.django_db
def test_a_focal_point_sees_the_invitation_to_answer_until_it_is_answered() -> None:
    focal = _account("focal.ru@demo.kenes.invalid")
    pending = Invitation.objects.filter(state=focal.state, status=InvitationStatus.PENDING).select_related("meeting")
    invitation = pending.get()
    client = login(Client(), focal)
    work = _api(client)
    assert _titles(work, "invitation") == [invitation.meeting.display_title]
    assert work["counts"]["invitation"] == 1
    assert escape(invitation.meeting.display_title) in client.get("/work/").content.decode()

    meeting_actions.answer_invitation(verified(focal), invitation, accept=True)
    assert _api(client)["counts"]["invitation"] == 0


@pytest.mark.django_db
def test_only_the_focal_point_is_asked_to_answer(accounts: dict[str, Any]) -> None:
    # The guest delegate of the same state cannot answer the invitation: it is not their work.
    guest = accounts["ru"]
    assert guest.state == _account("focal.ru@demo.kenes.invalid").state
    assert _api(login(Client(), guest))["counts"]["invitation"] == 0


@pytest.mark.django_db
def test_a_member_delegation_sees_the_paragraphs_still_without_its_position(accounts: dict[str, Any]) -> None:
    kz = verified(accounts["kz"])
    before = {item.url: item.count for item in work_for(kz).of("position")}
    room = next(iter(before))
    text = Text.objects.get(code=room.strip("/").split("/")[-1], status=TextStatus.DRAFTING)
    unit = text.units.filter(removed=False).exclude(positions__state=kz.state).order_by("order").first()
    assert unit is not None

    text_actions.state_position(kz, unit, stance="support")

    after = {item.url: item.count for item in work_for(kz).of("position")}
    assert after.get(room, 0) == before[room] - 1
    # The page shows the same count.
    page = login(Client(), accounts["kz"]).get("/work/").content.decode()
    assert escape(text.title) in page


@pytest.mark.django_db
def test_guests_never_see_member_texts_or_reports_in_their_work(accounts: dict[str, Any]) -> None:
    member_texts = [t.title for t in Text.objects.filter(classification="members")]
    assert member_texts
    for name in ("ru", "cn"):
        client = login(Client(), accounts[name])
        work = _api(client)
        assert work["counts"]["position"] == 0 and work["counts"]["review"] == 0 and work["counts"]["threat"] == 0
        page = client.get("/work/").content.decode() + client.get("/").content.decode()
        assert not [title for title in member_texts if escape(title) in page]


@pytest.mark.django_db
def test_the_secretariat_sees_reports_to_review_until_reviewed(accounts: dict[str, Any]) -> None:
    sec = verified(accounts["secretariat"])
    report = Report.objects.filter(review=Review.SUBMITTED).select_related("instruction__format").first()
    assert report is not None
    urls = [item.url for item in work_for(sec).of("review")]
    assert f"/instructions/{report.instruction_id}/#report-{report.pk}" in urls
    assert work_for(verified(accounts["kz"])).of("review") == []

    decision_actions.review_report(sec, report, accept=True)
    assert f"/instructions/{report.instruction_id}/#report-{report.pk}" not in [
        item.url for item in work_for(sec).of("review")
    ]


@pytest.mark.django_db
def test_a_security_officer_sees_the_threat_report_until_their_state_assessed_it(accounts: dict[str, Any]) -> None:
    officer = verified(accounts["kg"])
    [item] = work_for(officer).of("threat")
    report = ThreatReport.objects.get(pk=int(item.url.strip("/").split("/")[-1]))
    # The report's title never reaches someone off its distribution, page or API.
    client = login(Client(), accounts["kz"])
    assert escape(report.title) not in client.get("/work/").content.decode()
    assert _api(client)["counts"]["threat"] == 0

    security_actions.assess(officer, report, view="agreed")
    assert work_for(officer).of("threat") == []


@pytest.mark.django_db
def test_the_home_page_shows_the_panel_to_a_signed_in_person_only(accounts: dict[str, Any]) -> None:
    assert "What waits for you" not in Client().get("/").content.decode()
    client = login(Client(), accounts["kz"])
    assert "What waits for you" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    page = client.get("/work/").content.decode()
    assert "Моя работа" in page and "Что ждёт вас" in page


@pytest.mark.django_db
def test_my_work_needs_a_signed_in_person() -> None:
    response = Client().get("/work/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Client().get("/api/v1/work").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "shown"), [(-3, True), (0, True), (DUE_WITHIN_DAYS, True), (DUE_WITHIN_DAYS + 1, False)]
)
def test_an_instruction_to_the_state_shows_from_30_days_before_it_is_due(
    accounts: dict[str, Any], days: int, shown: bool
) -> None:
    instruction = Instruction.objects.get(assignees__state__iso2="UZ", title__startswith="DEMO")
    today = timezone.localdate()
    Instruction.objects.filter(pk=instruction.pk).update(due_date=today + dt.timedelta(days=days))
    url = f"/instructions/{instruction.pk}/"
    uz = verified(accounts["uz"])
    assert (url in [item.url for item in work_for(uz, today=today).of("instruction")]) is shown
    # Kazakhstan is not an assignee: never its work, whenever it is due.
    assert work_for(verified(accounts["kz"]), today=today).of("instruction") == []


@pytest.mark.django_db
def test_a_paragraph_changed_after_the_position_waits_for_it_again(accounts: dict[str, Any]) -> None:
    # A position is for the paragraph's revision: once the chair changes the wording, it is asked again.
    kz = verified(accounts["kz"])
    before = {item.url: item.count for item in work_for(kz).of("position")}
    room = next(iter(before))
    text = Text.objects.get(code=room.strip("/").split("/")[-1])
    unit = text.units.filter(removed=False).exclude(positions__state=kz.state).order_by("order").first()
    assert unit is not None
    text_actions.state_position(kz, unit, stance="support")
    assert {i.url: i.count for i in work_for(kz).of("position")}.get(room, 0) == before[room] - 1

    version = unit.versions.get(language=text.working_language)
    text_actions.edit_unit(verified(accounts["secretariat"]), unit, language=text.working_language,
                           content=version.content + " (changed, test)")  # fmt: skip
    assert {i.url: i.count for i in work_for(kz).of("position")}[room] == before[room]
