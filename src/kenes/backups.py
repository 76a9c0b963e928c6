"""Backups that restore: the whole database to one file and back.

PostgreSQL goes through its own tools (``pg_dump -Fc`` / ``pg_restore --clean``), which copy a
consistent snapshot while the app keeps running; the embedded SQLite through its online backup
API, page by page, also while the app runs. Either way the audit chain comes back whole, and
``verify_audit`` (with the same ``KENES_AUDIT_KEY``) proves it after a restore.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    pass


def _pg_env(settings: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = []
    if settings.get("HOST"):
        args += ["-h", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["-p", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["-U", str(settings["USER"])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def backup(target: Path) -> Path:
    """Write the whole database to ``target`` (created or replaced)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if connection.vendor == "postgresql":
        settings = connection.settings_dict
        args, env = _pg_env(settings)
        _run(["pg_dump", "-Fc", "--no-owner", "-f", str(partial), *args, str(settings["NAME"])], env)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(partial) as copy:
            connection.connection.backup(copy)  # type: ignore[union-attr]
        copy.close()
    else:
        raise BackupError(f"no backup for the {connection.vendor} database")
    partial.replace(target)  # a crash mid-way never leaves a half file under the real name
    return target


def restore(source: Path) -> None:
    """Replace the whole database with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    with source.open("rb") as handle:
        head = handle.read(16)
    if connection.vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{source} is not a PostgreSQL backup made by this command")
        settings = connection.settings_dict
        args, env = _pg_env(settings)
        connection.close()  # pg_restore drops and recreates the tables
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "-d", str(settings["NAME"]), *args, str(source)],
            env,
        )  # fmt: skip
    elif connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} is not an SQLite backup made by this command")
        connection.ensure_connection()
        with sqlite3.connect(source) as copy:
            copy.backup(connection.connection)  # type: ignore[arg-type]
        copy.close()
    else:
        raise BackupError(f"no restore for the {connection.vendor} database")
