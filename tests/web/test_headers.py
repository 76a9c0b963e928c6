"""Security headers on real responses, and HTML that the strict Content-Security-Policy allows.

The policy (settings.CONTENT_SECURITY_POLICY) lets a page run only scripts and styles that are
files served by Kenes: so no template may hold an inline ``<script>``, a ``style=""`` attribute or
an ``on…=`` handler. The rendered pages are searched as well as the template sources, and
tests/browser/test_csp.py opens the pages in Chromium under the policy.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

SRC = Path(__file__).resolve().parents[2] / "src" / "kenes"
# Served templates. Mail bodies (``*/mail/``) are never served as pages: an e-mail client needs its
# CSS in the message (the digest's is inlined by css-inline), and no page policy applies there.
TEMPLATES = sorted(p for p in SRC.glob("*/templates/**/*.html") if "mail" not in p.relative_to(SRC).parts)

MEETING = "/meetings/demo-fm-2027/"
TEXT_ROOM = "/texts/demo-fm-2027-coordinated-approaches/"

# (who, path, status): the pages whose headers and HTML are checked.
PAGES = [
    (None, "/", 200),
    (None, "/meetings/ca_heads_of_state-IV/", 200),
    (None, "/login/", 200),
    (None, "/password-reset/", 200),
    (None, "/api/v1/docs", 200),
    (None, "/api/v1/openapi.json", 200),
    (None, "/no-such-page/", 404),
    ("secretariat", MEETING, 200),
    ("secretariat", TEXT_ROOM, 200),
    ("secretariat", "/account/", 200),
    ("secretariat", "/formats/ca_foreign_ministers/plan/", 200),
    ("secretariat", "/calendar/", 200),
    ("secretariat", "/instructions/", 200),
    ("kz", TEXT_ROOM, 200),
    ("kz", "/account/", 200),
]

# A script element without a src (executable inline code) — JSON data blocks are not scripts.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def _directives(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _get(signed_in: Any, who: str | None, path: str) -> Any:
    return signed_in(who).get(path)


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "path", "status"), PAGES)
def test_every_response_has_the_strict_policy(signed_in: Any, who: str | None, path: str, status: int) -> None:
    response = _get(signed_in, who, path)
    assert response.status_code == status
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header and "nonce-" not in header
    csp = _directives(header)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert set(csp["img-src"]) <= {"'self'", "data:"}
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "Server" not in response  # Django adds none; gunicorn's is removed at the proxy


@pytest.mark.django_db
def test_static_files_carry_the_headers_too() -> None:
    response = Client().get("/static/web/kenes.js")
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "path", "status"), [p for p in PAGES if not p[1].startswith("/api/")])
def test_rendered_pages_hold_no_inline_script_style_or_handler(
    signed_in: Any, who: str | None, path: str, status: int
) -> None:
    html = _get(signed_in, who, path).content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert HANDLER.findall(html) == []
    assert STYLE_ATTRIBUTE.findall(html) == []
    assert STYLE_ELEMENT.findall(html) == []
    assert JAVASCRIPT_URL.findall(html) == []


def test_no_template_holds_inline_script_style_or_handler() -> None:
    assert len(TEMPLATES) > 40
    found = []
    for path in TEMPLATES:
        source = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER, STYLE_ATTRIBUTE, STYLE_ELEMENT, JAVASCRIPT_URL):
            found += [f"{path.relative_to(SRC)}: {m}" for m in pattern.findall(source)]
    assert found == []


@pytest.mark.django_db
def test_htmx_injects_no_style_and_evaluates_nothing() -> None:
    """htmx adds a <style> for its indicators and may eval hx-on/js: attributes unless told not to."""
    html = Client().get("/").content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config is not None
    assert '"includeIndicatorStyles":false' in config[1] and '"allowEval":false' in config[1]
    assert "hx-on" not in html


@pytest.mark.django_db
def test_api_docs_are_served_by_the_app_not_a_cdn() -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assert re.findall(r"(?:src|href)=\"(https?:)?//", html) == []
    for asset in re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html):
        assert Client().get(asset).status_code == 200, asset
    assert "/static/ninja/swagger-ui-bundle.js" in html
