"""The access matrix of the security channel: every role × on/off the distribution × fresh/stale
two-factor sign-in, on every route, through the real pages and API. Whoever is not entitled gets a
404 and never the report's title; an entitled but stale session is sent to enter a new code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from kenes.access.policy import can, visible
from kenes.security.models import ThreatReport
from tests.conftest import login, stale, verified
from tests.security.conftest import TITLE_X, TITLE_Y

ROLES = [None, "secretariat", "kz", "uz", "kg", "tj", "ru", "cn"]
# Who reads which report with a fresh 2FA: X goes to KG+UZ, Y to TJ+KZ; only cleared officers read.
READS = {"x": {"kg"}, "y": {"tj"}}
CHANNEL = {"kg", "tj"}  # accounts with restricted clearance: the channel's list page is theirs


def _account(accounts: dict[str, Any], officer_tj: Any, role: str | None) -> Any:
    if role is None:
        return AnonymousUser()
    return officer_tj if role == "tj" else accounts[role]


def _client(accounts: dict[str, Any], officer_tj: Any, role: str | None, fresh: bool) -> Client:
    client = Client()
    if role is None:
        return client
    login(client, _account(accounts, officer_tj, role))
    if not fresh:
        session = client.session
        old = timezone.now() - dt.timedelta(minutes=60)
        session["kenes_strong_auth_at"] = old.isoformat()
        session.save()
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("fresh", [True, False])
@pytest.mark.parametrize("role", ROLES)
def test_policy(
    accounts: dict[str, Any], officer_tj: Any, reports: dict[str, Any], role: str | None, fresh: bool
) -> None:
    account = _account(accounts, officer_tj, role)
    if role is not None:
        account = verified(account) if fresh else stale(account)
    for key, report in reports.items():
        expected = fresh and role in READS[key]
        assert can(account, "view", report) is expected
        assert visible(account, ThreatReport.objects.all()).filter(pk=report.pk).exists() is expected


@pytest.mark.django_db
def test_api_token_never_opens_restricted(accounts: dict[str, Any], reports: dict[str, Any]) -> None:
    from kenes.people import actions

    kg = verified(accounts["kg"])
    _token, raw = actions.create_token(kg, kg, "matrix")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    for path in ["/api/v1/security/reports", f"/api/v1/security/reports/{reports['x'].pk}"]:
        response = client.get(path)
        assert TITLE_X.encode() not in response.content
    assert client.get(f"/api/v1/security/reports/{reports['x'].pk}").status_code == 404
    assert client.get("/api/v1/security/reports").json() == []


def _routes(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", f"/security/{pk}/"),
        ("get", f"/security/{pk}/report.pdf"),
        ("get", f"/security/{pk}/attachment/"),
        ("get", f"/security/{pk}/reads/"),
        ("post", f"/security/{pk}/assess/"),
        ("get", f"/api/v1/security/reports/{pk}"),
        ("get", f"/api/v1/security/reports/{pk}/reads"),
        ("api", f"/api/v1/security/reports/{pk}/assessments"),
    ]


LISTS = [
    "/security/",
    "/notifications/",
    "/api/v1/security/reports",
    "/api/v1/meetings",
    "/api/v1/documents",
    "/api/v1/texts",
    "/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("fresh", [True, False])
@pytest.mark.parametrize("role", ROLES)
def test_routes(
    accounts: dict[str, Any], officer_tj: Any, reports: dict[str, Any], role: str | None, fresh: bool
) -> None:
    client = _client(accounts, officer_tj, role, fresh)
    titles = {"x": TITLE_X, "y": TITLE_Y}
    for key, report in reports.items():
        entitled = role in READS[key]
        for method, path in _routes(report.pk):
            if method == "api":
                response = client.post(path, {"view": "agreed"}, content_type="application/json")
            elif method == "post":
                response = client.post(path, {"view": "agreed"})
            else:
                response = client.get(path)
            body = response.content
            if entitled and fresh:
                if path.endswith("/assess/"):
                    assert response.status_code == 302, path
                elif path.endswith("/assessments"):
                    assert response.status_code == 201, path
                elif path.endswith("/attachment/") and key == "y":  # Y has no attachment
                    assert response.status_code == 404, path
                elif path.endswith("/reads/") or path.endswith("/reads"):
                    # the read log belongs to the author's state: KG wrote X, TJ wrote Y
                    assert response.status_code == 200, path
                else:
                    assert response.status_code == 200, (path, response.status_code)
            elif entitled and not path.startswith("/api/"):  # a stale session: enter a new code
                assert response.status_code == 302, path
                assert "/account/2fa/" in response["Location"] and "reauth=1" in response["Location"]
            elif role is None and method == "api":
                # No API write is open to the anonymous: 401 for every path, so nothing leaks.
                assert response.status_code == 401, (path, response.status_code)
            else:
                assert response.status_code == 404, (role, fresh, path, response.status_code)
            if not (entitled and fresh):
                assert titles[key].encode() not in body, (role, path)
    for path in LISTS:
        response = client.get(path)
        if path == "/security/":
            if role in CHANNEL:
                assert response.status_code == (200 if fresh else 302)
            else:
                assert response.status_code == 404
        for key in reports:
            if not (fresh and role in READS[key]):
                assert titles[key].encode() not in response.content, (role, path)


@pytest.mark.django_db
def test_read_log_is_for_the_authors_state(accounts: dict[str, Any], reports: dict[str, Any]) -> None:
    from kenes.audit.models import AuditEvent
    from kenes.security.models import ReadEvent

    uz_report = reports["x"]
    kg = accounts["kg"]
    assert not ReadEvent.objects.filter(report=uz_report).exists()
    # UZ is addressed but its account is not cleared: it never reads. KG, the author, sees the log.
    client = login(Client(), kg)
    assert client.get(f"/security/{uz_report.pk}/").status_code == 200
    # the page view went through the action: one read event and its audit record
    view = ReadEvent.objects.get(report=uz_report)
    assert (view.account_id, view.what) == (kg.pk, "view")
    audited = AuditEvent.objects.filter(verb="security.report_read", target_id=str(uz_report.pk), actor=kg)
    assert [e.data for e in audited] == [{"what": "view"}]
    log = client.get(f"/api/v1/security/reports/{uz_report.pk}/reads").json()
    stored = ReadEvent.objects.filter(report=uz_report).select_related("account")  # newest first, as the log
    assert [(e["account"], e["what"]) for e in log] == [(r.account.email, r.what) for r in stored]
    assert [(e["account"], e["what"]) for e in log] == [(kg.email, "view")]


@pytest.mark.django_db
def test_a_stale_officer_gets_404_for_what_it_could_never_read(
    accounts: dict[str, Any], officer_tj: Any, reports: dict[str, Any]
) -> None:
    client = _client(accounts, officer_tj, "tj", fresh=False)
    missing = ThreatReport.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    assert client.get(f"/security/{missing}/").status_code == 404
    response = client.get(f"/security/{reports['x'].pk}/")  # not on X's distribution
    assert response.status_code == 404 and TITLE_X.encode() not in response.content
