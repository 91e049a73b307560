"""The report's Excel workbook and CSV data sheet: the indicators' own numbers, real numbers and
dates, safe to open in a spreadsheet, and the same file for the same as-of date."""

import csv
import datetime
import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from indicators.models import ProgressStatus
from indicators.series import compute_series
from institutions.models import Answer, Institution
from reports.csv_report import write_csv
from reports.tables import build_report_data
from reports.xlsx import sheet_title, write_xlsx
from themes.models import SectorTarget, Theme

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
COMPARE_TO = date(2026, 3, 31)
MONTH_ENDS = [
    date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
    date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30),
]  # fmt: skip
HEADER = [
    "Code", "Sectordoel", "Thema", "Peildatum", "Waarde", "Eenheid", "Streefwaarde",
    "Streefdatum", "Verwacht op peildatum", "Voortgang", "Dekking (%)",
    "Instellingen met antwoord", "Actieve instellingen", "Nog nodig (instellingen)",
    "In dit tempo", "Routeversie", "Bijgestelde voortgang", "Reden bijstelling",
]  # fmt: skip
HEADER_EN = [
    "Code", "Sector target", "Theme", "As-of date", "Value", "Unit", "Goal value",
    "Target date", "Expected on the as-of date", "Progress", "Coverage (%)",
    "Institutions answered", "Active institutions", "Still needed (institutions)",
    "At this pace", "Route version", "Adjusted progress", "Reason for the adjustment",
]  # fmt: skip
DATE, VALUE = HEADER.index("Peildatum"), HEADER.index("Waarde")
GENERATED_AT = datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+cmd", "@SUM(1)", "-2+3"]


@pytest.fixture
def answers(institution_a, institution_b):
    target = SectorTarget.objects.get
    Answer.objects.create(
        institution=institution_a, target=target(code="LZD-WALLET"),
        status="gerealiseerd", applies_on=date(2026, 3, 15),
    )  # fmt: skip
    Answer.objects.create(
        institution=institution_b, target=target(code="LZD-WALLET"),
        status="gepland", applies_on=date(2026, 4, 10),
    )  # fmt: skip
    for institution, score in ((institution_a, "2.0"), (institution_b, "3.0")):
        Answer.objects.create(
            institution=institution, target=target(code="CYB-NBA-GEMIDDELD"),
            score=Decimal(score), applies_on=date(2026, 5, 1),
        )  # fmt: skip


@pytest.fixture
def hostile_institutions(db):
    return [
        Institution.objects.create(
            code=f"{n}9ZZ", name=name, kind="overig", active_from=date(2020, 1, 1)
        )
        for n, name in enumerate(HOSTILE_NAMES, start=1)
    ]


def _data(**kwargs):
    return build_report_data(as_of=AS_OF, compare_to=COMPARE_TO, **kwargs)


def _csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def _workbook(data, **kwargs):
    content = write_xlsx(data, generated_at=GENERATED_AT, generated_by="Raad Tester", **kwargs)
    return load_workbook(io.BytesIO(content))


def _table(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_it_writes_one_csv_row_per_target_per_month_end(answers):
    data = _data()
    content = write_csv(data)

    assert b"\r\n" in content and content.count(b"\r\n") == content.count(b"\n")
    rows = _csv_rows(content)
    assert rows[0] == HEADER
    targets = SectorTarget.objects.filter(themes__isnull=False).distinct().count()
    assert len(rows) - 1 == targets * 6
    by_target: dict[str, list[str]] = {}
    for row in rows[1:]:
        by_target.setdefault(row[0], []).append(row[DATE])
    assert all(dates == [d.isoformat() for d in MONTH_ENDS] for dates in by_target.values())


def test_its_numbers_are_the_indicators_numbers(answers):
    data = _data()
    rows = {
        (r[0], r[DATE]): dict(zip(HEADER, r, strict=True)) for r in _csv_rows(write_csv(data))[1:]
    }
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    figure = compute_series([wallet], [AS_OF])[wallet.pk][0]
    in_table = data.targets.set_index("target").loc["LZD-WALLET"]

    row = rows[("LZD-WALLET", "2026-06-30")]
    assert float(row["Waarde"]) == figure.value == in_table["value"] == 50.0
    assert row["Eenheid"] == "%"
    assert float(row["Dekking (%)"]) == figure.coverage == in_table["coverage"]
    assert int(row["Instellingen met antwoord"]) == figure.answered == 2
    assert row["Sectordoel"] == wallet.title  # the target's text, not only its code
    assert row["Thema"] == "Leren zonder drempels"
    assert row["Streefdatum"] == "2028-12-31"
    assert float(row["Streefwaarde"]) == 30.0
    # The status's label, never its code.
    assert row["Voortgang"] == str(ProgressStatus(in_table["status"]).label)
    assert row["Voortgang"] in {str(s.label) for s in ProgressStatus}
    assert rows[("LZD-WALLET", "2026-03-31")]["Waarde"] == "50.0"  # only A had answered then

    score = rows[("CYB-NBA-GEMIDDELD", "2026-06-30")]
    assert float(score["Waarde"]) == 2.5 and score["Eenheid"] == "NBA-niveau"
    # Before any score a mean is unknown: an empty cell, not 0.
    assert rows[("CYB-NBA-GEMIDDELD", "2026-04-30")]["Waarde"] == ""
    assert rows[("CYB-NBA-GEMIDDELD", "2026-04-30")]["Verwacht op peildatum"] == ""


def test_csv_floats_round_trip_exactly(answers, institution_a):
    # A third institution makes shares like 33.333…: repr keeps every digit.
    Institution.objects.create(
        code="33CC", name="ROC Derde", kind="roc", active_from=date(2020, 1, 1)
    )
    data = _data()
    rows = _csv_rows(write_csv(data))[1:]
    values = [float(r[VALUE]) for r in rows if r[0] == "LZD-WALLET"]
    expected = [f.value for f in data.series[data.series["target"] == "LZD-WALLET"].itertuples()]
    assert values == expected
    assert any(abs(v - 100 / 3) < 1e-9 for v in values)


def test_csv_neutralises_text_but_not_negative_numbers(answers):
    data = _data()
    data.series = data.series.copy()
    data.series.loc[0, "theme_name"] = "=HYPERLINK(1)"
    data.series.loc[1, "target"] = "@SUM(1)"
    data.series.loc[2, "value"] = -2.5

    rows = _csv_rows(write_csv(data))
    assert rows[1][HEADER.index("Thema")] == "'=HYPERLINK(1)"
    assert rows[2][0] == "'@SUM(1)"
    assert rows[3][VALUE] == "-2.5"


def test_a_target_under_two_themes_names_both(answers):
    data = _data()
    shared = data.series[data.series["theme_name"].str.contains(", ")]
    if shared.empty:
        pytest.skip("the route has no target under two themes")
    code = shared.iloc[0]["target"]
    rows = [r for r in _csv_rows(write_csv(data))[1:] if r[0] == code]
    assert len(rows) == 6
    # "a, b": quoted only if needed, read back whole
    assert rows[0][HEADER.index("Thema")] == shared.iloc[0]["theme_name"]


def test_workbook_has_its_sheets_with_numbers_dates_and_filters(answers):
    data = _data()
    workbook = _workbook(data)

    theme_names = [theme.name for theme in Theme.objects.all()]
    assert workbook.sheetnames == [
        "Samenvatting", "Per laag", *theme_names, "Mijlpalen", "Oplevering mijlpalen",
        "Niet gemeld", "Respons per ronde", "Data",
    ]  # fmt: skip
    for sheet in workbook.worksheets:
        assert len(sheet.title) <= 31
        if sheet.title == "Per laag":
            continue  # two tables on one sheet: no frozen header or filter (tested below)
        if sheet.max_row == sheet.max_column == 1:
            continue  # a sheet that says in one line why it has no table (see below)
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.auto_filter.ref, sheet.title

    sheet = workbook["Leren zonder drempels"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Sectordoel", "Code", "Meting"]
    assert "Waarde op 31-03-2026" in header and "Verschil sinds 31-03-2026" in header
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    wallet = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "LZD-WALLET")
    cells = dict(zip(header, wallet, strict=True))
    assert cells["Sectordoel"].value == SectorTarget.objects.get(code="LZD-WALLET").title
    assert cells["Sectordoel"].alignment.wrap_text
    assert cells["Waarde"].value == 50.0 and cells["Waarde"].data_type == "n"
    # Real numbers whose format shows the unit (a quoted % is text, not Excel's times 100).
    assert cells["Waarde"].number_format == '0.0"%"'
    assert cells["Streefwaarde"].value == 30.0
    assert cells["Streefwaarde"].number_format == '0.0"%"'
    assert cells["Eenheid"].value == "%"
    assert cells["Waarde op 31-03-2026"].value == 50.0
    assert cells["Verschil sinds 31-03-2026"].value == 0.0
    assert "%-punt" in cells["Verschil sinds 31-03-2026"].number_format
    assert cells["Verwacht op peildatum"].number_format == '0.0"%"'
    assert cells["Instellingen met antwoord"].value == 2
    assert isinstance(cells["Instellingen met antwoord"].value, int)
    assert cells["Streefdatum"].value == datetime.datetime(2028, 12, 31)
    assert cells["Streefdatum"].number_format == "dd-mm-yyyy"
    assert cells["Voortgang"].value in {str(s.label) for s in ProgressStatus}

    score = next(
        row for row in workbook["Cyberweerbaarheid"].iter_rows(min_row=2)
        if row[1].value == "CYB-NBA-GEMIDDELD"
    )  # fmt: skip
    score = dict(zip(header, score, strict=True))
    assert score["Waarde"].value == 2.5
    assert score["Waarde"].number_format == '0.0" NBA-niveau"'
    assert score["Streefwaarde"].number_format == '0.0" NBA-niveau"'
    assert score["Eenheid"].value == "NBA-niveau"

    summary = workbook["Samenvatting"]
    assert summary["B3"].value == datetime.datetime(2026, 6, 30)
    assert summary["B3"].number_format == "dd-mm-yyyy"
    assert summary["B4"].value == datetime.datetime(2026, 3, 31)
    # 09:30 UTC is 11:30 in Amsterdam in summer: Excel gets the Dutch clock time.
    assert summary["B7"].value == "alle lagen"
    assert summary["B8"].value == datetime.datetime(2026, 7, 1, 11, 30)
    assert summary["B9"].value == "Raad Tester"
    table = _table(summary)
    header_row = next(i for i, row in enumerate(table, start=1) if row[0] == "thema")
    assert summary.freeze_panes == f"A{header_row + 1}"
    assert summary.auto_filter.ref.startswith(f"A{header_row}:")
    counts = {row[0]: row[1:] for row in table[header_row:]}
    assert set(counts) == set(theme_names)
    assert all(isinstance(n, int) for row in counts.values() for n in row)


def test_theme_sheets_have_no_blank_rows_and_an_empty_theme_says_why(answers):
    workbook = _workbook(_data())
    for theme in Theme.objects.all():
        rows = _table(workbook[theme.name])
        if theme.targets.exists():
            assert len(rows) == 1 + theme.targets.count(), theme.name
            assert all(any(v not in (None, "") for v in row) for row in rows), theme.name
            # Every row names its target by its text and its code.
            assert all(row[0] and row[1] for row in rows[1:]), theme.name
        else:
            assert rows == [["Dit thema heeft in deze versie van de route geen sectordoelen."]]


def test_without_a_comparison_date_there_are_no_comparison_columns(answers):
    sheet = _workbook(build_report_data(as_of=AS_OF))["Leren zonder drempels"]
    header = [c.value for c in sheet[1]]
    assert not [h for h in header if h.startswith(("Waarde op", "Verschil"))]
    columns = list(zip(*_table(sheet)[1:], strict=True))
    assert all(any(v is not None for v in column) for column in columns[:7])


def test_milestone_targets_read_reached_or_not_yet_never_a_percentage(answers):
    data = _data()
    milestone = SectorTarget.objects.filter(
        measure="milestone", deadline__gt=AS_OF, reached_on__isnull=True
    ).first()
    rows = {
        (r[0], r[DATE]): dict(zip(HEADER, r, strict=True)) for r in _csv_rows(write_csv(data))[1:]
    }
    row = rows[(milestone.code, AS_OF.isoformat())]
    assert row["Waarde"] == "nog niet behaald" and row["Streefwaarde"] == "behaald"
    assert row["Eenheid"] == "" and row["Verwacht op peildatum"] == ""

    sheets = _workbook(data)
    header = [c.value for c in sheets["Doorlopend het beste onderwijs"][1]]
    cells = next(
        dict(zip(header, r, strict=True))
        for r in _table(sheets["Doorlopend het beste onderwijs"])[1:]
        if r[1] == milestone.code
    )
    assert cells["Waarde"] == "nog niet behaald" and cells["Streefwaarde"] == "behaald"
    assert cells["Verwacht op peildatum"] is None and cells["Eenheid"] is None


def test_the_milestone_sheet_has_no_column_empty_on_every_row(answers):
    sheet = _workbook(_data())["Mijlpalen"]
    rows = _table(sheet)
    assert rows[0][:4] == ["Thema", "Lijn", "Mijlpaal", "Jaar"]
    assert all(row[3] == 2026 for row in rows[1:])
    for index, header in enumerate(rows[0]):
        assert any(row[index] not in (None, "") for row in rows[1:]), header


def test_data_sheet_holds_the_csv_rows(answers):
    data = _data()
    csv_rows = _csv_rows(write_csv(data))
    sheet_rows = _table(_workbook(data)["Data"])
    assert list(sheet_rows[0]) == csv_rows[0] == HEADER
    assert len(sheet_rows) == len(csv_rows)

    def same(cell, text: str) -> bool:
        if cell is None:
            return text == ""
        if isinstance(cell, datetime.datetime):
            return text == cell.date().isoformat()
        if isinstance(cell, int | float):
            # openpyxl stores 30.0 as "30" and floats with 16 significant digits ("%.16g"):
            # the CSV has every digit, the workbook is within 1e-13 of it.
            return abs(float(text) - cell) <= 1e-9
        return text == cell

    for sheet_row, csv_row in zip(sheet_rows[1:], csv_rows[1:], strict=True):
        assert [same(c, t) for c, t in zip(sheet_row, csv_row, strict=True)] == [True] * len(
            HEADER
        ), (sheet_row, csv_row)
    data_sheet = _workbook(data)["Data"]
    assert data_sheet["D2"].is_date and data_sheet["D2"].number_format == "dd-mm-yyyy"
    assert data_sheet["E2"].data_type == "n" and data_sheet["E2"].number_format == '0.0"%"'


def test_data_sheet_and_csv_are_in_the_language_of_the_report(answers):
    data = _data()
    with translation.override("en"):
        csv_rows = _csv_rows(write_csv(data))
        sheet_rows = _table(_workbook(data)["Data"])
    assert csv_rows[0] == list(sheet_rows[0]) == HEADER_EN
    status = HEADER_EN.index("Progress")
    with translation.override("en"):
        english = {str(s.label) for s in ProgressStatus}
    assert {row[status] for row in csv_rows[1:]} <= english
    assert "op_koers" not in {row[status] for row in csv_rows[1:]}
    # Dutch is the default, with human labels (never a code such as "op_koers").
    dutch = {row[HEADER.index("Voortgang")] for row in _csv_rows(write_csv(data))[1:]}
    assert dutch <= {str(s.label) for s in ProgressStatus} and "op_koers" not in dutch


def test_formula_injection_is_neutralised(answers, hostile_institutions):
    data = _data()
    assert set(HOSTILE_NAMES) <= set(data.not_answered["institution"])
    workbook = _workbook(data)

    names = [row[0] for row in _table(workbook["Niet gemeld"])[1:]]
    for name in HOSTILE_NAMES:
        assert "'" + name in names
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.value[0] not in "=+-@\t\r", (sheet.title, cell.coordinate)
    # The CSV names no institutions, so none of them can reach it.
    assert not any(name.encode() in write_csv(data) for name in HOSTILE_NAMES)


def test_control_characters_are_stripped_and_names_neutralised(answers, institution_a):
    Institution.objects.create(
        code="44DD", name="ROC\x07 Bel\x1b", kind="roc", active_from=date(2020, 1, 1)
    )
    institution_a.name = "\x01=cmd"
    institution_a.save()
    data = _data(institution=institution_a)
    workbook = _workbook(data)  # openpyxl would raise IllegalCharacterError
    assert "ROC Bel" in [row[0] for row in _table(workbook["Niet gemeld"])]
    assert workbook["Samenvatting"]["B5"].value == "'=cmd (11AA)"


def test_an_institution_report_has_its_own_answers(answers, institution_a):
    data = _data(institution=institution_a)
    workbook = _workbook(data)
    assert workbook.sheetnames[-2:] == ["Eigen antwoorden", "Data"]
    sheet = workbook["Eigen antwoorden"]
    rows = {row[0]: row for row in _table(sheet)[1:]}
    assert rows[SectorTarget.objects.get(code="LZD-WALLET").title][1] == "LZD-WALLET"
    by_code = {row[1]: row for row in rows.values()}
    assert by_code["LZD-WALLET"][2] == "gerealiseerd"
    assert by_code["LZD-WALLET"][3] == datetime.datetime(2026, 3, 15)
    assert by_code["CYB-NBA-GEMIDDELD"][2] == "2,0 NBA-niveau"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_a_theme_selection_gives_only_those_sheets(answers):
    data = _data(theme_codes=["data-ai"])
    assert _workbook(data).sheetnames == [
        "Samenvatting",
        "Per laag",
        "Data & AI",
        "Mijlpalen",
        "Oplevering mijlpalen",
        "Niet gemeld",
        "Respons per ronde",
        "Data",
    ]


def test_the_same_as_of_date_gives_the_same_csv(answers, institution_a):
    before = write_csv(_data())
    Answer.objects.create(
        institution=institution_a, target=SectorTarget.objects.get(code="LZD-WALLET"),
        status="gepland", applies_on=date(2026, 7, 15),
    )  # fmt: skip
    Answer.objects.create(
        institution=institution_a, target=SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD"),
        score=Decimal("5.0"), applies_on=date(2026, 9, 1),
    )  # fmt: skip
    assert write_csv(_data()) == before
    data = _data()
    assert _table(_workbook(data)["Data"]) == _table(_workbook(data)["Data"])


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Doorlopend het beste onderwijs", "Doorlopend het beste onderwijs"),
        ("Data & AI", "Data & AI"),
        ("Wat: [kan] *dit*? a/b\\c", "Wat kan dit abc"),
        ("Een heel lange naam van een thema die niet past", "Een heel lange naam van een the"),
        ("'Quoted'", "Quoted"),
        ("Data", "Data (2)"),
        ("samenvatting", "samenvatting (2)"),
        ("???", "Thema"),
    ],
)
def test_sheet_titles_are_valid_and_unique(name, expected):
    taken = {"Samenvatting", "Data"}
    assert sheet_title(name, taken) == expected
    assert expected in taken and len(expected) <= 31


def test_repeated_long_sheet_titles_stay_within_31_characters():
    taken: set[str] = set()
    name = "Een heel lange naam van een thema die niet past"
    titles = [sheet_title(name, taken) for _ in range(3)]
    assert titles[1] == "Een heel lange naam van een (2)"
    assert len(set(titles)) == 3 and all(len(t) <= 31 for t in titles)


def test_the_summary_says_every_answer_counts_approved_or_not(answers):
    """Issue 11: a report says which answers its figures count (a round's assembly pack may
    count approved answers only, and says so in its own pages)."""
    facts = {
        row[0]: row[1] for row in _workbook(_data())["Samenvatting"].iter_rows(values_only=True)
    }
    assert facts["Antwoorden"].startswith(
        "Cijfers op basis van alle antwoorden, goedgekeurd of niet"
    )
