"""Who reads what of the security channel, as ``./dev mutate`` found it untested (docs/mutation.md):
the reports of each officer's distribution, the read log for the author's state only, the re-prompt
for a stale session, the Security link, and the consultation days offered.

Report X is filed by Kyrgyzstan for Uzbekistan, report Y by Tajikistan for Kazakhstan (conftest.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from kenes.people.actions import create_account
from kenes.people.models import Account
from kenes.security import actions, queries
from kenes.security.models import ConsultationRequest, ThreatReport
from kenes.states.models import State
from tests.conftest import stale, verified

pytestmark = pytest.mark.django_db


def _officer(iso2: str | None, *, clearance: str = "restricted", role: str = "security_officer") -> Account:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    account = create_account(
        "test", email=f"{role}.{iso2 or 'sec'}.{clearance}@test.kenes.invalid", full_name="Test officer (fictional)",
        password=None, affiliation="state" if iso2 else "secretariat",
        state=State.objects.get(iso2=iso2) if iso2 else None, clearance=clearance, roles=[(None, role)],
    )  # fmt: skip
    TOTPDevice.objects.create(user=account, name="test", confirmed=True)
    return account


def _titles(account: Any) -> set[str]:
    """Of reports X and Y (the demo report is left out)."""
    return set(queries.reports_for(account).filter(title__startswith="Fictional").values_list("title", flat=True))


def test_each_officer_reads_the_reports_of_its_state_and_distribution(
    accounts: dict[str, Any], reports: dict[str, ThreatReport], officer_tj: Any
) -> None:
    x, y = reports["x"].title, reports["y"].title
    assert _titles(verified(accounts["kg"])) == {x}  # the author's state is on its own report
    assert _titles(verified(_officer("UZ"))) == {x}
    assert _titles(verified(officer_tj)) == {y}
    assert _titles(verified(_officer("KZ"))) == {y}
    assert _titles(verified(_officer("TM"))) == set()
    assert _titles(verified(accounts["secretariat"])) == set()
    assert _titles(AnonymousUser()) == set()


def test_one_report_or_404_or_a_new_code_for_a_stale_session(
    accounts: dict[str, Any], reports: dict[str, ThreatReport]
) -> None:
    x, y = reports["x"], reports["y"]
    kg = verified(accounts["kg"])
    assert queries.report_for(kg, x.pk) == x
    with pytest.raises(Http404):
        queries.report_for(kg, y.pk)
    with pytest.raises(queries.NeedsReauth):
        queries.report_for(stale(accounts["kg"]), x.pk)
    with pytest.raises(Http404):  # stale, and it could never read Y anyway
        queries.report_for(stale(accounts["kg"]), y.pk)
    with pytest.raises(Http404):
        queries.report_for(AnonymousUser(), x.pk)


def test_assessments_and_consultation_requests_are_for_readers_of_the_report(
    accounts: dict[str, Any], reports: dict[str, ThreatReport]
) -> None:
    x = reports["x"]
    kg = verified(accounts["kg"])
    actions.assess(kg, x, view="raised", comments="Fictional.")
    request = actions.request_consultation(kg, x, within_days=10)
    assert [a.state.iso2 for a in queries.assessments_for(kg, x)] == ["KG"]
    assert list(queries.requests_for(kg, x)) == [request]
    outsider = verified(_officer("KZ"))
    assert not queries.assessments_for(outsider, x).exists()
    assert not queries.requests_for(outsider, x).exists()
    assert not queries.assessments_for(stale(accounts["kg"]), x).exists()


def test_the_read_log_is_for_the_authors_state_while_it_reads_the_report(
    accounts: dict[str, Any], reports: dict[str, ThreatReport]
) -> None:
    x, y = reports["x"], reports["y"]
    kg, uz = verified(accounts["kg"]), verified(_officer("UZ"))
    actions.record_read(uz, x, "view")
    assert [(r.account, r.what) for r in queries.read_log_for(kg, x)] == [(uz, "view")]
    assert queries.may_see_read_log(kg, x)
    assert not queries.may_see_read_log(uz, x)  # a recipient reads the report, not who else did
    with pytest.raises(Http404):
        queries.read_log_for(uz, x)
    assert not queries.may_see_read_log(kg, y)
    with pytest.raises(Http404):
        queries.read_log_for(kg, y)
    assert not queries.may_see_read_log(stale(accounts["kg"]), x)  # the author's state, but not reading now
    with pytest.raises(Http404):
        queries.read_log_for(stale(accounts["kg"]), x)
    assert not queries.may_see_read_log(AnonymousUser(), x)


def test_the_security_link_is_for_accounts_of_a_state_cleared_restricted(accounts: dict[str, Any]) -> None:
    assert queries.has_channel(accounts["kg"])
    assert queries.has_channel(_officer("UZ", role="delegate"))
    assert not queries.has_channel(accounts["kz"])  # cleared members
    assert not queries.has_channel(_officer(None))  # restricted, but of no state
    assert not queries.has_channel(AnonymousUser())


def test_the_consultation_days_offered_are_the_earliest_within_the_days_chosen(
    accounts: dict[str, Any], reports: dict[str, ThreatReport]
) -> None:
    kg = verified(accounts["kg"])
    request = actions.request_consultation(kg, reports["x"], within_days=30)
    slots = queries.consultation_slots(kg, request)
    today = timezone.localdate()
    assert 1 <= len(slots) <= 5
    assert [s.start for s in slots] == sorted(s.start for s in slots)
    assert all(today < s.start <= today + dt.timedelta(days=30) for s in slots)
    ConsultationRequest.objects.filter(pk=request.pk).update(within_days=0)  # no day left to choose from
    request.refresh_from_db()
    assert queries.consultation_slots(kg, request) == []
