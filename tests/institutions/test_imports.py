"""The answers file import: every row checked, every error reported by row and column, and
either every row saved or none."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import Workbook

from institutions import imports
from institutions.imports import (
    RowError,
    import_answers,
    parse_answer_file,
    validate_answer_rows,
)
from institutions.models import Answer, Institution, Membership
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

HEADER = "institution,target,value,applies_on,explanation,evidence_url"
STATUS_CHOICES = "niet_gestart, gepland, in_uitvoering, gerealiseerd"


@pytest.fixture(autouse=True)
def _history_dates_allowed(settings):
    """These tests are about reading and checking files, with dates from 2025; how far back a
    CIO may date an answer is tested in test_answer_dates.py."""
    settings.ROUTE_START, settings.ANSWER_MAX_BACKDATE_DAYS = "2020-01-01", 100_000


@pytest.fixture
def roc():
    return Institution.objects.create(
        code="25AB", name="ROC Fictief", kind="roc", active_from=datetime.date(2020, 1, 1)
    )


@pytest.fixture
def other_roc():
    return Institution.objects.create(
        code="26CD", name="ROC Elders", kind="roc", active_from=datetime.date(2020, 1, 1)
    )


@pytest.fixture
def editor(roc):
    user = get_user_model().objects.create_user(username="cio@fictief.example", password="x")
    Membership.objects.create(user=user, institution=roc, role=Membership.Role.EDITOR)
    return user


def csv_file(*lines: str, header: str = HEADER, delimiter: str = ",", bom: bool = False) -> bytes:
    text = "\r\n".join([header.replace(",", delimiter), *lines]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def error_texts(outcome) -> list[str]:
    return [str(error) for error in outcome.errors]


# A good file ---------------------------------------------------------------------------------


def test_a_good_comma_file_saves_every_row_with_its_value_field(roc, editor):
    content = csv_file(
        "25AB,LZD-WALLET,in_uitvoering,2025-01-15,Pilot loopt,https://example.org/plan",
        "25AB,CYB-NBA-GEMIDDELD,2.5,2025-01-15,,",
        "25AB,CYB-NBA-INDIVIDUEEL,3,2025-02-01,,",
        "25AB,DBO-EDU-V,45.5,2025-02-01,,",
    )
    outcome = import_answers(content, "antwoorden.csv", user=editor)

    assert outcome.errors == []
    assert outcome.saved == 4
    wallet = Answer.objects.get(institution=roc, target__code="LZD-WALLET")
    assert wallet.status == "in_uitvoering"
    assert (wallet.score, wallet.percentage) == (None, None)
    assert wallet.applies_on == datetime.date(2025, 1, 15)
    assert wallet.explanation == "Pilot loopt"
    assert wallet.evidence_url == "https://example.org/plan"
    assert wallet.source == Answer.Source.IMPORT
    assert wallet.entered_by == editor
    assert Answer.objects.get(target__code="CYB-NBA-GEMIDDELD").score == Decimal("2.5")
    assert Answer.objects.get(target__code="CYB-NBA-INDIVIDUEEL").score == Decimal("3.0")
    assert Answer.objects.get(target__code="DBO-EDU-V").percentage == Decimal("45.5")


def test_a_dutch_excel_semicolon_file_with_bom_and_decimal_commas(roc, editor):
    content = csv_file(
        '25AB;CYB-NBA-GEMIDDELD;2,5;2025-01-15;"Gemiddeld; zie rapport";',
        "25ab;lzd-wallet;Gerealiseerd;2025-01-15;Één wallet;",
        delimiter=";",
        bom=True,
    )
    outcome = import_answers(content, "Export.CSV", user=editor)

    assert outcome.errors == []
    assert outcome.saved == 2
    assert Answer.objects.get(target__code="CYB-NBA-GEMIDDELD").score == Decimal("2.5")
    wallet = Answer.objects.get(target__code="LZD-WALLET")
    assert (wallet.status, wallet.explanation) == ("gerealiseerd", "Één wallet")


def test_header_names_ignore_case_and_spaces_and_the_optional_columns_may_be_missing(roc, editor):
    content = csv_file(
        "25AB,LZD-WALLET,gepland,2025-01-15", header=" Institution , TARGET,Value ,applies_on"
    )
    outcome = import_answers(content, "a.csv", user=editor)
    assert outcome.errors == []
    answer = Answer.objects.get(target__code="LZD-WALLET")
    assert (answer.explanation, answer.evidence_url) == ("", "")


def test_extra_columns_are_ignored_and_blank_rows_skipped():
    rows = parse_answer_file(
        csv_file(
            "25AB,LZD-WALLET,x,gepland,2025-01-15",
            ",,,,",
            "26CD,DBO-EDU-V,y,40,2025-01-15",
            header="institution,target,theme,value,applies_on",
        ),
        "a.csv",
    )
    assert rows == [
        {"row": 2, "institution": "25AB", "target": "LZD-WALLET", "value": "gepland",
         "applies_on": "2025-01-15", "explanation": "", "evidence_url": ""},
        {"row": 4, "institution": "26CD", "target": "DBO-EDU-V", "value": "40",
         "applies_on": "2025-01-15", "explanation": "", "evidence_url": ""},
    ]  # fmt: skip


def test_quoted_cells_keep_their_commas_and_line_breaks(roc, editor):
    content = csv_file('25AB,LZD-WALLET,gepland,2025-01-15,"Eerst a, dan b\nen dan c",')
    assert import_answers(content, "a.csv", user=editor).saved == 1
    assert Answer.objects.get().explanation == "Eerst a, dan b\nen dan c"


def test_an_empty_applies_on_means_today_as_in_the_form(roc, editor):
    import_answers(csv_file("25AB,LZD-WALLET,gepland,,,"), "a.csv", user=editor)
    assert Answer.objects.get().applies_on == timezone.localdate()


# Every error, by row and column, and nothing saved --------------------------------------------


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_saved(roc, other_roc, editor):
    before = Answer.objects.count()
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    content = csv_file(
        "25AB,LZD-WALLET,gepland,2025-01-15,,",  # 2: good, yet not saved
        "25AB,LZD-WALLET,misschien,2025-01-16,,",  # 3
        "99ZZ,LZD-WALLET,gepland,2025-01-15,,",  # 4
        "26CD,LZD-WALLET,gepland,2025-01-15,,",  # 5
        "25AB,NIET-BESTAAND,gepland,2025-01-15,,",  # 6
        "25AB,DBO-NETWERK,gerealiseerd,2025-01-15,,",  # 7
        "25AB,CYB-NBA-GEMIDDELD,5.5,2025-01-15,,",  # 8
        "25AB,CYB-NBA-INDIVIDUEEL,2.55,2025-01-15,,",  # 9
        "25AB,DBO-EDU-V,101,2025-01-15,,",  # 10
        "25AB,DBO-EDU-V,veel,2025-01-16,,",  # 11
        "25AB,LZD-KLEINE-EENHEDEN,,2025-01-15,,",  # 12
        "25AB,LZD-ONDERWIJSAANBOD,gepland,15-01-2025,,",  # 13
        f"25AB,LZD-CURRICULUMINFO,gepland,{future},,",  # 14
        "25AB,LZD-ONDERWIJS-ID,gepland,2019-12-31,,",  # 15
        "25AB,LZD-ALL,gepland,2025-01-15,,javascript:alert(1)",  # 16
        '25AB,DAI-STUDIEDATA,gepland,2025-01-15,,"data:text/html;base64,PHNjcmlwdD4="',  # 17
        "25AB,DAI-GELETTERDHEID,gepland,2025-01-15,,https://",  # 18
        f"25AB,DBO-TOETSEN,gepland,2025-01-15,{'x' * 4001},",  # 19
        "25AB,LZD-WALLET,gerealiseerd,2025-01-15,,",  # 20: duplicate of row 2
        "26CD,NIET-BESTAAND,misschien,2025-02-30,,ftp://example.org",  # 21: four at once
    )
    outcome = import_answers(content, "a.csv", user=editor)

    assert outcome.saved == 0
    assert Answer.objects.count() == before
    assert error_texts(outcome) == [
        f"rij 3, kolom value: 'misschien' is geen status; kies uit {STATUS_CHOICES}.",
        "rij 4, kolom institution: Onbekende instelling '99ZZ'.",
        "rij 5, kolom institution: U mag de antwoorden van 26CD niet wijzigen.",
        "rij 6, kolom target: Onbekend sectordoel 'NIET-BESTAAND'.",
        "rij 7, kolom target: DBO-NETWERK is een mijlpaal; die houdt de sectorstaf bij, "
        "niet de instelling.",
        "rij 8, kolom value: De score moet tussen 0,0 en 5,0 liggen.",
        "rij 9, kolom value: Geef de score met hoogstens één decimaal, bv. 2,5.",
        "rij 10, kolom value: Het percentage moet tussen 0 en 100 liggen.",
        "rij 11, kolom value: 'veel' is geen getal.",
        "rij 12, kolom value: Vul een waarde in.",
        "rij 13, kolom applies_on: '15-01-2025' is geen datum in de vorm JJJJ-MM-DD, "
        "bv. 2025-03-31.",
        "rij 14, kolom applies_on: De datum mag niet in de toekomst liggen.",
        "rij 15, kolom applies_on: De datum mag niet voor 2020-01-01 liggen.",
        "rij 16, kolom evidence_url: Alleen links die met http:// of https:// beginnen.",
        "rij 17, kolom evidence_url: Alleen links die met http:// of https:// beginnen.",
        "rij 18, kolom evidence_url: 'https://' is geen geldige link.",
        "rij 19, kolom explanation: De toelichting is te lang (4001 tekens; hoogstens 4000).",
        "rij 20, kolom applies_on: 25AB LZD-WALLET per 2025-01-15 staat al in rij 2; "
        "laat één van beide weg.",
        "rij 21, kolom institution: U mag de antwoorden van 26CD niet wijzigen.",
        "rij 21, kolom target: Onbekend sectordoel 'NIET-BESTAAND'.",
        "rij 21, kolom applies_on: '2025-02-30' is geen datum in de vorm JJJJ-MM-DD, "
        "bv. 2025-03-31.",
        "rij 21, kolom evidence_url: Alleen links die met http:// of https:// beginnen.",
    ]


def test_import_errors_carry_row_column_and_message(roc, editor):
    outcome = import_answers(csv_file("25AB,LZD-WALLET,misschien,2025-01-15,,"), "a.csv",
                             user=editor)  # fmt: skip
    assert outcome.errors == [
        RowError(
            row=2,
            column="value",
            message=f"'misschien' is geen status; kies uit {STATUS_CHOICES}.",
        )
    ]
    assert not outcome.ok


def test_the_same_target_on_two_dates_is_no_duplicate(roc, editor):
    content = csv_file(
        "25AB,LZD-WALLET,gepland,2025-01-15,,", "25AB,LZD-WALLET,in_uitvoering,2025-03-01,,"
    )
    assert import_answers(content, "a.csv", user=editor).saved == 2


def test_row_numbers_count_blank_rows_as_a_person_sees_them(roc, editor):
    content = csv_file("25AB,LZD-WALLET,gepland,2025-01-15,,", "", " , ,,,,", "25AB,LZD-ALL,nee,,,")
    assert error_texts(import_answers(content, "a.csv", user=editor)) == [
        f"rij 5, kolom value: 'nee' is geen status; kies uit {STATUS_CHOICES}."
    ]


# Who may import for whom ----------------------------------------------------------------------


def test_an_editor_gets_a_per_row_error_for_another_institution(roc, other_roc, editor):
    content = csv_file(
        "25AB,LZD-WALLET,gepland,2025-01-15,,",
        "26CD,LZD-WALLET,gepland,2025-01-15,,",
        "26CD,DBO-EDU-V,50,2025-01-15,,",
    )
    outcome = import_answers(content, "a.csv", user=editor)
    assert error_texts(outcome) == [
        "rij 3, kolom institution: U mag de antwoorden van 26CD niet wijzigen.",
        "rij 4, kolom institution: U mag de antwoorden van 26CD niet wijzigen.",
    ]
    assert not Answer.objects.filter(institution__in=[roc, other_roc]).exists()


def test_a_viewer_may_not_import_for_their_own_institution(roc):
    viewer = get_user_model().objects.create_user(username="kijker@fictief.example")
    Membership.objects.create(user=viewer, institution=roc, role=Membership.Role.VIEWER)
    outcome = import_answers(csv_file("25AB,LZD-WALLET,gepland,2025-01-15,,"), "a.csv", user=viewer)
    assert error_texts(outcome) == [
        "rij 2, kolom institution: U mag de antwoorden van 25AB niet wijzigen."
    ]


def test_an_operator_without_user_may_import_for_every_institution(roc, other_roc):
    content = csv_file(
        "25AB,LZD-WALLET,gepland,2025-01-15,,", "26CD,LZD-WALLET,gepland,2025-01-15,,"
    )
    outcome = import_answers(content, "a.csv", user=None)
    assert (outcome.saved, outcome.errors) == (2, [])
    assert Answer.objects.filter(entered_by=None, source="import").count() == 2


def test_institutions_and_targets_are_looked_up_in_bulk(roc, editor, django_assert_max_num_queries):
    rows = parse_answer_file(
        csv_file(
            *(f"25AB,{t.code},gepland,2025-01-15,," for t in SectorTarget.objects.all()),
            "99ZZ,LZD-WALLET,gepland,2025-01-15,,",
        ),
        "a.csv",
    )
    with django_assert_max_num_queries(4):
        result = validate_answer_rows(rows, user=editor)
    assert len(result.errors) > 1


# Files that cannot be read ------------------------------------------------------------------


def test_an_empty_file_and_a_header_only_file_are_refused(editor):
    assert error_texts(import_answers(b"", "a.csv", user=editor)) == [
        "Het bestand is leeg; de eerste rij moet de kolomnamen bevatten."
    ]
    assert error_texts(import_answers(csv_file(), "a.csv", user=editor)) == [
        "Het bestand bevat geen antwoorden, alleen een kopregel."
    ]


def test_missing_columns_are_named(editor):
    outcome = import_answers(b"institution;waarde\n25AB;gepland\n", "a.csv", user=editor)
    assert error_texts(outcome) == [
        "rij 1, kolom target, value, applies_on: Deze kolommen ontbreken in de kopregel: "
        "target, value, applies_on. Verwacht: "
        "institution, target, value, applies_on, explanation, evidence_url."
    ]
    assert outcome.errors[0].row == 1  # the header
    assert outcome.errors[0].column == "target, value, applies_on"


def test_a_windows_1252_file_from_excel_is_read_as_such(roc, editor):
    # Excel on Windows saves "CSV (gescheiden door lijstscheidingsteken)" in Windows-1252.
    content = (HEADER + "\n25AB,LZD-WALLET,gepland,2025-01-15,Één,\n").encode("cp1252")
    assert import_answers(content, "a.csv", user=editor).saved == 1
    assert Answer.objects.get().explanation == "Één"


def test_a_binary_file_posing_as_csv_is_refused(editor):
    [error] = import_answers(b"PK\x03\x04\x00\x00binary", "a.csv", user=editor).errors
    assert error.message.startswith("Dit is geen tekstbestand (CSV): het bevat binaire gegevens.")
    utf16_without_bom = HEADER.encode("utf-16-le")
    [error] = import_answers(utf16_without_bom, "a.csv", user=editor).errors
    assert "binaire gegevens" in error.message


def test_a_damaged_excel_file_and_other_formats_are_refused(editor):
    [error] = import_answers(b"no zip at all", "a.xlsx", user=editor).errors
    assert error.message.startswith("Het bestand is geen geldige Excel-werkmap (.xlsx)")
    [error] = import_answers(b"x", "a.xls", user=editor).errors
    assert "sla het op als Excel-werkmap (.xlsx) of als CSV UTF-8" in error.message
    [error] = import_answers(b"x", "antwoorden.pdf", user=editor).errors
    assert error.message == "Lever een .csv- of .xlsx-bestand aan."


def test_a_file_over_the_size_limit_is_refused(editor):
    content = csv_file() + b"x" * imports.MAX_IMPORT_BYTES
    assert error_texts(import_answers(content, "a.csv", user=editor)) == [
        "Het bestand is groter dan 5 MB; splits het in kleinere bestanden."
    ]


def test_a_file_over_the_row_limit_is_refused(roc, editor, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 3)
    before = Answer.objects.count()
    lines = [f"25AB,LZD-WALLET,gepland,2025-01-{day:02},," for day in range(1, 5)]
    assert import_answers(csv_file(*lines[:3]), "a.csv", user=editor).saved == 3
    outcome = import_answers(csv_file(*lines), "a.csv", user=editor)
    assert error_texts(outcome) == [
        "Het bestand heeft meer dan 3 rijen; splits het in kleinere bestanden."
    ]
    assert Answer.objects.count() == before + 3


# Excel ----------------------------------------------------------------------------------------


def xlsx_file(rows: list[list], header: list[str]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_file_with_date_and_number_cells(roc, editor):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["25AB", "LZD-WALLET", "gepland", datetime.date(2025, 1, 15), "Wallet", None])
    sheet.append(["25AB", "CYB-NBA-GEMIDDELD", 2.5, datetime.datetime(2025, 1, 15), None, None])
    sheet.append(["25AB", "CYB-NBA-INDIVIDUEEL", 3, "2025-01-15", None, None])
    sheet.append(["25AB", "DBO-EDU-V", 0.455, datetime.date(2025, 1, 15), None, None])
    sheet["C5"].number_format = "0.0%"  # the person typed 45,5%
    sheet.append([None, None, None, None, None, None])
    sheet.append(["25AB", "LZD-ALL", "in uitvoering", datetime.date(2025, 1, 15), 42, None])
    buffer = io.BytesIO()
    workbook.save(buffer)

    assert parse_answer_file(buffer.getvalue(), "a.xlsx")[1:4] == [
        {"row": 3, "institution": "25AB", "target": "CYB-NBA-GEMIDDELD", "value": "2.5",
         "applies_on": "2025-01-15", "explanation": "", "evidence_url": ""},
        {"row": 4, "institution": "25AB", "target": "CYB-NBA-INDIVIDUEEL", "value": "3",
         "applies_on": "2025-01-15", "explanation": "", "evidence_url": ""},
        {"row": 5, "institution": "25AB", "target": "DBO-EDU-V", "value": "45.5",
         "applies_on": "2025-01-15", "explanation": "", "evidence_url": ""},
    ]  # fmt: skip
    outcome = import_answers(buffer.getvalue(), "Antwoorden.XLSX", user=editor)
    assert (outcome.saved, outcome.errors) == (5, [])
    assert Answer.objects.get(target__code="CYB-NBA-GEMIDDELD").score == Decimal("2.5")
    assert Answer.objects.get(target__code="DBO-EDU-V").percentage == Decimal("45.5")
    wallet = Answer.objects.get(target__code="LZD-WALLET")
    assert (wallet.applies_on, wallet.explanation) == (datetime.date(2025, 1, 15), "Wallet")
    last = Answer.objects.get(target__code="LZD-ALL")
    assert (last.status, last.explanation) == ("in_uitvoering", "42")


def test_excel_errors_use_the_sheet_row_numbers(roc, editor):
    content = xlsx_file(
        [
            ["25AB", "LZD-WALLET", "gepland", datetime.date(2025, 1, 15)],
            ["25AB", "CYB-NBA-GEMIDDELD", 7, datetime.date(2025, 1, 15)],
        ],
        header=["institution", "target", "value", "applies_on"],
    )
    assert error_texts(import_answers(content, "a.xlsx", user=editor)) == [
        "rij 3, kolom value: De score moet tussen 0,0 en 5,0 liggen."
    ]


# Scale ----------------------------------------------------------------------------------------


def test_ten_thousand_rows_validate_and_save_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    """Speed is measured by the benchmark (benchmarks/), not here: a timed assertion fails on a
    busy machine. What keeps it fast is that the queries do not grow with the rows."""
    Institution.objects.bulk_create(
        Institution(
            code=f"{n:02}XY", name=f"ROC {n}", kind="roc", active_from=datetime.date(2020, 1, 1)
        )
        for n in range(40)
    )
    targets = list(SectorTarget.objects.filter(measure="share_adopted").order_by("code")[:25])
    start = datetime.date(2024, 1, 1)
    lines = [
        f"{n:02}XY,{target.code},gepland,{start + datetime.timedelta(days=day)},Toelichting {day},"
        for n in range(40)
        for target in targets
        for day in range(10_000 // (40 * len(targets)) + 1)
    ][:10_000]
    content = csv_file(*lines, delimiter=",")
    before = Answer.objects.count()

    # bulk_create writes in batches (SQLite: at most 999 parameters per statement).
    with django_assert_max_num_queries(300):
        outcome = import_answers(content, "groot.csv", user=None)

    assert outcome.errors == []
    assert outcome.saved == 10_000
    assert Answer.objects.count() == before + 10_000
