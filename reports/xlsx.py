"""The report as an Excel workbook: a summary, a sheet per theme, the milestones, who did not
report, the institution's own answers (institution reports) and the data sheet of the CSV.

Numbers are numbers and dates are dates, so that members can sort, filter and calculate; the
number formats only round what is shown. Every text cell goes through ``_text``: a cell that
starts with "=" would otherwise be stored as a formula, and a name such as "+cmd" or
"=HYPERLINK(...)" would run on the reader's machine.
"""

import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from institutions.exports import neutralise_formula
from reports.csv_report import DATA_COLUMNS, data_rows, plain_value
from reports.tables import ReportData
from themes.models import SectorTarget

TITLE = "Voortgangsrapportage digitaliseringsroute mbo"
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
PERCENT_FORMAT = "0.0"  # coverage and figures in %: one decimal, as on the dashboards
SCORE_FORMAT = "0.00"  # mean scores (e.g. NBA-niveau 2.25)
INTEGER_FORMAT = "0"
EXCEL_MAX_TEXT = 32_767  # characters in one cell
SHEET_NAME_MAX = 31
# Excel refuses these in a sheet name; "History" is reserved by Excel itself.
INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
FIXED_SHEETS = ("Samenvatting", "Mijlpalen", "Niet gemeld", "Eigen antwoorden", "Data", "History")

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="bottom")


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # characters
    number_format: str | None = None  # for float cells; ints, dates and datetimes get their own
    wrap: bool = False


THEME_COLUMNS = (
    Column("code", 26),
    Column("sector doel", 60, wrap=True),
    Column("meting", 24, wrap=True),
    Column("streefwaarde", 12, PERCENT_FORMAT),
    Column("eenheid", 11),
    Column("deadline", 12),
    Column("waarde", 10, PERCENT_FORMAT),
    Column("vergelijking", 12, PERCENT_FORMAT),
    Column("verschil", 10, PERCENT_FORMAT),
    Column("dekking", 10, PERCENT_FORMAT),
    Column("antwoorden", 11),
    Column("actief", 8),
    Column("voortgang", 20),
    Column("verwacht", 10, PERCENT_FORMAT),
    Column("verwacht gehaald", 14),
)
# Figures in the target's own unit: a score gets two decimals, a percentage one.
THEME_FIGURE_COLUMNS = ("streefwaarde", "waarde", "vergelijking", "verschil", "verwacht")

SUMMARY_TOTAL = "totaal"
MILESTONE_COLUMNS = (
    Column("thema", 26),
    Column("lijn", 28, wrap=True),
    Column("mijlpaal", 70, wrap=True),
    Column("moment", 16),
    Column("datum", 12),
    Column("status", 14),
)
NOT_ANSWERED_COLUMNS = (
    Column("instelling", 40),
    Column("BRIN-code", 11),
    Column("laatste antwoord", 16),
)
OWN_ANSWER_COLUMNS = (
    Column("code", 26),
    Column("sector doel", 60, wrap=True),
    Column("antwoord", 16),
    Column("geldt op", 12),
)
DATA_WIDTHS = {"target": 26, "theme": 30, "status": 22}
DATA_FORMATS = {"coverage": PERCENT_FORMAT}  # other floats in the unit of their target


def _text(value: str) -> str:
    """Text Excel can store and will not run: no XML control characters, no leading =+-@."""
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_MAX_TEXT])


def _cell_value(value):
    value = plain_value(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel knows no time zones: the Dutch clock time.
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _number_format(value, column: Column) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, datetime.datetime):
        return DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return DATE_FORMAT
    if isinstance(value, int):
        return INTEGER_FORMAT
    if isinstance(value, float):
        return column.number_format
    return None


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: at most 31 characters, none of []:*?/\\, not starting or
    ending with a quote. Adds it to ``taken`` (compared case-insensitively, as Excel does)."""
    base = INVALID_SHEET_CHARACTERS.sub("", ILLEGAL_CHARACTERS_RE.sub("", name))
    base = base.strip().strip("'").strip()[:SHEET_NAME_MAX].rstrip() or "Thema"
    folded = {t.casefold() for t in taken}
    title, number = base, 2
    while title.casefold() in folded:
        suffix = f" ({number})"
        title = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
        number += 1
    taken.add(title)
    return title


def _write_table(
    sheet: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    first_row: int = 1,
) -> int:
    """A bold, frozen header row at ``first_row``, the rows below it, a filter over the whole
    table and the column widths. Returns the last row written."""
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=first_row, column=index, value=_text(column.header))
        cell.font = BOLD
        cell.alignment = HEADER_ALIGNMENT
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(
            column.width, sheet.column_dimensions[letter].width or 0
        )
    row_number = first_row
    for row_number, row in enumerate(rows, start=first_row + 1):
        for index, (column, raw) in enumerate(zip(columns, row, strict=True), start=1):
            value = _cell_value(raw)
            cell = sheet.cell(row=row_number, column=index, value=value)
            number_format = _number_format(value, column)
            if number_format:
                cell.number_format = number_format
            if column.wrap:
                cell.alignment = WRAP
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1).coordinate
    sheet.auto_filter.ref = f"A{first_row}:{get_column_letter(len(columns))}{row_number}"
    return row_number


def _set_unit_formats(sheet: Worksheet, columns: Sequence[Column], units: list[str]) -> None:
    """Score targets show two decimals in their figure columns; percentages keep one."""
    figure_columns = [i for i, c in enumerate(columns, start=1) if c.header in THEME_FIGURE_COLUMNS]
    for row_number, unit in enumerate(units, start=2):
        if unit == "%":
            continue
        for index in figure_columns:
            cell = sheet.cell(row=row_number, column=index)
            if isinstance(cell.value, float):
                cell.number_format = SCORE_FORMAT


def _summary_sheet(
    sheet: Worksheet, data: ReportData, generated_at: datetime.datetime, generated_by: str
) -> None:
    title = TITLE
    if data.institution:
        title += f": {data.institution.name} ({data.institution.code})"
    sheet["A1"] = _text(title)
    sheet["A1"].font = Font(bold=True, size=14)
    facts = [
        ("Peildatum", data.as_of),
        ("Vergelijkingsdatum", data.compare_to),
        (
            "Instelling",
            f"{data.institution.name} ({data.institution.code})"
            if data.institution
            else "alle instellingen (sector)",
        ),
        ("Thema's", ", ".join(theme.name for theme in data.themes)),
        ("Gemaakt op", generated_at),
        ("Gemaakt door", generated_by),
        (
            "Toelichting",
            "Cijfers zoals de indicatoren ze berekenen uit de antwoorden tot en met de "
            "peildatum. Niet gemeld: actieve instellingen zonder antwoord in de "
            f"{data.stale_days} dagen voor de peildatum.",
        ),
    ]
    for row_number, (label, raw) in enumerate(facts, start=3):
        sheet.cell(row=row_number, column=1, value=label).font = BOLD
        value = _cell_value(raw)
        cell = sheet.cell(row=row_number, column=2, value=value)
        number_format = _number_format(value, Column("", 0))
        if number_format:
            cell.number_format = number_format
            cell.alignment = Alignment(horizontal="left")
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    summary = data.summary
    headers = [str(c) for c in summary.columns]
    columns = [Column(headers[0], 34)] + [Column(h, 13) for h in headers[1:]]
    columns.append(Column(SUMMARY_TOTAL, 10))
    rows = [[*row, sum(row[1:])] for row in summary.itertuples(index=False, name=None)]
    _write_table(sheet, columns, rows, first_row=len(facts) + 4)
    sheet.column_dimensions["B"].width = max(sheet.column_dimensions["B"].width, 20)


def _theme_rows(data: ReportData, theme_code: str) -> tuple[list[list], list[str]]:
    targets = data.targets[data.targets["theme"] == theme_code]
    rows, units = [], []
    for t in targets.itertuples(index=False):
        rows.append(
            [
                t.target, t.title, SectorTarget.Measure(t.measure).label, t.goal_value, t.unit,
                t.deadline, t.value, t.compare_value, t.change, t.coverage, t.answered,
                t.active, t.status_label, t.expected_value, t.projected_on,
            ]
        )  # fmt: skip
        units.append(t.unit)
    return rows, units


def write_xlsx(data: ReportData, *, generated_at: datetime.datetime, generated_by: str) -> bytes:
    """The workbook, sheets in this order: Samenvatting, one per theme, Mijlpalen, Niet gemeld,
    Eigen antwoorden (institution reports only) and Data (the CSV's rows and columns)."""
    workbook = Workbook()
    taken = set(FIXED_SHEETS)

    summary = workbook.active
    summary.title = "Samenvatting"
    _summary_sheet(summary, data, generated_at, generated_by)

    for theme in data.themes:
        sheet = workbook.create_sheet(sheet_title(theme.name, taken))
        rows, units = _theme_rows(data, theme.code)
        _write_table(sheet, THEME_COLUMNS, rows)
        _set_unit_formats(sheet, THEME_COLUMNS, units)

    milestones = data.milestones
    _write_table(
        workbook.create_sheet("Mijlpalen"),
        MILESTONE_COLUMNS,
        milestones.loc[:, ["theme", "line", "title", "when", "due_date", "status_label"]]
        .itertuples(index=False, name=None),
    )  # fmt: skip
    _write_table(
        workbook.create_sheet("Niet gemeld"),
        NOT_ANSWERED_COLUMNS,
        data.not_answered.loc[:, ["institution", "code", "last_answer"]]
        .itertuples(index=False, name=None),
    )  # fmt: skip
    if data.own_answers is not None:
        _write_table(
            workbook.create_sheet("Eigen antwoorden"),
            OWN_ANSWER_COLUMNS,
            data.own_answers.loc[:, ["target", "title", "answer", "applies_on"]]
            .itertuples(index=False, name=None),
        )  # fmt: skip

    data_columns = [
        Column(name, DATA_WIDTHS.get(name, 12), DATA_FORMATS.get(name, SCORE_FORMAT))
        for name in DATA_COLUMNS
    ]
    _write_table(workbook.create_sheet("Data"), data_columns, data_rows(data))

    workbook.properties.title = _text(TITLE)
    workbook.properties.creator = _text(generated_by)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
