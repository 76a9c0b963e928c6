"""The import of the indicator folder: validated, verbatim, idempotent, all or nothing per file."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from kenes.audit.models import AuditEvent
from kenes.development.importer import IndicatorImportError, import_folder
from kenes.development.models import Indicator, Observation, Source
from tests.development.conftest import INDICATORS_DIR, copy_subset

pytestmark = pytest.mark.django_db

WDI_ROW = "KAZ,Kazakhstan,1992,AG.LND.AGRI.ZS,82.0324480497833,% of land area,WB-WDI"
WDI_ROW2 = "KAZ,Kazakhstan,1993,AG.LND.AGRI.ZS,82.13764492351,% of land area,WB-WDI"
SDG_ROW = "KAZ,Kazakhstan,2015,AG_LND_DGRD,36,%,UNSD-SDG"


def test_the_whole_folder_is_loaded_with_licences_and_caveats() -> None:
    # SOURCES.md's per-file table (its "total" line says 52432, but its rows sum to 51432, as do the files).
    per_file = {
        "wb_wdi.csv": 22127,
        "gapminder_systema_globalis.csv": 3666,
        "gapminder_fasttrack_co2.csv": 6230,
        "owid_co2_2020.csv": 6771,
        "owid_cait_ghg_by_sector_2021.csv": 3480,
        "owid_electricity_mix_2022.csv": 6621,
        "unsd_sdg_2020.csv": 2537,
    }
    assert dict(Source.objects.values_list("file", "rows")) == per_file
    assert Observation.objects.count() == sum(per_file.values()) == 51432
    assert Indicator.objects.count() == 175
    owid = Source.objects.get(file="owid_co2_2020.csv")
    assert "Our World in Data" in owid.caveat and owid.licence.startswith("CC BY 4.0 (OWID)")
    assert "Gapminder" in Source.objects.get(file="gapminder_fasttrack_co2.csv").caveat
    electricity = Indicator.objects.get(code="electricity_generation_total")
    assert electricity.source_tag == "GM-SG/EI"  # the rows' own tag: the EI caveat applies
    gdp = Indicator.objects.get(code="NY.GDP.MKTP.CD")
    assert (gdp.year_min, gdp.year_max, gdp.entity_count, gdp.observation_count) == (1960, 2025, 8, 356)
    assert Indicator.objects.get(code="EG_EGY_RNEW").sdg_goals == [7, 12]
    assert gdp.sdg_goals == []  # no SDG mapping invented for the other sources


def test_every_value_is_kept_verbatim() -> None:
    stored = {
        (i, e, y): t
        for i, e, y, t in Observation.objects.values_list("indicator__code", "entity", "year", "value_text")
    }
    for path in sorted(INDICATORS_DIR.glob("*.csv")):
        if path.name == "catalogue.csv":
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                assert stored[(row["indicator"], row["iso3"], int(row["year"]))] == row["value"]


def test_a_second_import_changes_nothing() -> None:
    before = AuditEvent.objects.count()
    result = import_folder("import_indicators", INDICATORS_DIR)
    assert (result.total("added"), result.total("changed"), result.total("removed")) == (0, 0, 0)
    assert result.total("rows") == 51432
    assert AuditEvent.objects.count() == before


def test_a_new_vintage_reports_added_changed_and_removed(tmp_path: Path) -> None:
    folder = copy_subset(tmp_path / "v1", {"wb_wdi.csv": [WDI_ROW, WDI_ROW2]})
    import_folder("import_indicators", folder)
    v2 = copy_subset(
        tmp_path / "v2",
        {
            "wb_wdi.csv": [
                WDI_ROW.replace("82.0324480497833", "82.5"),
                "KGZ,Kyrgyzstan,1992,AG.LND.AGRI.ZS,53.1,% of land area,WB-WDI",
            ]
        },
    )
    out = StringIO()
    call_command("import_indicators", str(v2), stdout=out)
    assert "1 added, 1 changed, 1 removed" in out.getvalue()
    values = dict(Observation.objects.filter(indicator__code="AG.LND.AGRI.ZS").values_list("entity", "value_text"))
    assert values == {"KAZ": "82.5", "KGZ": "53.1"}
    event = AuditEvent.objects.filter(verb="development.import").latest("seq")
    assert event.data["added"] == 1 and event.data["changed"] == 1 and event.data["removed"] == 1


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("XYZ,Kazakhstan,1992,AG.LND.AGRI.ZS,82,% of land area,WB-WDI", "iso3", "unknown entity"),
        ("KAZ,Kazakhstan,19x2,AG.LND.AGRI.ZS,82,% of land area,WB-WDI", "year", "is not a year"),
        ("KAZ,Kazakhstan,1992,NO.SUCH,82,% of land area,WB-WDI", "indicator", "not in catalogue.csv"),
        ("KAZ,Kazakhstan,1992,AG.LND.AGRI.ZS,about 82,% of land area,WB-WDI", "value", "is not a number"),
        ("KAZ,Kazakhstan,1992,AG.LND.AGRI.ZS,nan,% of land area,WB-WDI", "value", "is not a number"),
        ("KAZ,Kazakhstan,1992,AG.LND.AGRI.ZS,82,hectares,WB-WDI", "unit", "differs from the catalogue"),
        (WDI_ROW, "year", "a second value"),
    ],
)
def test_a_bad_cell_is_named_and_nothing_of_the_file_changes(
    tmp_path: Path, row: str, column: str, message: str
) -> None:
    folder = copy_subset(tmp_path, {"wb_wdi.csv": [WDI_ROW, row]})
    before = Observation.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("import_indicators", str(folder), verbosity=0)
    assert f"wb_wdi.csv, line 3, column {column}: " in str(refused.value) and message in str(refused.value)
    assert Observation.objects.count() == before


def test_files_are_all_or_nothing_each(tmp_path: Path) -> None:
    # unsd_sdg sorts after wb_wdi? no: "unsd" < "wb": the SDG file is applied first, then WDI fails.
    folder = copy_subset(tmp_path, {"unsd_sdg_2020.csv": [SDG_ROW], "wb_wdi.csv": [WDI_ROW, "bad,line"]})
    with pytest.raises(IndicatorImportError) as refused:
        import_folder("import_indicators", folder)
    assert refused.value.file == "wb_wdi.csv" and refused.value.line == 3
    assert Observation.objects.filter(indicator__code="AG_LND_DGRD").count() == 1  # applied
    assert Observation.objects.filter(indicator__code="AG.LND.AGRI.ZS").count() > 2  # WDI untouched


def test_a_file_outside_the_catalogue_is_refused(tmp_path: Path) -> None:
    folder = copy_subset(tmp_path, {"wb_wdi.csv": [WDI_ROW]})
    (folder / "extra.csv").write_text("iso3,country,year,indicator,value,unit,source\n", encoding="utf-8")
    with pytest.raises(IndicatorImportError, match=r"extra\.csv.*no indicator in catalogue\.csv"):
        import_folder("import_indicators", folder)


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no folder"):
        call_command("import_indicators", str(tmp_path / "nothing"), verbosity=0)


def test_a_value_with_a_tab_or_backslash_is_stored_verbatim(tmp_path: Path) -> None:
    """Python reads "\t82" as a number; the text is kept as written, whatever COPY's escaping needs."""
    folder = copy_subset(tmp_path, {"wb_wdi.csv": ['KAZ,Kazakhstan,1992,AG.LND.AGRI.ZS,"\t82",% of land area,WB-WDI']})
    import_folder("import_indicators", folder)
    stored = Observation.objects.get(indicator__code="AG.LND.AGRI.ZS", entity="KAZ", year=1992)
    assert stored.value_text == "\t82" and stored.value == 82


@pytest.mark.postgresql
def test_a_bulk_load_puts_the_foreign_key_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From BULK_ROWS new rows on, PostgreSQL loads without the per-row check and adds the foreign
    key again in the same transaction: afterwards it is there and refuses a row of no indicator."""
    from django.db import IntegrityError, connection, transaction

    from kenes.development import importer

    monkeypatch.setattr(importer, "BULK_ROWS", 1)
    folder = copy_subset(tmp_path, {"wb_wdi.csv": [WDI_ROW, WDI_ROW2]})
    import_folder("import_indicators", folder)
    assert Observation.objects.filter(indicator__code="AG.LND.AGRI.ZS").count() == 2
    table = Observation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [table])
        assert cursor.fetchone()[0] == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(indicator_id=999_999, entity="KAZ", year=2000, value=1, value_text="1")
        connection.check_constraints()
