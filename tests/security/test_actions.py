"""The security channel's actions and API: bad input is a clear error that changes nothing; the
assessment, joint measures, consultation request and convening work; notifications carry no
restricted content."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from kenes.access.levels import Classification
from kenes.audit.models import AuditEvent
from kenes.errors import ActionError
from kenes.people.models import Notification
from kenes.security import actions
from kenes.security.models import Assessment, ConsultationRequest, ReadEvent, ThreatReport
from kenes.states.models import State
from tests.conftest import login, verified
from tests.security.conftest import TITLE_X


def _payload(**changes: Any) -> dict[str, Any]:
    payload = {
        "title": "Fictional API report",
        "category": "terrorism",
        "severity": 4,
        "occurred_at": "2026-01-02T03:04:00Z",
        "summary": "Fictional.",
        "distribution": ["UZ"],
    }
    payload.update(changes)
    return payload


@pytest.mark.django_db
@pytest.mark.parametrize("guest", ["RU", "CN"])
def test_a_distribution_naming_a_guest_state_is_refused(accounts: dict[str, Any], guest: str) -> None:
    client = login(Client(), accounts["kg"])
    before = (ThreatReport.objects.count(), AuditEvent.objects.count())
    response = client.post(
        "/api/v1/security/reports", _payload(distribution=["UZ", guest]), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["field"] == "distribution" and guest in response.json()["detail"]
    assert (ThreatReport.objects.count(), AuditEvent.objects.count()) == before
    page = client.post(
        "/security/new/",
        {**_payload(distribution=[]), "distribution": ["UZ", guest], "occurred_at": "2026-01-02T03:04"},
    )
    assert page.status_code == 400 and guest.encode() in page.content
    assert (ThreatReport.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_filing_through_api_and_page(accounts: dict[str, Any]) -> None:
    client = login(Client(), accounts["kg"])
    response = client.post("/api/v1/security/reports", _payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["classification"] == Classification.RESTRICTED
    assert body["distribution"] == ["KG", "UZ"] and body["author_state"] == "KG"
    page = client.post(
        "/security/new/",
        {**_payload(title="Fictional page report"), "occurred_at": "2026-01-02T03:04", "affected_states": ["KG"]},
    )
    assert page.status_code == 302
    report = ThreatReport.objects.get(title="Fictional page report")
    assert report.classification == Classification.RESTRICTED


@pytest.mark.django_db
def test_an_assessment_by_a_state_not_addressed_is_refused(
    accounts: dict[str, Any], officer_tj: Any, reports: dict[str, Any]
) -> None:
    x = reports["x"]
    client = login(Client(), officer_tj)
    before = (Assessment.objects.count(), AuditEvent.objects.count())
    # an operator (or any caller) naming a state the report is not addressed to: a clear error
    with pytest.raises(ActionError) as error:
        actions.assess("operator", x, view="agreed", state=State.objects.get(iso2="TJ"))
    assert error.value.field == "state" and "addressed" in error.value.message
    # a cleared officer of that state cannot even see the report: 404, nothing changed
    response = client.post(f"/api/v1/security/reports/{x.pk}/assessments", {"view": "agreed"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 404 and TITLE_X.encode() not in response.content
    assert client.post(f"/security/{x.pk}/assess/", {"view": "raised"}).status_code == 404
    # KG may not assess on behalf of another state
    with pytest.raises(PermissionDenied):
        actions.assess(verified(accounts["kg"]), x, view="agreed", state=State.objects.get(iso2="UZ"))
    assert (Assessment.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_assessment_bad_view_is_refused(accounts: dict[str, Any], reports: dict[str, Any]) -> None:
    client = login(Client(), accounts["kg"])
    response = client.post(f"/security/{reports['x'].pk}/assess/", {"view": "doubled"})
    assert response.status_code == 400
    assert not Assessment.objects.filter(report=reports["x"]).exists()


@pytest.mark.django_db
def test_assess_measures_consult_convene(accounts: dict[str, Any], reports: dict[str, Any]) -> None:
    from kenes.meetings.models import AgendaItem, MeetingKind
    from kenes.texts.models import Text

    x = reports["x"]
    client = login(Client(), accounts["kg"])
    url = f"/api/v1/security/reports/{x.pk}"
    assessment = {"view": "raised", "comments": "c", "measures": "Joint patrols (fictional)."}
    made = client.post(f"{url}/assessments", assessment, content_type="application/json")
    assert made.status_code == 201 and made.json()["state"] == "KG"
    text = client.post(f"{url}/measures", content_type="application/json")
    assert text.status_code == 201
    drafted = Text.objects.get(code=text.json()["code"])
    assert drafted.classification == Classification.RESTRICTED
    assert sorted(s.iso2 for s in drafted.distribution.all()) == ["KG", "UZ"]
    mail.outbox.clear()
    asked = client.post(f"{url}/consultations", {"within_days": 14}, content_type="application/json")
    assert asked.status_code == 201, asked.content
    days = asked.json()["suggestions"]
    assert days, "the scheduling assistant proposes days"
    alerts = Notification.objects.filter(verb="security.consultation_requested")
    assert alerts.exists()
    for alert in alerts:
        assert TITLE_X not in alert.text and "extraordinary consultation" in alert.text
    for message in mail.outbox:
        assert TITLE_X not in message.subject + message.body
    request_id = asked.json()["id"]
    convened = client.post(f"{url}/consultations/{request_id}/convene", {"start": days[0]},
                           content_type="application/json")  # fmt: skip
    assert convened.status_code == 201, convened.content
    request = ConsultationRequest.objects.get(pk=request_id)
    meeting = request.meeting
    assert meeting is not None and meeting.kind == MeetingKind.EXTRAORDINARY
    assert meeting.classification == Classification.RESTRICTED
    item = AgendaItem.objects.get(meeting=meeting)
    assert item.title == TITLE_X and item.classification == Classification.RESTRICTED
    # the secretariat, not cleared, sees neither the meeting nor the item
    secretariat = login(Client(), accounts["secretariat"])
    assert secretariat.get(f"/meetings/{meeting.code}/").status_code == 404
    assert TITLE_X.encode() not in secretariat.get("/notifications/").content
    # KG reads its meeting page, marked
    page = client.get(f"/meetings/{meeting.code}/")
    assert page.status_code == 200


@pytest.mark.django_db
def test_reads_are_logged_and_pdf_is_watermarked(accounts: dict[str, Any], reports: dict[str, Any]) -> None:
    x = reports["x"]
    client = login(Client(), accounts["kg"])
    before = ReadEvent.objects.count()
    page = client.get(f"/security/{x.pk}/")
    assert page.content.count(b"RESTRICTED") >= 2  # marking at the top and the bottom
    pdf = client.get(f"/security/{x.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    attachment = client.get(f"/security/{x.pk}/attachment/")
    assert attachment.status_code == 200 and attachment["Content-Type"] == "application/pdf"
    assert ReadEvent.objects.count() == before + 3
    assert AuditEvent.objects.filter(verb="security.report_read").count() >= 3
    from kenes.security import pdf as security_pdf
    from tests.texts.test_pdf import pages_text

    x.details = "Fictional line of details.\n" * 300  # several pages
    pages = pages_text(security_pdf.render(x, email=accounts["kg"].email, attachment_text="a", compress=False))
    assert len(pages) >= 3
    for page_text in pages:
        assert f"{accounts['kg'].email} " in page_text and page_text.count("RESTRICTED") >= 3


@pytest.mark.django_db
def test_stale_session_is_sent_to_reenter_the_code(accounts: dict[str, Any], reports: dict[str, Any]) -> None:
    from tests.conftest import totp_now

    client = login(Client(), accounts["kg"])
    session = client.session
    session["kenes_strong_auth_at"] = (timezone.now() - dt.timedelta(minutes=16)).isoformat()
    session.save()
    response = client.get(f"/security/{reports['x'].pk}/")
    assert response.status_code == 302 and "reauth=1" in response["Location"]
    form = client.get(response["Location"])
    assert form.status_code == 200
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=accounts["kg"]).update(last_t=-1)  # as if the next 30 s step had come
    again = client.post("/account/2fa/", {"code": totp_now(accounts["kg"]), "reauth": "1",
                                          "next": f"/security/{reports['x'].pk}/"})  # fmt: skip
    assert again.status_code == 302
    assert client.get(f"/security/{reports['x'].pk}/").status_code == 200


@pytest.mark.django_db
def test_the_channel_in_russian(accounts: dict[str, Any], reports: dict[str, Any]) -> None:
    client = login(Client(), accounts["kg"])
    client.cookies["django_language"] = "ru"
    page = client.get("/security/", headers={"Accept-Language": "ru"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Консультации по безопасности" in text and "ОГРАНИЧЕННЫЙ ДОСТУП" in text
    detail = client.get(f"/security/{reports['x'].pk}/", headers={"Accept-Language": "ru"}).content.decode()
    assert "пограничный инцидент" in detail and "Запросить внеочередную консультацию" in detail
