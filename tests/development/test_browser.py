"""The dashboard in Chromium under the real CSP, with JavaScript on (vega-embed, CSP-safe
expression interpreter) and off (the server's SVG), in English and Russian; axe-core finds no
serious or critical violation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import BrowserContext, Response, expect

from tests.browser.fixtures import journey_languages
from tests.browser.test_csp import guard, violations
from tests.development.conftest import INDICATORS_DIR

pytestmark = pytest.mark.browser

VENDOR = Path(__file__).resolve().parents[2] / "src/kenes/development/static/development/vendor"
HEADLINE_CHARTS = 8
INDICATOR_CHARTS = 3


@pytest.fixture
def indicators_live(live_data: None) -> None:
    from kenes.development.models import Observation

    if not (VENDOR / "vega-embed.min.js").is_file():
        pytest.fail("the chart libraries are not in static files: run ./dev test (npm ci and the copy step)")
    if not Observation.objects.exists():  # a transactional test before this one emptied the database
        call_command("import_indicators", str(INDICATORS_DIR), verbosity=0)


def _in(context: BrowserContext, lang: str, url: str) -> BrowserContext:
    """The reader's language, as the language switch stores it."""
    context.add_cookies([{"name": "django_language", "value": lang, "url": url}])
    return context


def _axe(page: Any) -> list[str]:
    page.add_script_tag(url="/static/development/vendor/axe.min.js")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {v['help']}" for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(
    ("lang", "heading"), [("en", "The zone of sustainable development"), ("ru", "Зона устойчивого развития")]
)
def test_dashboard_with_javascript(
    new_context: Callable[..., BrowserContext],
    indicators_live: None,
    live_server: Any,
    screenshot_dir: Path,
    lang: str,
    heading: str,
) -> None:
    context = _in(new_context(), lang, live_server.url)
    page = context.new_page()
    problems = guard(page)
    page.goto("/development/")
    assert page.locator("h1").inner_text() == heading
    # A locator assertion, not wait_for_function: its polling evaluates a string, which the CSP refuses.
    expect(page.locator(".dev-ready")).to_have_count(HEADLINE_CHARTS)
    assert page.locator(".dev-vega canvas").count() == HEADLINE_CHARTS
    assert page.locator('.dev-chart-title a[lang="en"]').count() == HEADLINE_CHARTS
    assert not violations(page) and not problems
    assert not _axe(page)
    page.screenshot(path=str(screenshot_dir / f"development-js-{lang}.png"))
    page.goto("/development/indicators/SP.POP.TOTL/")
    expect(page.locator(".dev-ready")).to_have_count(INDICATOR_CHARTS)  # the lines, small multiples, ranking
    assert not violations(page) and not problems
    assert not _axe(page)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_dashboard_without_javascript(
    new_context: Callable[..., BrowserContext],
    indicators_live: None,
    live_server: Any,
    lang: str,
) -> None:
    context = _in(new_context(java_script_enabled=False), lang, live_server.url)
    page = context.new_page()
    images: list[Response] = []
    page.on("response", lambda r: images.append(r) if r.url.split("?")[0].endswith(".svg") else None)
    page.goto("/development/", wait_until="load")
    page.wait_for_timeout(500)
    served = [r for r in images if r.status == 200 and r.headers.get("content-type") == "image/svg+xml"]
    assert len(served) == HEADLINE_CHARTS
    assert all(f"lang={lang}" in r.url for r in served)
    assert "Источник" in served[0].text() if lang == "ru" else "Source:" in served[0].text()
    assert page.locator("table").count() >= HEADLINE_CHARTS  # the table alternative, no script needed


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_printed_indicator_page_is_its_charts_and_facts(
    new_context: Callable[..., BrowserContext], indicators_live: None, live_server: Any, lang: str
) -> None:
    from tests.browser.fixtures import sign_in

    page = new_context().new_page()
    sign_in(page, "secretariat@demo.kenes.invalid", language=lang)  # who also sees the target form
    page.goto("/development/indicators/SP.POP.TOTL/")
    expect(page.locator(".dev-ready")).to_have_count(INDICATOR_CHARTS)  # the lines, small multiples, ranking
    assert page.locator("#new-target").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible() and not page.locator("#new-target").is_visible()
    assert not page.locator(".dev-files").first.is_visible()
    assert page.locator(".dev-chart").first.is_visible() and page.locator("h1").is_visible()
    assert page.locator(".dev-foot").first.is_visible()  # the source and licence stay on paper
    page.pdf(path=str(Path(__file__).resolve().parents[2] / "test-artifacts" / f"development-print-{lang}.pdf"))


@pytest.mark.parametrize("lang", journey_languages())
def test_the_secretariat_uploads_a_vintage_and_watches_it_import(
    new_context: Callable[..., BrowserContext], indicators_live: None, live_server: Any, lang: str
) -> None:
    """The upload in the page; the bar while the task waits; the page turns to "what changed" by
    itself (HTMX polls the run) once a worker has imported it — here the test plays the worker."""
    from tests.browser.fixtures import said, shoot, sign_in
    from tests.development.test_vintages import _change_first_value, _folder_zip, _run_queued

    page = new_context().new_page()
    sign_in(page, "secretariat@demo.kenes.invalid", language=lang)
    page.goto("/development/")
    page.get_by_role("link", name=said(lang, "Data imports")).click()
    page.set_input_files(
        "#id_archive",
        files=[{"name": "indicators.zip", "mimeType": "application/zip", "buffer": _folder_zip(_change_first_value)}],
    )
    page.get_by_role("button", name=said(lang, "Upload and import")).click()
    expect(page.locator("#import-status")).to_have_text(said(lang, "queued"))
    expect(page.locator("#import-bar")).to_be_visible()
    shoot(page, "secretariat", f"import-queued-{lang}", "1280")
    assert _run_queued() == ["done"]
    expect(page.locator("#import-status")).to_have_text(said(lang, "imported"), timeout=10_000)  # no reload
    expect(page.locator("#import-files")).to_contain_text("unsd_sdg_2020.csv")
    expect(page.locator("#import-values tbody tr")).to_have_count(1)
    expect(page.locator("#import-values")).to_contain_text("99.5")
    shoot(page, "secretariat", f"import-done-{lang}", "1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "secretariat", f"import-done-{lang}", "390")
    page.goto("/development/imports/")
    shoot(page, "secretariat", f"imports-{lang}", "390")
    page.set_viewport_size({"width": 1280, "height": 800})
    shoot(page, "secretariat", f"imports-{lang}", "1280")
    page.goto("/development/indicators/NY.GDP.PCAP.PP.CD/")
    expect(page.locator(".dev-ready")).to_have_count(INDICATOR_CHARTS)
    shoot(page, "secretariat", f"indicator-panels-{lang}", "1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "secretariat", f"indicator-panels-{lang}", "390")
