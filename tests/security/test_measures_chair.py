"""Joint measures drafted as a restricted text are chaired by a cleared security officer on the
distribution, and only the distribution's member states need to agree."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kenes.meetings.models import Format
from kenes.states.models import State
from kenes.texts import actions, queries
from kenes.texts.models import TextStatus
from tests.conftest import verified


@pytest.mark.django_db
def test_a_cleared_officer_chairs_restricted_measures(accounts: dict[str, Any]) -> None:
    from kenes.people.actions import create_account

    kg = verified(accounts["kg"])
    uz_officer = verified(
        create_account(
            "test", email="officer.uz@example.test", full_name="Officer UZ", password=None,
            affiliation="state", state=State.objects.get(iso2="UZ"), clearance="restricted",
            roles=[(None, "security_officer"), (None, "delegate")],
        )
    )  # fmt: skip
    text = actions.create_text(
        kg, fmt=Format.objects.get(code="ca_security_council_secretaries"), code="demo-measures",
        title="DEMO joint measures (fictional)", kind="roadmap", classification="restricted",
        distribution=[State.objects.get(iso2="KG"), State.objects.get(iso2="UZ")],
        units=[{"content": "Exchange [daily | weekly] situation reports (demo)."}],
    )  # fmt: skip
    assert queries.member_codes(text) == ["KG", "UZ"]
    unit = text.units.get()
    actions.edit_unit(kg, unit, language="ru", content="Exchange weekly situation reports (demo).")
    with pytest.raises(Http404):  # the secretariat cannot see it, let alone chair it
        actions.edit_unit(verified(accounts["secretariat"]), unit, language="ru", content="x")
    with pytest.raises(PermissionDenied):  # a cleared reader on the distribution is not the chair
        actions.edit_unit(uz_officer_without_role(accounts), unit, language="ru", content="x")
    for officer in (kg, uz_officer):
        actions.state_position(officer, unit, stance="support")
    adopted = actions.adopt_by_consensus(kg, text)
    assert adopted.status == TextStatus.ADOPTED


def uz_officer_without_role(accounts: dict[str, Any]) -> Any:
    """A UZ delegate cleared for restricted material but not a security officer."""
    from kenes.people.actions import create_account

    return verified(
        create_account(
            "test", email="reader.uz@example.test", full_name="Reader UZ", password=None,
            affiliation="state", state=State.objects.get(iso2="UZ"), clearance="restricted",
            roles=[(None, "delegate")],
        )
    )  # fmt: skip
