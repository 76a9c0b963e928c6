"""Fixtures of the security channel: a second cleared officer (Tajikistan, never on the demo
distribution) and two reports: X from KG to KG+UZ with a text attachment, Y from TJ to TJ+KZ."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

TITLE_X = "Fictional test report X about a border incident"
TITLE_Y = "Fictional test report Y about a cyber incident"


@pytest.fixture
def officer_tj(db: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kenes.access.levels import Classification
    from kenes.people import actions
    from kenes.people.demo import DEMO_PASSWORD
    from kenes.people.models import Account, Affiliation, Role
    from kenes.states.models import State

    account = Account.objects.filter(email="security.tj@test.kenes.invalid").first()
    if account is None:
        account = actions.create_account(
            "test",
            email="security.tj@test.kenes.invalid",
            full_name="Test Officer TJ",
            password=DEMO_PASSWORD,
            affiliation=Affiliation.STATE,
            state=State.objects.get(iso2="TJ"),
            clearance=Classification.RESTRICTED,
            roles=[(None, Role.SECURITY_OFFICER)],
            check_password=False,
        )
        TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    return account


@pytest.fixture
def reports(accounts: dict[str, Any], officer_tj: Any) -> dict[str, Any]:
    from kenes.security import actions
    from kenes.states.models import State
    from tests.conftest import verified

    states = {s.iso2: s for s in State.objects.all()}
    when = timezone.now() - dt.timedelta(hours=3)
    x = actions.file_report(
        verified(accounts["kg"]),
        title=TITLE_X,
        category="border_incident",
        severity=3,
        occurred_at=when,
        summary="Fictional summary X.",
        details="Fictional details X.",
        distribution=[states["UZ"]],
        affected_states=[states["KG"], states["TJ"]],
        attachment=SimpleUploadedFile("note.txt", b"Fictional attachment line.\n", content_type="text/plain"),
    )
    y = actions.file_report(
        verified(officer_tj),
        title=TITLE_Y,
        category="cyber_incident",
        severity=2,
        occurred_at=when,
        summary="Fictional summary Y.",
        distribution=[states["KZ"]],
    )
    return {"x": x, "y": y}
