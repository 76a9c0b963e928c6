"""A new vintage of the indicator data, uploaded by the secretariat in the page or the API.

The ZIP of the folder is checked at once (a clear error, nothing queued); then it is stored and the
task queue (django-q2) imports it through the command's own path, ``importer.import_folder``,
writing its progress as it goes, so the page's bar moves. Once done, the run keeps what changed: per
file the counts and the first values that changed, went or came. A run delivered twice (a worker
killed mid-way) imports again from the start, which is safe: an import is idempotent per file.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import tempfile
import time
import zipfile
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenes.audit import log as audit
from kenes.development.importer import FileResult, IndicatorImportError, import_folder
from kenes.development.models import ImportRun, ImportStatus
from kenes.development.permissions import require_import_data
from kenes.errors import ActionError

MAX_ARCHIVE_MB = 50
MAX_UNPACKED_MB = 500
MAX_FILES = 400
PROGRESS_EVERY = 0.3  # seconds between two progress writes


class ArchiveTooLarge(ActionError):
    status = 413


def members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The folder's files by name: at the top of the archive or in one folder, CSV files and
    SOURCES.md only (hidden files and macOS's ``__MACOSX`` are passed over)."""
    found: dict[str, zipfile.ZipInfo] = {}
    folders: set[PurePosixPath] = set()
    unpacked = 0
    for info in archive.infolist():
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in info.filename or len(path.parts) > 2:
            raise ActionError(_("The archive holds %(name)s outside its folder.") % {"name": info.filename})
        if info.is_dir() or any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue
        if not (path.suffix == ".csv" or path.name == "SOURCES.md"):
            raise ActionError(_("%(name)s is neither a CSV file nor SOURCES.md.") % {"name": path.name})
        if path.name in found:
            raise ActionError(_("The archive holds %(name)s twice.") % {"name": path.name})
        folders.add(path.parent)
        unpacked += info.file_size
        found[path.name] = info
    if len(folders) > 1:
        raise ActionError(_("Put the files in one folder of the archive."))
    if "catalogue.csv" not in found:
        raise ActionError(_("The archive has no catalogue.csv."))
    if unpacked > MAX_UNPACKED_MB * 2**20 or len(found) > MAX_FILES:
        raise ArchiveTooLarge(_("The archive unpacks to more than %(mb)d MB.") % {"mb": MAX_UNPACKED_MB})
    return found


def queue_import(actor: Any, upload: Any, *, prune: bool = False) -> ImportRun:
    """Check the upload, store it and queue its import (the secretariat); nothing is queued on an error."""
    require_import_data(actor)
    if upload is None or not getattr(upload, "size", 0):
        raise ActionError(_("Choose the ZIP archive of the indicator folder."), field="archive")
    if upload.size > MAX_ARCHIVE_MB * 2**20:
        raise ArchiveTooLarge(_("The archive is larger than %(mb)d MB.") % {"mb": MAX_ARCHIVE_MB}, field="archive")
    try:
        with zipfile.ZipFile(upload) as archive:
            listed = members(archive)
    except zipfile.BadZipFile:
        raise ActionError(_("The file is not a ZIP archive."), field="archive") from None
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = str(getattr(upload, "name", "") or "indicators.zip")[-200:]
    with transaction.atomic():
        run = ImportRun(
            token=secrets.token_hex(16),
            archive_name=name,
            prune=prune,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=timezone.now(),
        )
        run.archive.save("upload.zip", File(upload), save=False)
        run.save()
        audit.record(
            actor,
            "development.import_queued",
            run,
            archive=name,
            sha256=digest.hexdigest(),
            files=sorted(listed),
            prune=prune,
        )
        # Robust: a queue that fails just after the commit leaves the run "queued" and logged, and
        # the upload still answers with its page instead of a 500 for a write that was kept.
        transaction.on_commit(lambda: _enqueue(run.pk), robust=True)
    return run


def _enqueue(run_id: int) -> None:
    from django_q.tasks import async_task

    async_task("kenes.development.vintages.run", run_id, task_name=f"indicator-import-{run_id}")


class _Progress:
    """Writes the run's progress at most every PROGRESS_EVERY seconds (each write one UPDATE)."""

    def __init__(self, run_id: int) -> None:
        self.run_id, self.done, self.last = run_id, 0, 0.0
        self.applied: list[FileResult] = []

    def start(self, files: list[tuple[str, int]]) -> None:
        total = sum(rows for _name, rows in files)
        ImportRun.objects.filter(pk=self.run_id).update(total_rows=total, done_rows=0)

    def advance(self, name: str, rows: int) -> None:
        self.done += rows
        if time.monotonic() - self.last >= PROGRESS_EVERY:
            self.last = time.monotonic()
            ImportRun.objects.filter(pk=self.run_id).update(done_rows=self.done, current_file=name)

    def file_applied(self, result: FileResult) -> None:
        self.applied.append(result)
        ImportRun.objects.filter(pk=self.run_id).update(
            done_rows=self.done, current_file=result.file, files=[asdict(f) for f in self.applied]
        )


def run(run_id: int) -> str:
    """The task: unpack the run's archive into a scratch folder and import it; record the outcome."""
    with transaction.atomic():
        chosen = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if chosen is None or chosen.finished:
            return "nothing to do"
        chosen.status, chosen.started_at, chosen.done_rows = ImportStatus.RUNNING, timezone.now(), 0
        chosen.save(update_fields=["status", "started_at", "done_rows"])
    progress = _Progress(run_id)
    actor = f"indicator import {run_id}"  # the task's own name in the audit log; the upload names its person
    error: dict[str, Any] | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="kenes-import-") as scratch:
            folder = Path(scratch)
            with chosen.archive.open("rb") as handle:
                _unpack(handle, folder)
            import_folder(
                actor,
                folder,
                progress=progress.advance,
                start=progress.start,
                applied=progress.file_applied,
                prune=chosen.prune,
            )
    except IndicatorImportError as exc:
        error = {"file": exc.file, "line": exc.line, "column": exc.column, "message": exc.message, "params": exc.params}
    except (ActionError, zipfile.BadZipFile, OSError) as exc:
        error = {"file": chosen.archive_name, "line": 0, "column": "", "message": str(exc), "params": {}}
    ImportRun.objects.filter(pk=run_id).update(
        status=ImportStatus.FAILED if error else ImportStatus.DONE,
        finished_at=timezone.now(),
        done_rows=progress.done,
        files=[asdict(f) for f in progress.applied],
        error=error,
        current_file="",
    )
    return "failed" if error else "done"


def _unpack(handle: IO[bytes], folder: Path) -> None:
    # zipfile stops each member at its declared size and checks its CRC, so the sizes ``members``
    # added up bound what is written here.
    with zipfile.ZipFile(handle) as archive:
        for name, info in members(archive).items():
            with archive.open(info) as source, (folder / name).open("wb") as target:
                shutil.copyfileobj(source, target)
