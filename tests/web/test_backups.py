"""Backups that restore (issue 10, item 7): back up, wipe, restore, and the audit log verifies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kenes.audit import log
from kenes.audit.models import AuditEvent
from kenes.meetings.models import Document, Meeting
from kenes.people.models import Account
from kenes.states.models import State
from kenes.texts.models import Text, Unit

MODELS = (AuditEvent, Account, State, Meeting, Document, Text, Unit)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_backup_wipe_restore_brings_every_row_back(live_data: None, tmp_path: Path) -> None:
    before = _counts()
    assert all(before.values()), before  # the round trip below means something only with data
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    path = tmp_path / "kenes.backup"
    call_command("backup", str(path), verbosity=0)
    assert path.stat().st_size > 0
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0 and Meeting.objects.count() == 0
    call_command("restore", str(path), "--yes", verbosity=0)
    assert _counts() == before
    assert AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first() == last
    verdict = log.verify()
    assert verdict.ok, verdict.message
    assert verdict.count == before["AuditEvent"]


def test_restore_refuses_a_file_that_is_not_a_backup(live_data: None, tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-backup"
    bogus.write_bytes(b"hello, this is not a database")
    before = _counts()
    with pytest.raises(CommandError, match="not a"):
        call_command("restore", str(bogus), "--yes", verbosity=0)
    with pytest.raises(CommandError, match="no backup"):
        call_command("restore", str(tmp_path / "missing"), "--yes", verbosity=0)
    assert _counts() == before


def test_restore_asks_before_replacing_the_data(live_data: None, tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "kenes.backup"
    call_command("backup", str(path), verbosity=0)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="not restored"):
        call_command("restore", str(path), verbosity=0)
