"""Security review, finding 1: a session stopped after the password changes nothing, anywhere.

The attack: a stolen password of an account that must use two factors, signed in up to the TOTP
step, then the session cookie (and its CSRF token) used against the API and the page forms.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

from kenes.audit.models import AuditEvent
from tests.conftest import login

WRITE_METHODS = ("post", "put", "patch", "delete")

# Real objects for the path parameters, so that before the fix each request reached its action.
PATH_VALUES = {
    "code": "demo-fm-2027",
    "format_code": "ca_foreign_ministers",
    "meeting_code": "demo-fm-2027",
    "text_code": "demo-fm-2027-coordinated-approaches",
}


def _fill(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: PATH_VALUES.get(m.group(1), "1"), path)


def _write_operations() -> list[tuple[str, str]]:
    schema = Client().get("/api/v1/openapi.json").json()
    return [(method, path) for path, item in schema["paths"].items() for method in item if method in WRITE_METHODS]


@pytest.mark.django_db
def test_the_api_walk_covers_every_write_operation() -> None:
    operations = _write_operations()
    # The walk below means something only if it walks the API's writes, not an empty list.
    assert len(operations) >= 30
    assert ("patch", "/api/v1/formats/{code}/rules") in operations
    assert ("post", "/api/v1/meetings") in operations


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["secretariat", "kz", "kg"])
def test_every_api_write_with_a_password_only_session_is_401_and_changes_nothing(
    accounts: dict[str, Any], who: str
) -> None:
    client = login(Client(), accounts[who], two_factor=False)
    before = AuditEvent.objects.count()
    refused = []
    for method, path in _write_operations():
        response = getattr(client, method)(_fill(path), data={}, content_type="application/json")
        refused.append((method, path, response.status_code))
    assert [r for r in refused if r[2] != 401] == []
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_password_only_session_reads_the_api_as_the_public(accounts: dict[str, Any]) -> None:
    half = login(Client(), accounts["secretariat"], two_factor=False)
    full = login(Client(), accounts["secretariat"])
    assert half.get("/api/v1/meetings/demo-fm-2027").status_code == 404
    assert full.get("/api/v1/meetings/demo-fm-2027").status_code == 200


@pytest.mark.django_db
def test_the_same_write_passes_once_the_second_factor_is_entered(accounts: dict[str, Any]) -> None:
    """The refusal above is the second factor's, not a broken endpoint's."""
    from kenes.meetings.models import Format

    client = login(Client(), accounts["secretariat"])
    version = Format.objects.get(code="ca_foreign_ministers").rules_version
    response = client.patch(
        "/api/v1/formats/ca_foreign_ministers/rules",
        data={"rules_version": version, "cadence_months": 6},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_actions_refuse_an_account_that_has_not_passed_its_second_factor(accounts: dict[str, Any]) -> None:
    """The last line: even a surface that forgot to ask cannot write through an action."""
    from django.core.exceptions import PermissionDenied

    from kenes.meetings import actions
    from kenes.meetings.models import Format

    fmt = Format.objects.get(code="ca_foreign_ministers")
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        actions.create_meeting(
            accounts["secretariat"], fmt=fmt, code="x-half-signed-in", title_en="X", start_text="2031-01-01"
        )
    assert AuditEvent.objects.count() == before


def _forms(client: Client, start: list[str], limit: int = 60) -> set[str]:
    """The POST form targets on the pages reachable from ``start`` (same site, GET links only)."""
    seen: set[str] = set()
    queue = list(start)
    targets: set[str] = set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        for form in re.finditer(r"<form\b[^>]*>", html):
            tag = form.group(0)
            if re.search(r'method="post"', tag, re.I):
                action = re.search(r'action="([^"]*)"', tag)
                targets.add(urljoin(url, action.group(1) if action else url).split("#")[0])
        for link in re.findall(r'href="(/[^"#?]*)"', html):
            path = urlparse(link).path
            if not path.startswith(("/static/", "/api/", "/admin/", "/i18n/", "/logout")) and path not in seen:
                queue.append(path)
    return targets


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["secretariat", "kz"])
def test_every_page_form_with_a_password_only_session_goes_to_the_code_page(accounts: dict[str, Any], who: str) -> None:
    full = login(Client(), accounts[who])
    start = ["/", "/meetings/demo-fm-2027/", "/texts/", "/decisions/", "/account/", "/formats/"]
    targets = _forms(full, start) - {"/logout/", "/account/2fa/", "/i18n/setlang/"}
    assert len(targets) >= 5, targets
    half = login(Client(), accounts[who], two_factor=False)
    before = AuditEvent.objects.count()
    answers = {target: half.post(target, {"title_en": "X", "body": "X"}) for target in targets}
    wrong = {t: r.status_code for t, r in answers.items() if not r.get("Location", "").startswith("/account/2fa/")}
    assert wrong == {}
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_load_demo_refuses_to_run_in_production(settings: Any) -> None:
    from django.core.management import CommandError, call_command

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo", verbosity=0)


@pytest.mark.django_db
def test_no_audited_change_passes_without_the_second_factor(accounts: dict[str, Any]) -> None:
    """The audit log is the one door every change goes through: it refuses a half-signed-in actor."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from kenes.audit import log as audit
    from tests.conftest import verified

    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied), transaction.atomic():
        audit.record(accounts["kz"], "text.commented", None)
    assert AuditEvent.objects.count() == before
    with transaction.atomic():
        audit.record(accounts["kz"], "account.logged_out", accounts["kz"])  # signing in and out is open
        audit.record(verified(accounts["kz"]), "text.commented", None)
    assert AuditEvent.objects.count() == before + 2
