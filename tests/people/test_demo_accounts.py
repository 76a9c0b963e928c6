"""The demo has an account for every actor of the journeys, and the README lists exactly those."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from kenes.people import demo
from kenes.people.demo_accounts import MEMBER_STATES
from kenes.people.management.commands.load_demo import block
from kenes.people.models import Account, Role
from tests.conftest import verified

README = Path(__file__).resolve().parents[2] / "README.md"
pytestmark = pytest.mark.django_db


def _by_email() -> dict[str, Account]:
    return {a.email: a for a in Account.objects.filter(is_demo=True).select_related("state")}


def test_the_readme_lists_exactly_the_demo_accounts() -> None:
    listed = re.findall(r"^\| `([^`]+@demo\.kenes\.invalid)` \|", README.read_text(encoding="utf-8"), re.M)
    assert sorted(listed) == sorted(spec.email for spec in demo.ACCOUNTS)
    assert len(listed) == len(set(listed))


def test_every_member_state_has_a_focal_point_and_a_delegate() -> None:
    from kenes.meetings.models import Format
    from kenes.states.queries import members_on

    fm = Format.objects.get(code="ca_foreign_ministers")
    from django.utils import timezone

    members = set(members_on(fm.mechanism_id, timezone.localdate().isoformat()).values_list("iso2", flat=True))
    assert members == set(MEMBER_STATES)
    accounts = _by_email()
    for iso2 in [*MEMBER_STATES, "RU", "CN"]:
        states_roles = {(a.state.iso2 if a.state else None, r.role) for a in accounts.values() for r in a.roles.all()}
        assert (iso2, Role.FOCAL_POINT) in states_roles, iso2
        assert (iso2, Role.DELEGATE) in states_roles, iso2


def test_two_security_officers_on_different_distributions() -> None:
    from kenes.access.policy import visible
    from kenes.security.models import ThreatReport

    accounts = _by_email()
    report = ThreatReport.objects.get(is_demo=True)
    on = verified(accounts["security.kg@demo.kenes.invalid"])
    off = verified(accounts["security.kz@demo.kenes.invalid"])
    assert visible(on, ThreatReport.objects.all()).filter(pk=report.pk).exists()
    assert not visible(off, ThreatReport.objects.all()).filter(pk=report.pk).exists()


def test_the_printed_block_has_every_account_once_with_its_totp_secret() -> None:
    accounts = demo.ensure_accounts()  # idempotent: the same accounts and devices
    text = block(accounts)
    assert demo.DEMO_PASSWORD in text
    for spec, account, secret in accounts:
        (line,) = [row for row in text.splitlines() if f" {spec.email} " in row]
        assert (secret is not None) == account.requires_two_factor
        if secret:
            assert secret in line


def test_the_guest_focal_point_is_notified_and_can_answer() -> None:
    from kenes.meetings import actions as meeting_actions
    from kenes.meetings.models import Invitation, InvitationStatus

    focal_ru = _by_email()["focal.ru@demo.kenes.invalid"]
    pending = Invitation.objects.get(meeting__code=demo.DEMO_EXTRA_MEETING, state__iso2="RU")
    assert pending.status == InvitationStatus.PENDING
    assert focal_ru.notifications.filter(verb="invitation.sent", url=f"/meetings/{demo.DEMO_EXTRA_MEETING}/").exists()
    answered = meeting_actions.answer_invitation(focal_ru, pending, accept=True)
    assert answered.status == InvitationStatus.ACCEPTED


def test_the_member_delegates_can_make_the_demo_draft_clean() -> None:
    from kenes.texts import actions as text_actions
    from kenes.texts.models import Text

    accounts = _by_email()
    chair = verified(accounts["secretariat@demo.kenes.invalid"])
    text = Text.objects.get(code=demo.DEMO_MEMBERS_TEXT)
    assert not text_actions.is_clean(text)[0]
    unit = text.units.order_by("order").first()
    assert unit is not None
    for language, content in (("ru", "ДЕМО: обмен проектами повесток дня."), ("en", "DEMO: draft agendas.")):
        text_actions.edit_unit(chair, unit, language=language, content=content)
    for unit in text.units.filter(removed=False):
        for iso2 in MEMBER_STATES:
            delegate: Any = verified(accounts[f"delegate.{iso2.lower()}@demo.kenes.invalid"])
            text_actions.state_position(delegate, unit, stance="support")
    assert text_actions.is_clean(Text.objects.get(pk=text.pk)) == (True, [])
