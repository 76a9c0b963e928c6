"""The admin's audit pages show only events about what the reader may read (issue 16, finding 3).

A superuser is no exception to the access policy: one cleared ``participants`` must not learn from
the log what restricted or members-only material it cannot open.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from kenes.access.levels import Classification
from kenes.access.policy import can
from kenes.audit import log
from kenes.audit.models import AuditEvent
from kenes.meetings.models import Document
from kenes.people.demo import DEMO_PASSWORD
from kenes.people.models import Account, FormatRole, Role
from kenes.security.models import ThreatReport
from kenes.texts.models import Text
from tests.conftest import totp_now

CANARY = "canary-5d1e7b"  # searched for by its tail only: the search box repeats what was asked
CONTROL = "control-9a4c2f"
CHANGELIST = "/admin/audit/auditevent/"


@pytest.fixture
def reader() -> Account:
    """A superuser of the secretariat, cleared ``participants``, with a confirmed authenticator."""
    account = Account.objects.create_superuser(
        "auditor@example.test", DEMO_PASSWORD, full_name="Auditor", clearance=Classification.PARTICIPANTS
    )
    FormatRole.objects.create(account=account, format=None, role=Role.SECRETARIAT)
    TOTPDevice.objects.create(user=account, name="Authenticator", confirmed=True)
    return account


def _admin(account: Account) -> Client:
    client = Client()
    response = client.post("/login/", {"username": account.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    response = client.post("/account/2fa/", {"code": totp_now(account), "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    return client


def _plant(actor: str, verb: str, target: Any) -> AuditEvent:
    with transaction.atomic():
        return log.record(actor, verb, target, note=f"{actor} wording")


@pytest.mark.django_db
def test_admin_audit_pages_hide_events_about_what_the_reader_cannot_read(reader: Account) -> None:
    report = ThreatReport.objects.get(is_demo=True)
    restricted_doc = Document.objects.get(code="demo-scs-threat-summary")
    members_text = Text.objects.filter(is_demo=True, classification=Classification.MEMBERS).first()
    assert members_text is not None
    unit = members_text.units.first()
    assert unit is not None
    participants_doc = Document.objects.filter(is_demo=True, classification=Classification.PARTICIPANTS).first()
    assert participants_doc is not None
    for hidden in (report, restricted_doc, members_text):
        assert not can(reader, "view", hidden)
    assert can(reader, "view", participants_doc)

    canaries = [
        _plant(f"{CANARY}-report", f"{CANARY}.report", report),
        _plant(f"{CANARY}-document", f"{CANARY}.document", restricted_doc),
        _plant(f"{CANARY}-unit", f"{CANARY}.unit", unit),  # part of a members-only text
    ]
    controls = [
        _plant(f"{CONTROL}-none", f"{CONTROL}.none", None),
        _plant(f"{CONTROL}-document", f"{CONTROL}.document", participants_doc),
        _plant(f"{CONTROL}-account", f"{CONTROL}.account", reader),
    ]

    client = _admin(reader)
    pages = {
        "newest first": client.get(CHANGELIST, {"o": "-1"}),
        "search": client.get(CHANGELIST, {"q": CANARY.split("-")[1]}),
        "search by type": client.get(CHANGELIST, {"q": "security.threatreport"}),
    }
    for event in canaries:
        pages[f"change #{event.seq}"] = client.get(f"{CHANGELIST}{event.pk}/change/", follow=True)
        pages[f"history #{event.seq}"] = client.get(f"{CHANGELIST}{event.pk}/history/", follow=True)
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert CANARY not in response.content.decode(), name

    newest = pages["newest first"].content.decode()
    for event in controls:
        assert event.verb in newest
        page = client.get(f"{CHANGELIST}{event.pk}/change/")
        assert page.status_code == 200
        assert f"{event.actor_label} wording" in page.content.decode()
    assert CONTROL in client.get(CHANGELIST, {"q": CONTROL}).content.decode()


@pytest.mark.django_db
def test_a_reader_cleared_for_the_material_sees_its_events(accounts: dict[str, Any]) -> None:
    """The filter is the policy, not a blanket: the KG security officer, on the report's distribution,
    made a superuser, finds the event about the restricted report."""
    officer = Account.objects.get(pk=accounts["kg"].pk)
    Account.objects.filter(pk=officer.pk).update(is_staff=True, is_superuser=True)
    officer.refresh_from_db()
    event = _plant(f"{CONTROL}-restricted", f"{CONTROL}.restricted", ThreatReport.objects.get(is_demo=True))
    client = _admin(officer)
    assert event.verb in client.get(CHANGELIST, {"q": CONTROL}).content.decode()
    assert client.get(f"{CHANGELIST}{event.pk}/change/").status_code == 200
