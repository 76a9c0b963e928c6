"""The real indicator folder, imported once per test session (batched inserts: about a second)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

INDICATORS_DIR = Path(settings.KENES_DATA_DIR) / "indicators"


@pytest.fixture(scope="session", autouse=True)
def indicator_data(django_db_setup: Any, django_db_blocker: Any) -> Path:
    if not INDICATORS_DIR.is_dir():
        pytest.fail(f"the indicator data is missing at {INDICATORS_DIR}: set KENES_DATA_DIR", pytrace=False)
    with django_db_blocker.unblock():
        from kenes.development.models import Observation

        if not Observation.objects.exists():
            call_command("import_indicators", str(INDICATORS_DIR), verbosity=0)
    return INDICATORS_DIR


@pytest.fixture(autouse=True)
def _tasks_at_once() -> None:
    """Imports go through the real queue here: the tests see them queued, then play the worker."""


def copy_subset(target: Path, files: dict[str, list[str]]) -> Path:
    """A small folder for import tests: the catalogue rows of ``files`` and the given data lines
    (each list: the data rows after the header). Written to a temporary folder, never the repo."""
    import csv

    target.mkdir(parents=True, exist_ok=True)
    with (INDICATORS_DIR / "catalogue.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    kept = [rows[0]] + [r for r in rows[1:] if r[0] in files]
    with (target / "catalogue.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(kept)
    for name, lines in files.items():
        header = "iso3,country,year,indicator,value,unit,source"
        (target / name).write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return target
