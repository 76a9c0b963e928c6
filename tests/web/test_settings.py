"""Production settings pass Django's deployment checks; the embedded defaults need nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("KENES_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full.update({"PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "kenes.settings", **env})
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=full,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy(tmp_path: Path) -> None:
    result = _check(
        {
            "KENES_ENV": "production",
            "KENES_SECRET_KEY": "x" * 64 + "-not-a-real-secret-but-long-and-varied-0123456789",
            "KENES_ALLOWED_HOSTS": "kenes.example.org",
            "KENES_VAR_DIR": str(tmp_path),
            "KENES_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_development_defaults_fail_check_deploy(tmp_path: Path) -> None:
    """The check is real: the embedded defaults (DEBUG, insecure cookies) do not pass it."""
    result = _check({"KENES_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path: Path) -> None:
    result = _check({"KENES_ENV": "production", "KENES_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "KENES_SECRET_KEY" in result.stderr


def test_production_without_database_url_refuses_to_start(tmp_path: Path) -> None:
    result = _check({"KENES_ENV": "production", "KENES_SECRET_KEY": "k" * 60, "KENES_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "KENES_DATABASE_URL" in result.stderr
