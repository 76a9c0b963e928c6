"""Production settings pass Django's deployment checks; the embedded defaults need nothing."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "x" * 64 + "-not-a-real-secret-but-long-and-varied-0123456789"


def _check(env: dict[str, str], command: tuple[str, ...] = ("check", "--deploy", "--fail-level", "WARNING")) -> Any:
    full = {k: v for k, v in os.environ.items() if not k.startswith("KENES_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full.update({"PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "kenes.settings", **env})
    return subprocess.run(
        [sys.executable, "-m", "django", *command],
        env=full,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy(tmp_path: Path) -> None:
    env = {
        "KENES_ENV": "production",
        "KENES_SECRET_KEY": GOOD_KEY,
        "KENES_ALLOWED_HOSTS": "kenes.example.org",
        "KENES_VAR_DIR": str(tmp_path),
        "KENES_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "KENES_BASE_URL": "https://kenes.example.org",
    }
    # Until the fonts are prepared the check warns that a request would have to cut them.
    assert "kenes.W001" in _check(env).stderr
    # Prepared as prepare_fonts leaves them (tests/texts/test_fonts.py tests the command): the
    # session's own cut files, copied, rather than a second 50-second cut in this process.
    from kenes.texts import pdf

    (tmp_path / "fonts").mkdir()
    for path in pdf.font_files().values():
        shutil.copy(path, tmp_path / "fonts" / path.name)
    result = _check(env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_an_https_base_url_refuses_to_start(tmp_path: Path) -> None:
    result = _check(
        {
            "KENES_ENV": "production",
            "KENES_SECRET_KEY": GOOD_KEY,
            "KENES_VAR_DIR": str(tmp_path),
            "KENES_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        }
    )
    assert result.returncode != 0
    assert "KENES_BASE_URL" in result.stderr


def test_development_defaults_fail_check_deploy(tmp_path: Path) -> None:
    """The check is real: the embedded defaults (DEBUG, insecure cookies) do not pass it."""
    result = _check({"KENES_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "DEBUG" in result.stdout + result.stderr


def test_production_without_secret_key_refuses_to_start(tmp_path: Path) -> None:
    result = _check({"KENES_ENV": "production", "KENES_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "RuntimeError: KENES_ENV=production needs KENES_SECRET_KEY" in result.stderr
    assert "KeyError" not in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "short-but-random-Qx81",
        "k" * 60,
        "django-insecure-" + "q8#v2!nL0zR7pW4xT9eY1uI6oA3sD5fG",
        "embedded-development-key-not-for-production-use-0123456789abcdef",  # the key once in the source
    ],
)
def test_production_with_a_weak_or_known_secret_key_refuses_to_start(tmp_path: Path, key: str) -> None:
    result = _check({"KENES_ENV": "production", "KENES_SECRET_KEY": key, "KENES_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "RuntimeError: KENES_SECRET_KEY is too short" in result.stderr


def test_production_with_a_short_audit_key_refuses_to_start(tmp_path: Path) -> None:
    env = {"KENES_ENV": "production", "KENES_SECRET_KEY": GOOD_KEY, "KENES_AUDIT_KEY": "short"}
    result = _check({**env, "KENES_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "RuntimeError: KENES_AUDIT_KEY is too short" in result.stderr


def test_production_without_database_url_refuses_to_start(tmp_path: Path) -> None:
    result = _check({"KENES_ENV": "production", "KENES_SECRET_KEY": GOOD_KEY, "KENES_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "KENES_DATABASE_URL" in result.stderr


def _keys(var_dir: Path, **env: str) -> tuple[str, str]:
    """SECRET_KEY and KENES_AUDIT_KEY as a development process started with ``env`` sees them."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("KENES_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full.update({"PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "kenes.settings"})
    full.update({"KENES_VAR_DIR": str(var_dir), **env})
    code = "from django.conf import settings; print(settings.SECRET_KEY); print(settings.KENES_AUDIT_KEY)"
    result = subprocess.run(
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, cwd=ROOT, timeout=60, check=True
    )
    secret, audit = result.stdout.split()
    return secret, audit


def test_development_generates_its_secret_key_once_into_var(tmp_path: Path) -> None:
    first, audit_key = _keys(tmp_path / "one")
    stored = tmp_path / "one" / "secret_key"
    assert stored.read_text().strip() == first
    assert stored.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert len(first) >= 50
    assert _keys(tmp_path / "one") == (first, audit_key)  # kept across restarts
    other, other_audit_key = _keys(tmp_path / "two")
    assert other != first and other_audit_key != audit_key  # random per installation
    assert audit_key != first  # derived from the secret key, not the secret key itself
    settings_source = (ROOT / "src" / "kenes" / "settings.py").read_text()
    assert first not in settings_source


def test_secret_and_audit_keys_come_from_the_environment_when_set(tmp_path: Path) -> None:
    secret, audit_key = _keys(tmp_path, KENES_SECRET_KEY=GOOD_KEY, KENES_AUDIT_KEY="b" * 16 + "-audit-key-0123456789")
    assert (secret, audit_key) == (GOOD_KEY, "b" * 16 + "-audit-key-0123456789")
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.django_db
@override_settings(KENES_BASE_URL="https://kenes.example.org", ALLOWED_HOSTS=["*"])
def test_password_reset_link_points_at_the_base_url_whatever_the_host_header() -> None:
    """A forged ``Host`` must not put the attacker's site into the reset link (it would receive the token)."""
    email = "guest.ru@demo.kenes.invalid"
    response = Client().post("/password-reset/", {"email": email}, HTTP_HOST="attacker.example")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert re.search(r"^https://kenes\.example\.org/password-reset/\S+/$", body, re.MULTILINE), body
    assert "attacker.example" not in body
