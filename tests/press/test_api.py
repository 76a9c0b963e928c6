"""The press API: public reads of published releases, drafts for the secretariat only, the writes
through the actions with their errors, subscribing, and the operations in the OpenAPI schema."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from kenes.press.models import Release, ReleaseStatus, Subscriber

pytestmark = pytest.mark.django_db


def _bearer(account: Any) -> Client:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", account, "test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _json(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def test_reads(client: Client, db: Any) -> None:
    call_command("load_press", verbosity=0)
    rows = client.get("/api/v1/releases?year=2022").json()
    assert rows and all(r["status"] in ("published", "corrected") for r in rows)
    iv = client.get("/api/v1/releases/ref-ca-heads-of-state-iv").json()
    assert iv["source"]["kind"] == "reported_by" and iv["source"]["sources"]
    assert {v["language"] for v in iv["versions"]} == {"ru", "en"}
    assert client.get("/api/v1/releases/demo-draft-transport-note").status_code == 404
    assert client.get("/api/v1/releases?year=twenty").status_code == 400
    assert any(t["slug"] == "state-kg" for t in client.get("/api/v1/tags").json())
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/releases", "/api/v1/releases/{slug}", "/api/v1/releases/{slug}/publish",
            "/api/v1/releases/{slug}/corrections", "/api/v1/subscriptions"} <= set(paths)  # fmt: skip


def test_the_secretariat_drafts_edits_publishes_and_corrects(accounts: dict[str, Any]) -> None:
    sec, kz = _bearer(accounts["secretariat"]), _bearer(accounts["kz"])
    assert (
        _json(kz, "post", "/api/v1/releases", {"source": "meeting", "code": "ca_heads_of_state-VI"}).status_code == 403
    )
    assert _json(Client(), "post", "/api/v1/releases", {"source": "meeting", "code": "x"}).status_code == 401
    missing = _json(sec, "post", "/api/v1/releases", {"source": "meeting", "code": "nope"})
    assert missing.status_code == 400 and missing.json()["field"] == "code"
    made = _json(sec, "post", "/api/v1/releases", {"source": "meeting", "code": "ca_heads_of_state-VI"})
    assert made.status_code == 201, made.content
    release = made.json()
    slug, version = release["slug"], release["version"]
    assert kz.get(f"/api/v1/releases/{slug}").status_code == 404
    stale = _json(sec, "patch", f"/api/v1/releases/{slug}", {"language": "en", "headline": "x", "version": version + 5})
    assert stale.status_code == 409
    ok = _json(sec, "patch", f"/api/v1/releases/{slug}", {"language": "en", "headline": "VI in Astana (test)",
                                                          "version": version})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    published = _json(sec, "post", f"/api/v1/releases/{slug}/publish", {"version": version + 1})
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = _json(sec, "post", f"/api/v1/releases/{slug}/publish", {"version": version + 2})
    assert again.status_code == 400
    fixed = _json(sec, "post", f"/api/v1/releases/{slug}/corrections",
                  {"language": "en", "headline": "VI held in Astana (test)", "note": "Headline fixed.", "major": False,
                   "version": version + 2})  # fmt: skip
    assert fixed.status_code == 200 and fixed.json()["change_notes"] == ["Headline fixed."]
    assert Release.objects.get(slug=slug).status == ReleaseStatus.CORRECTED


def test_subscribe_through_the_api(accounts: dict[str, Any], mailoutbox: list[Any]) -> None:
    assert (
        _json(Client(), "post", "/api/v1/subscriptions", {"email": "a@example.test", "consent": True}).status_code
        == 401
    )
    client = _bearer(accounts["ru"])
    answer = _json(client, "post", "/api/v1/subscriptions", {"email": "api@example.test", "consent": True})
    assert answer.status_code == 202 and len(mailoutbox) == 1
    assert Subscriber.objects.get(email="api@example.test").status == "pending"
    assert _json(client, "post", "/api/v1/subscriptions", {"email": "bad", "consent": True}).status_code == 400
    assert _json(client, "post", "/api/v1/subscriptions", {"email": "x@example.test"}).status_code == 422
