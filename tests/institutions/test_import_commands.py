"""Operators import answers and institutions from files: all rows or none, every error listed."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from institutions.models import Answer, Institution

pytestmark = pytest.mark.django_db

ANSWERS_HEADER = "institution,target,value,applies_on,explanation,evidence_url"
INSTITUTIONS_HEADER = "code,name,kind,region,active_from,active_to"


@pytest.fixture
def roc():
    return Institution.objects.create(
        code="25AB", name="ROC Fictief", kind="roc", active_from=datetime.date(2020, 1, 1)
    )


def write(tmp_path, name: str, *lines: str, bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8"))
    return str(path)


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# import_answers ------------------------------------------------------------------------------


def test_import_answers_saves_a_csv_as_the_operator(tmp_path, roc):
    path = write(
        tmp_path,
        "antwoorden.csv",
        ANSWERS_HEADER,
        "25AB,LZD-WALLET,gepland,2025-01-15,,",
        "25AB,CYB-NBA-GEMIDDELD,3.5,2025-01-15,,",
    )
    assert run("import_answers", path) == "2 antwoorden opgeslagen\n"
    assert Answer.objects.filter(institution=roc, source="import", entered_by=None).count() == 2


def test_import_answers_reads_xlsx_by_extension(tmp_path, roc):
    workbook = Workbook()
    workbook.active.append(ANSWERS_HEADER.split(","))
    workbook.active.append(["25AB", "DBO-EDU-V", 40, datetime.date(2025, 1, 15)])
    path = tmp_path / "antwoorden.xlsx"
    workbook.save(path)
    assert run("import_answers", str(path)) == "1 antwoorden opgeslagen\n"
    assert Answer.objects.get(institution=roc).percentage == 40


def test_import_answers_lists_every_error_and_saves_nothing(tmp_path, roc):
    before = Answer.objects.count()
    path = write(
        tmp_path,
        "antwoorden.csv",
        ANSWERS_HEADER,
        "25AB,LZD-WALLET,gepland,2025-01-15,,",
        "25AB,ONBEKEND,gepland,2025-01-15,,",
        "99ZZ,DBO-EDU-V,120,2025-01-15,,",
    )
    with pytest.raises(CommandError) as raised:
        run("import_answers", path)
    assert str(raised.value).splitlines() == [
        "Niets opgeslagen; 3 fout(en):",
        "rij 3, kolom target: Onbekend sectordoel 'ONBEKEND'.",
        "rij 4, kolom institution: Onbekende instelling '99ZZ'.",
        "rij 4, kolom value: Het percentage moet tussen 0 en 100 liggen.",
    ]
    assert Answer.objects.count() == before


def test_import_answers_names_a_file_it_cannot_read(tmp_path):
    with pytest.raises(CommandError, match=r"Kan .*bestaat-niet.csv niet lezen"):
        run("import_answers", str(tmp_path / "bestaat-niet.csv"))
    path = write(tmp_path, "leeg.csv", "institution;target;value;applies_on")
    with pytest.raises(CommandError, match="alleen een kopregel"):
        run("import_answers", path)


# import_institutions --------------------------------------------------------------------------


def test_import_institutions_creates_new_and_updates_known_codes(tmp_path, roc):
    path = write(
        tmp_path,
        "instellingen.csv",
        INSTITUTIONS_HEADER.replace(",", ";"),
        "25AB;ROC Fictief Nieuw;roc;Noord;2020-01-01;",
        "27EF;Vakschool Fictief;Vakinstelling;;2021-08-01;2030-07-31",
        bom=True,
    )
    assert run("import_institutions", path) == (
        "1 instellingen aangemaakt, 1 bijgewerkt, 0 ongewijzigd\n"
    )
    roc.refresh_from_db()
    assert (roc.name, roc.region) == ("ROC Fictief Nieuw", "Noord")
    new = Institution.objects.get(code="27EF")
    assert (new.name, new.kind, new.region) == ("Vakschool Fictief", "vakinstelling", "")
    assert (new.active_from, new.active_to) == (
        datetime.date(2021, 8, 1),
        datetime.date(2030, 7, 31),
    )

    # The same file again changes nothing and adds no history.
    history = roc.history.count()
    assert run("import_institutions", path) == (
        "0 instellingen aangemaakt, 0 bijgewerkt, 2 ongewijzigd\n"
    )
    assert roc.history.count() == history


def test_import_institutions_reports_every_error_by_row_and_field_and_saves_nothing(tmp_path, roc):
    path = write(
        tmp_path,
        "instellingen.csv",
        INSTITUTIONS_HEADER,
        "25AB,ROC Fictief Nieuw,roc,,2020-01-01,",  # 2: good, yet not saved
        "25ab,Kleine letters,roc,,2020-01-01,",  # 3
        "28GH,Hogeschool,hogeschool,,2020-01-01,",  # 4
        "29IJ,Datum,aoc,,1-8-2020,",  # 5
        "30KL,Omgekeerd,aoc,,2024-01-01,2023-12-31",  # 6
        "25AB,Nogmaals,roc,,2020-01-01,",  # 7
        "31MN,,overig,,,",  # 8
    )
    with pytest.raises(CommandError) as raised:
        run("import_institutions", path)
    assert str(raised.value).splitlines() == [
        "Niets opgeslagen; 7 fout(en):",
        "rij 3, kolom code: Een BRIN-code is twee cijfers en twee hoofdletters, bv. 25AB.",
        "rij 4, kolom kind: Waarde 'hogeschool' is geen geldige keuze.",
        "rij 5, kolom active_from: '1-8-2020' is geen datum in de vorm JJJJ-MM-DD, bv. 2025-03-31.",
        "rij 6, kolom active_to: De einddatum ligt voor de begindatum (active_from).",
        "rij 7, kolom code: 25AB staat al in rij 2.",
        "rij 8, kolom name: Dit veld kan niet leeg zijn",
        "rij 8, kolom active_from: Dit veld mag niet leeg zijn.",
    ]
    roc.refresh_from_db()
    assert roc.name == "ROC Fictief"
    assert not Institution.objects.filter(code__in=["28GH", "29IJ", "30KL", "31MN"]).exists()


def test_import_institutions_names_missing_columns(tmp_path):
    path = write(tmp_path, "instellingen.csv", "code,naam,kind", "25AB,ROC,roc")
    with pytest.raises(CommandError) as raised:
        run("import_institutions", path)
    assert str(raised.value).splitlines() == [
        "Niets opgeslagen; 1 fout(en):",
        "Deze kolommen ontbreken in de kopregel: name, active_from. Verwacht: "
        "code, name, kind, region, active_from, active_to.",
    ]


def test_import_institutions_reads_a_windows_1252_csv(tmp_path):
    path = tmp_path / "instellingen.csv"
    path.write_bytes(f"{INSTITUTIONS_HEADER}\n25AB,ROC Hé,roc,,2020-01-01,\n".encode("cp1252"))
    run("import_institutions", str(path))
    assert Institution.objects.get(code="25AB").name == "ROC Hé"


def test_the_old_name_import_reports_still_works_and_says_the_new_one(tmp_path, roc):
    path = write(tmp_path, "oud.csv", ANSWERS_HEADER, "25AB,LZD-WALLET,gepland,2025-01-15,,")
    stderr = io.StringIO()
    call_command("import_reports", path, stdout=io.StringIO(), stderr=stderr)
    assert "import_answers" in stderr.getvalue()
    assert Answer.objects.filter(institution=roc, target__code="LZD-WALLET").count() == 1
