"""Loading the real mechanism data: idempotent, validated, all or nothing, dates kept as given."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kenes.meetings.models import Document, Format, Invitation, Meeting
from kenes.states.dates import PartialDate
from kenes.states.models import Participation, State
from kenes.states.queries import members_on, status_on
from tests.conftest import DATA_DIR


@pytest.mark.django_db
def test_real_data_is_loaded() -> None:
    assert State.objects.count() == 8
    assert Format.objects.filter(code__startswith="c5_").count() == 19
    held = Meeting.objects.filter(format__code="ca_heads_of_state", status="held")
    assert set(held.values_list("ordinal", flat=True)) == {"I", "II", "III", "IV", "V", "VI", "VII"}
    assert Document.objects.filter(meeting__code="ca_heads_of_state-IV").count() == 6
    treaty = Document.objects.get(code="ca_heads_of_state-IV-treaty_friendship")
    assert sorted(treaty.signatories.values_list("iso2", flat=True)) == ["KG", "KZ", "UZ"]
    assert Invitation.objects.get(meeting__code="ca_heads_of_state-V", state__iso2="AZ").standing == "guest_of_honour"


@pytest.mark.django_db
def test_members_on_a_date_follows_azerbaijan() -> None:
    mechanism = Format.objects.get(code="ca_heads_of_state").mechanism
    five = ["KG", "KZ", "TJ", "TM", "UZ"]
    assert sorted(members_on(mechanism, dt.date(2024, 8, 9)).values_list("iso2", flat=True)) == five
    assert sorted(members_on(mechanism, dt.date(2025, 11, 16)).values_list("iso2", flat=True)) == sorted([*five, "AZ"])
    az = State.objects.get(iso2="AZ")
    assert status_on(mechanism, az, dt.date(2023, 9, 14)) == "guest_of_honour"
    assert status_on(mechanism, az, dt.date(2023, 9, 13)) is None
    assert status_on(mechanism, az, dt.date(2026, 1, 1)) == "member"


@pytest.mark.django_db
def test_reduced_precision_dates_are_kept() -> None:
    postponed = Meeting.objects.get(code="ca_heads_of_state-2020")
    assert postponed.start_text == "2020"
    assert Meeting.objects.get(code="c5_ru_ministerial-I").start_text == "2020-10"
    assert PartialDate.parse("2020-10").precision == "month"
    assert PartialDate.parse("2020-10").as_date() is None
    with pytest.raises(ValueError, match="YYYY"):
        PartialDate.parse("10/2020")
    with pytest.raises(ValueError):
        PartialDate.parse("2023-02-30")


@pytest.mark.django_db
def test_loading_twice_changes_nothing() -> None:
    before = (State.objects.count(), Participation.objects.count(), Meeting.objects.count(), Document.objects.count())
    call_command("load_reference", str(DATA_DIR), verbosity=0)
    after = (State.objects.count(), Participation.objects.count(), Meeting.objects.count(), Document.objects.count())
    assert before == after


def _broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    target = tmp_path / "mechanism"
    shutil.copytree(DATA_DIR, target)
    path = target / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.django_db
def test_bad_row_names_file_and_line_and_changes_nothing(tmp_path: Path) -> None:
    # Rename a state in a valid file and break a later file: nothing of either may be written.
    directory = _broken_copy(tmp_path, "meetings.csv", "2021-08-06,2021-08-06", "2021-08-06,2021-13-06")
    states = directory / "states.csv"
    states.write_text(states.read_text(encoding="utf-8").replace(",Kazakhstan,", ",Kazakhstan (changed),"))
    with pytest.raises(CommandError) as excinfo:
        call_command("load_reference", str(directory), verbosity=0)
    message = str(excinfo.value)
    assert "meetings.csv line 5: end_date" in message
    assert "nothing changed" in message
    assert State.objects.get(iso2="KZ").name_en == "Kazakhstan"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("states.csv", "Asia/Bishkek", "Asia/Nowhere", "states.csv line 3: timezone: unknown IANA zone"),
        ("participation.csv", "AZ,member", "XX,member", "participation.csv line 8: state_iso2: 'XX'"),
        ("meetings.csv", "ca_heads_of_state,III", "no_such_format,III", "meetings.csv line 5: format_id"),
        ("documents.csv", "treaty,yes", "treaty,maybe", "documents.csv line 6: adopted"),
        ("formats.csv", "S10;S14;S19", "S10;S999", "formats.csv line 3: source_ids: unknown source S999"),
    ],
)
def test_each_kind_of_bad_row_is_reported(tmp_path: Path, file: str, old: str, new: str, expected: str) -> None:
    directory = _broken_copy(tmp_path, file, old, new)
    with pytest.raises(CommandError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        call_command("load_reference", str(directory), verbosity=0)


@pytest.mark.django_db
def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such directory"):
        call_command("load_reference", str(tmp_path / "nope"), verbosity=0)
