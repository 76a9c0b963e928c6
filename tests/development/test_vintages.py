"""A new vintage of the indicator data uploaded by the secretariat: checked at once, imported by
the task queue with its progress on the page, and what changed shown after; refusals on the page
and in the API, in the reader's language, with nothing queued."""

from __future__ import annotations

import csv
import importlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_q.brokers import get_broker
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from kenes.audit.models import AuditEvent
from kenes.development import vintages
from kenes.development.models import ImportRun, ImportStatus, Indicator, Observation, Target
from tests.development.conftest import INDICATORS_DIR

pytestmark = pytest.mark.django_db

SDG = "unsd_sdg_2020.csv"


def _folder_zip(edit: Any = None, extra: dict[str, str] | None = None, folder: str = "indicators/") -> bytes:
    """The SDG file with its catalogue rows (and SOURCES.md) as a ZIP; ``edit`` may change its rows."""
    with (INDICATORS_DIR / "catalogue.csv").open(encoding="utf-8", newline="") as handle:
        catalogue = list(csv.reader(handle))
    rows = [catalogue[0]] + [r for r in catalogue[1:] if r[0] == SDG]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    data = (INDICATORS_DIR / SDG).read_text(encoding="utf-8").splitlines()
    if edit:
        data = edit(data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(folder + "catalogue.csv", text.getvalue())
        archive.writestr(folder + SDG, "\n".join(data) + "\n")
        archive.writestr(folder + "SOURCES.md", (INDICATORS_DIR / "SOURCES.md").read_text(encoding="utf-8"))
        for name, body in (extra or {}).items():
            archive.writestr(name, body)
    return out.getvalue()


def _change_first_value(data: list[str]) -> list[str]:
    head, first, *rest = data
    cells = first.split(",")
    cells[4] = "99.5"
    return [head, ",".join(cells), *rest]


def _upload(body: bytes, name: str = "indicators-2026.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/zip")


IMPORT_TASK = "kenes.development.vintages.run"


def _run_queued() -> list[str]:
    """Do what a django-q2 worker does with the queued tasks: load each and call its function.
    Answers what the imports answered (a sign-in's notice e-mail may be queued beside them)."""
    broker = get_broker()
    done = []
    while tasks := broker.dequeue():
        for ack, payload in tasks:
            task = SignedPackage.loads(payload)
            module, func = task["func"].rsplit(".", 1)
            answer = getattr(importlib.import_module(module), func)(*task["args"])
            if task["func"] == IMPORT_TASK:
                done.append(answer)
            broker.acknowledge(ack)
    return done


def _imports_queued() -> int:
    return sum(1 for q in OrmQ.objects.all() if q.func() == IMPORT_TASK)


def _first_sdg_row() -> tuple[str, str, int, str]:
    first = (INDICATORS_DIR / SDG).read_text(encoding="utf-8").splitlines()[1].split(",")
    return first[3], first[0], int(first[2]), first[4]


def test_the_secretariat_uploads_a_vintage_and_sees_what_changed(
    signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code, entity, year, before = _first_sdg_row()
    indicators = Indicator.objects.count()
    secretariat = signed_in("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat.post(
            "/development/imports/", {"archive": _upload(_folder_zip(_change_first_value))}, HTTP_ACCEPT_LANGUAGE="ru"
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/development/imports/{run.pk}/"
    assert run.status == ImportStatus.QUEUED and run.created_by is not None
    queued = secretariat.get(f"/development/imports/{run.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in queued and "<progress" in queued  # the page polls while it waits

    assert _run_queued() == ["done"]  # the import ran from the queue, not in the request
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.percent == 100 and run.done_rows == run.total_rows > 2000
    [sdg] = run.files
    assert (sdg["added"], sdg["changed"], sdg["removed"]) == (0, 1, 0)
    assert sdg["examples"] == [{"indicator": code, "entity": entity, "year": year, "before": before, "after": "99.5"}]
    assert Observation.objects.get(indicator__code=code, entity=entity, year=year).value_text == "99.5"
    assert Indicator.objects.count() == indicators  # a partial upload removes nothing unless asked to

    page = secretariat.get(f"/development/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Что изменилось по файлам" in page and "hx-trigger" not in page  # done: the polling stops
    assert f'<td class="num">{before}</td><td class="num">99.5</td>' in page
    fragment = secretariat.get(f"/development/imports/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.startswith('<section id="import-run"') and "<html" not in fragment
    queued_event = AuditEvent.objects.get(verb="development.import_queued")
    assert queued_event.actor_id == run.created_by_id and queued_event.data["files"] == [
        "SOURCES.md",
        "catalogue.csv",
        SDG,
    ]
    assert AuditEvent.objects.filter(verb="development.import", data__file=SDG).exists()
    listing = secretariat.get("/development/imports/").content.decode()
    assert "indicators-2026.zip" in listing and f"/development/imports/{run.pk}/" in listing


def test_the_same_through_the_api(accounts: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    from kenes.people.actions import create_token

    _token, raw = create_token("test", accounts["secretariat"], "test")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/indicator-imports", {"archive": _upload(_folder_zip(_change_first_value))})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued" and body["files"] == [] and body["created_by"] == "secretariat@demo.kenes.invalid"
    _run_queued()
    done = api.get(f"/api/v1/indicator-imports/{body['id']}").json()
    assert done["status"] == "done" and done["percent"] == 100 and done["files"][0]["changed"] == 1
    assert done["files"][0]["examples"][0]["after"] == "99.5"
    assert [r["id"] for r in api.get("/api/v1/indicator-imports").json()] == [body["id"]]
    assert api.get("/api/v1/indicator-imports/999999").status_code == 404


def test_a_bad_cell_fails_the_run_naming_it_in_the_readers_language(
    signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def bad(data: list[str]) -> list[str]:
        cells = data[2].split(",")
        cells[4] = "many"
        return [data[0], data[1], ",".join(cells), *data[3:]]

    before = list(Observation.objects.filter(indicator__source__file=SDG).values_list("pk", "value_text"))
    secretariat = signed_in("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        secretariat.post("/development/imports/", {"archive": _upload(_folder_zip(bad))})
    assert _run_queued() == ["failed"]
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and run.files == []
    page = secretariat.get(f"/development/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert f"{SDG}, строка 3, столбец value: &#x27;many&#x27; — не число" in page
    english = secretariat.get(f"/development/imports/{run.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"{SDG}, line 3, column value: &#x27;many&#x27; is not a number" in english
    assert list(Observation.objects.filter(indicator__source__file=SDG).values_list("pk", "value_text")) == before


def test_a_pruning_vintage_may_not_drop_an_indicator_a_target_measures(
    signed_in: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from kenes.decisions.models import Decision

    other = Indicator.objects.exclude(source__file=SDG).first()
    assert other is not None
    Target.objects.create(
        indicator=other, entities=["KAZ"], base_year=2000, year=2030, value=1, direction="increase",
        decision=Decision.objects.first(),
    )  # fmt: skip
    indicators = Indicator.objects.count()
    secretariat = signed_in("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        secretariat.post("/development/imports/", {"archive": _upload(_folder_zip()), "prune": "on"})
    assert _run_queued() == ["failed"]
    run = ImportRun.objects.get()
    assert run.prune and other.code in run.shown_error() and "no longer in the catalogue" in run.shown_error()
    assert Indicator.objects.count() == indicators


def _zip(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "status", "russian"),
    [
        (b"iso3,country\n", 400, "Файл не является ZIP-архивом."),
        (_zip({"data.csv": "x"}), 400, "В архиве нет catalogue.csv."),
        (_zip({"catalogue.csv": "x", "../evil.csv": "x"}), 400, "../evil.csv"),
        (_zip({"catalogue.csv": "x", "run.sh": "x"}), 400, "run.sh — не CSV-файл и не SOURCES.md."),
        (_zip({"a/catalogue.csv": "x", "b/wb_wdi.csv": "x"}), 400, "Поместите файлы в одну папку архива."),
        (_zip({"catalogue.csv": "x", "a/catalogue.csv": "x"}), 400, "catalogue.csv дважды"),
        (b"", 400, "Выберите ZIP-архив папки с индикаторами."),
    ],
)
def test_a_bad_upload_is_refused_at_once_and_queues_nothing(
    signed_in: Any, accounts: dict[str, Any], body: bytes, status: int, russian: str
) -> None:
    secretariat = signed_in("secretariat")
    response = secretariat.post("/development/imports/", {"archive": _upload(body)}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == status and russian in response.content.decode()
    from kenes.people.actions import create_token

    _token, raw = create_token("test", accounts["secretariat"], "test")
    api = Client(headers={"Authorization": f"Bearer {raw}", "Accept-Language": "ru"})
    answer = api.post("/api/v1/indicator-imports", {"archive": _upload(body)})
    assert answer.status_code == status and russian in answer.json()["detail"]
    assert not ImportRun.objects.exists() and not _imports_queued()


def test_an_archive_over_the_limit_is_413(signed_in: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    secretariat = signed_in("secretariat")
    monkeypatch.setattr(vintages, "MAX_ARCHIVE_MB", 0)
    response = secretariat.post("/development/imports/", {"archive": _upload(_folder_zip())})
    assert response.status_code == 413 and not ImportRun.objects.exists()
    monkeypatch.setattr(vintages, "MAX_ARCHIVE_MB", 50)
    monkeypatch.setattr(vintages, "MAX_UNPACKED_MB", 0)
    response = secretariat.post("/development/imports/", {"archive": _upload(_folder_zip())})
    assert response.status_code == 413 and not ImportRun.objects.exists()


@pytest.mark.parametrize("who", ["kz", "ru"])
def test_only_the_secretariat_imports(
    signed_in: Any, accounts: dict[str, Any], who: str, django_capture_on_commit_callbacks: Any
) -> None:
    member = signed_in(who)
    assert member.get("/development/imports/").status_code == 403
    assert member.post("/development/imports/", {"archive": _upload(_folder_zip())}).status_code == 403
    assert "/development/imports/" not in member.get("/development/").content.decode()  # no link either
    assert signed_in(None).get("/development/imports/").status_code == 302  # to the sign-in
    from kenes.people.actions import create_token

    _token, raw = create_token("test", accounts[who], "test")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.post("/api/v1/indicator-imports", {"archive": _upload(_folder_zip())}).status_code == 403
    assert api.get("/api/v1/indicator-imports").status_code == 403
    assert Client().get("/api/v1/indicator-imports").status_code == 401
    assert not ImportRun.objects.exists() and not _imports_queued()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in("secretariat").post("/development/imports/", {"archive": _upload(_folder_zip())})
    run = ImportRun.objects.get()
    assert member.get(f"/development/imports/{run.pk}/").status_code == 403
    assert api.get(f"/api/v1/indicator-imports/{run.pk}").status_code == 403


def test_a_run_delivered_twice_imports_once(signed_in: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signed_in("secretariat").post("/development/imports/", {"archive": _upload(_folder_zip(_change_first_value))})
    run = ImportRun.objects.get()
    imports = AuditEvent.objects.filter(verb="development.import", data__file=SDG)
    before = imports.count()
    assert vintages.run(run.pk) == "done"
    assert vintages.run(run.pk) == "nothing to do"
    assert imports.count() == before + 1


def test_the_archive_may_hold_the_files_at_its_top(signed_in: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signed_in("secretariat").post(
            "/development/imports/",
            {"archive": _upload(_folder_zip(_change_first_value, folder="", extra={"__MACOSX/._x.csv": "x"}))},
        )
    assert _run_queued() == ["done"]
    assert ImportRun.objects.get().files[0]["changed"] == 1


def test_the_scratch_folder_is_removed(signed_in: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    with django_capture_on_commit_callbacks(execute=True):
        signed_in("secretariat").post("/development/imports/", {"archive": _upload(_folder_zip())})
    _run_queued()
    assert list(tmp_path.iterdir()) == []
