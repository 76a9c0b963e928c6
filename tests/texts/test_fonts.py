"""Fonts are prepared at install or start, never inside a request (issue 10, item 5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.management import call_command

from kenes.texts import pdf


@pytest.fixture
def empty_var(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A var/ without fonts. Cutting an instance for real takes ~25 s each; the first PDF of the
    session does that (and the PDF tests read its text), so here a cut writes a copy of the
    variable font: these tests are about when the cut happens, not how."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(pdf, "_font_files", {})

    def quick_cut(variable: Path, weight: int, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(variable.read_bytes())

    monkeypatch.setattr(pdf, "_instance", quick_cut)
    return tmp_path


def test_the_deploy_check_warns_until_the_fonts_are_prepared(empty_var: Path) -> None:
    assert not pdf.fonts_ready()
    assert "kenes.W001" in {m.id for m in run_checks(include_deployment_checks=True)}
    call_command("prepare_fonts", verbosity=0)
    assert pdf.fonts_ready()
    assert "kenes.W001" not in {m.id for m in run_checks(include_deployment_checks=True)}


def test_after_prepare_fonts_nothing_is_cut_again(empty_var: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    call_command("prepare_fonts", verbosity=0)
    pdf._font_files.clear()  # a fresh worker process

    def refuse(*args: Any) -> None:
        raise AssertionError("a font was cut after prepare_fonts")

    monkeypatch.setattr(pdf, "_instance", refuse)
    files = pdf.font_files()
    assert set(files) == {"", "B"} and all(path.is_file() for path in files.values())
