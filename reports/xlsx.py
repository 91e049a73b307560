"""The report as an Excel workbook: a summary, a sheet per theme, the milestones, who did not
report, the response per round (sector reports), the institution's own answers (institution
reports) and the data sheet of the CSV.

Numbers are numbers and dates are dates, so that members can sort, filter and calculate; the
number formats only round what is shown. Every text cell goes through ``cell_text``: a cell that
starts with "=" would otherwise be stored as a formula, and a name such as "+cmd" or
"=HYPERLINK(...)" would run on the reader's machine.
"""

import datetime
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports import display
from reports.csv_report import DATA_COLUMNS, data_rows, plain_value
from reports.tables import ReportData
from roadmap.lib.spreadsheet import excel_text
from themes.layers import COUNTING_RULE, LayerStatusTable
from themes.models import SectorTarget

TITLE = "Voortgangsrapportage digitaliseringsroute mbo"
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
PERCENT_FORMAT = "0.0"  # coverage, whose header says "(%)": one decimal, as on the dashboards
INTEGER_FORMAT = "0"
EXCEL_MAX_TEXT = 32_767  # characters in one cell
SHEET_NAME_MAX = 31
# Excel refuses these in a sheet name; "History" is reserved by Excel itself.
INVALID_SHEET_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
DELIVERY_SHEET = "Oplevering mijlpalen"
LAYER_SHEET = "Per laag"
RATE_SHEET = "Respons per ronde"
FIXED_SHEETS = (
    "Samenvatting", LAYER_SHEET, "Mijlpalen", DELIVERY_SHEET, "Niet gemeld", RATE_SHEET,
    "Eigen antwoorden", "Data", "History",
)  # fmt: skip

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="bottom")


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # characters
    number_format: str | None = None  # for float cells; ints, dates and datetimes get their own
    wrap: bool = False


@dataclass(frozen=True)
class Figure:
    """A float cell to show in its target's unit (reports.display.excel_format)."""

    value: float
    number_format: str


def _theme_columns(compare_to: datetime.date | None) -> list[Column]:
    """The theme sheets' columns: the target's title first, then its code and figures. The
    comparison columns only when the report compares with an earlier date."""
    columns = [
        Column(_("Sectordoel"), 60, wrap=True),
        Column(_("Code"), 26),
        Column(_("Meting"), 24, wrap=True),
        Column(_("Streefwaarde"), 13),
        Column(_("Streefdatum"), 12),
        Column(_("Waarde"), 13),
        Column(_("Eenheid"), 11),
    ]
    if compare_to:
        on = compare_to.strftime("%d-%m-%Y")
        columns += [
            Column(_("Waarde op %(date)s") % {"date": on}, 13),
            Column(_("Verschil sinds %(date)s") % {"date": on}, 14),
        ]
    return [
        *columns,
        Column(_("Verwacht op peildatum"), 13),
        Column(_("Voortgang"), 20),
        Column(_("Verwacht gehaald op"), 14),
        Column(_("Dekking (%)"), 10, PERCENT_FORMAT),
        Column(_("Instellingen met antwoord"), 12),
        Column(_("Actieve instellingen"), 11),
        # Share targets: the institutions still needed on the as-of date against the goal in
        # force then, and the quarter the last of them adopts at this pace (indicators.needed).
        Column(str(display.NEEDED_HEADER), 12),
        Column(str(display.PACE_HEADER), 11),
        # Staff's override in force on the as-of date, beside the computed "Voortgang".
        Column(_("Bijgestelde voortgang"), 20),
        Column(_("Reden bijstelling"), 50, wrap=True),
    ]


SUMMARY_TOTAL = gettext_lazy("Totaal")
NOT_ANSWERED_COLUMNS = (
    Column(gettext_lazy("Instelling"), 40),
    Column(gettext_lazy("BRIN-code"), 11),
    Column(gettext_lazy("Laatste antwoord"), 16),
)
OWN_ANSWER_COLUMNS = (
    Column(gettext_lazy("Sectordoel"), 60, wrap=True),
    Column(gettext_lazy("Code"), 26),
    Column(gettext_lazy("Antwoord"), 16),
    Column(gettext_lazy("Geldt op"), 12),
)
DATA_WIDTHS = {"target": 26, "title": 50, "theme": 30, "status": 22, "institutions_needed": 12}
DATA_FORMATS = {"coverage": PERCENT_FORMAT}  # the figures get their target's unit format
NO_TARGETS = gettext_lazy("Dit thema heeft in deze versie van de route geen sectordoelen.")


def cell_text(value: str) -> str:
    """Text Excel can store and will not run: no XML control characters, no leading =+-@."""
    return excel_text(value, EXCEL_MAX_TEXT)


def _cell_value(value):
    if isinstance(value, Figure):
        value = value.value
    value = plain_value(value)
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Excel knows no time zones: the Dutch clock time.
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _number_format(value, column: Column, raw=None) -> str | None:
    if isinstance(raw, Figure) and isinstance(value, float):
        return raw.number_format
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


def write_table(
    sheet: Worksheet,
    columns: Sequence[Column],
    rows: Iterable[Sequence],
    *,
    first_row: int = 1,
) -> int:
    """A bold, frozen header row at ``first_row``, the rows below it, a filter over the whole
    table and the column widths. Returns the last row written."""
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=first_row, column=index, value=cell_text(str(column.header)))
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
            number_format = _number_format(value, column, raw)
            if number_format:
                cell.number_format = number_format
            if column.wrap:
                cell.alignment = WRAP
    sheet.freeze_panes = sheet.cell(row=first_row + 1, column=1).coordinate
    sheet.auto_filter.ref = f"A{first_row}:{get_column_letter(len(columns))}{row_number}"
    return row_number


def _summary_sheet(
    sheet: Worksheet, data: ReportData, generated_at: datetime.datetime, generated_by: str
) -> None:
    title = TITLE
    if data.institution:
        title += f": {data.institution.name} ({data.institution.code})"
    sheet["A1"] = cell_text(title)
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
        ("Laag", data.layer.name if data.layer else "alle lagen"),
        ("Gemaakt op", generated_at),
        ("Gemaakt door", generated_by),
        ("Antwoorden", ANSWERS_COUNTED),
        ("Routeversie", route_version_text(data)),
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
    write_table(sheet, columns, rows, first_row=len(facts) + 4)
    sheet.column_dimensions["B"].width = max(sheet.column_dimensions["B"].width, 20)


def _version_text(version) -> str:
    published = timezone.localtime(version.published_at).strftime("%d-%m-%Y")
    return f"routeversie {version.number} (gepubliceerd op {published})"


# A report counts every answer; only a round's assembly pack may count approved ones alone
# (reports.assembly), and it says so itself.
ANSWERS_COUNTED = (
    "Cijfers op basis van alle antwoorden, goedgekeurd of niet (het vergaderstuk van een ronde "
    "kan alleen goedgekeurde antwoorden tellen)"
)


def route_version_text(data: ReportData) -> str:
    """The version the figures were judged against, and the comparison date's if another
    (in Dutch, as the other facts of the summary sheet)."""
    if data.route_version is None:
        return "Berekend met de route zoals die nu is: er is nog geen versie gepubliceerd"
    text = "Berekend met " + _version_text(data.route_version)
    other = data.compare_route_version
    if other is not None and other != data.route_version:
        text += "; de vergelijkingsdatum met " + _version_text(other)
    return text


DELIVERY_LABELS = {
    "overdue": gettext_lazy("te laat"),
    "delayed": gettext_lazy("vertraagd"),
    "delivered": gettext_lazy("opgeleverd"),
}


def _delivery_table(data: ReportData) -> tuple[list[Column], list[list]]:
    """The overdue, delayed and delivered milestones on the as-of date (in that order) with
    the date and reason of their last status change."""
    columns = [
        Column(_("Oplevering"), 12),
        Column(_("Code"), 20),
        Column(_("Mijlpaal"), 60, wrap=True),
        Column(_("Thema"), 26),
        Column(_("Trekker"), 24, wrap=True),
        Column(_("Opleverdatum"), 12),
        Column(_("Status"), 12),
        Column(_("Laatste wijziging"), 12),
        Column(_("Reden"), 60, wrap=True),
    ]
    rows = [
        [
            str(DELIVERY_LABELS[row["group"]]),
            row["code"],
            row["title"],
            row["theme"],
            row["lead_partner"],
            row["due_date"],
            row["status_label"],
            None if display.is_blank(row["changed_on"]) else row["changed_on"],
            row["reason"],
        ]
        for row in data.delivery.to_dict("records")
    ]
    return columns, rows


RATE_COLUMNS = (
    Column(gettext_lazy("Ronde"), 30),
    Column(gettext_lazy("Sluitdatum"), 12),
    Column(gettext_lazy("Verwacht"), 10),
    Column(gettext_lazy("Compleet"), 10),
    Column(gettext_lazy("Op tijd"), 10),
    Column(gettext_lazy("Te laat"), 10),
    Column(gettext_lazy("Nooit"), 10),
    Column(gettext_lazy("Respons (%)"), 12),
)


def _rate_rows(data: ReportData) -> list[list]:
    """The rounds closed on or before the as-of date, newest first, with their response."""
    return [
        # An empty rate (no institution expected) is NaN here: the cell stays empty.
        [
            row.round,
            row.closes_on,
            row.expected,
            row.reported,
            row.on_time,
            row.late,
            row.never,
            row.rate,
        ]
        for row in data.rates.itertuples(index=False)
    ]


def _figure(value, number_format: str):
    """A cell in the target's unit; a milestone target's words ("behaald") as text."""
    return Figure(value, number_format) if isinstance(value, float) else value


def _override_label(code) -> str | None:
    return None if display.is_blank(code) else display.status_label(code)


def _theme_rows(data: ReportData, theme_code: str) -> list[list]:
    targets = data.targets[data.targets["theme"] == theme_code]
    rows = []
    for t in targets.itertuples(index=False):
        fmt = display.excel_format(t.measure, t.unit)

        def figure(value, fmt=fmt):
            return _figure(value, fmt)

        row = [
            t.title, t.target, SectorTarget.Measure(t.measure).label,
            figure(display.file_goal(t.measure, t.goal_value)), t.deadline,
            figure(display.file_value(t.measure, t.value)), display.unit_of(t.measure, t.unit),
        ]  # fmt: skip
        if data.compare_to:
            change = None if display.is_milestone(t.measure) else plain_value(t.change)
            row += [
                figure(display.file_value(t.measure, t.compare_value)),
                None if change is None
                else Figure(change, display.excel_change_format(t.measure, t.unit)),
            ]  # fmt: skip
        row += [
            figure(display.file_expected(t.measure, t.expected_value)),
            display.status_label(t.status), t.projected_on, t.coverage, t.answered, t.active,
            display.file_needed(t.institutions_needed), display.quarter_text(t.needed_expected_on),
            _override_label(t.override_status),
            None if display.is_blank(t.override_reason) else t.override_reason,
        ]  # fmt: skip
        rows.append(row)
    return rows


def _milestone_table(data: ReportData) -> tuple[list[Column], list[list]]:
    """The year's milestones with what the route says of them; a column that would be empty on
    every row (moment, date, owners) is left out."""
    frame = data.milestones
    columns = [
        ("theme", Column(_("Thema"), 26)),
        ("line", Column(_("Lijn"), 28, wrap=True)),
        ("title", Column(_("Mijlpaal"), 70, wrap=True)),
        ("year", Column(_("Jaar"), 8)),
        ("when", Column(_("Moment"), 16)),
        ("due_date", Column(_("Datum"), 12)),
        ("owners", Column(_("Bijdragers"), 30, wrap=True)),
        ("status_label", Column(_("Status"), 14)),
    ]
    optional = {"when", "due_date", "owners"}
    keep = [
        (key, column)
        for key, column in columns
        if key not in optional or frame[key].map(lambda v: not display.is_blank(v)).any()
    ]
    rows = [[row[key] for key, _ in keep] for row in frame.to_dict("records")]
    return [column for _, column in keep], rows


def _layer_table(sheet: Worksheet, title: str, table: LayerStatusTable, first_row: int) -> int:
    """A titled table of counts per layer and status, with its total row. Returns the last
    row written."""
    sheet.cell(row=first_row, column=1, value=cell_text(title)).font = BOLD
    columns = [Column(_("Laag"), 28)]
    columns += [Column(str(label), 13) for _value, label in table.statuses]
    columns.append(Column(str(SUMMARY_TOTAL), 10))
    rows = [[row.label, *row.counts, row.total] for row in table.rows]
    rows.append([str(SUMMARY_TOTAL), *table.totals, table.total])
    last = write_table(sheet, columns, rows, first_row=first_row + 1)
    for index in range(1, len(columns) + 1):
        sheet.cell(row=last, column=index).font = BOLD
    return last


def _layer_sheet(sheet: Worksheet, data: ReportData) -> None:
    """Targets per layer and progress status, then milestones per layer and status on the
    as-of date: the dashboard's "Per laag" tables, counted by the same rule."""
    last = _layer_table(sheet, _("Sectordoelen per laag en voortgang"), data.targets_by_layer, 1)
    last = _layer_table(
        sheet, _("Mijlpalen per laag en status"), data.milestones_by_layer, last + 2
    )
    sheet.cell(row=last + 2, column=1, value=cell_text(str(COUNTING_RULE)))
    # Two tables on one sheet: no frozen header or filter that would fit only one of them.
    sheet.freeze_panes = None
    sheet.auto_filter.ref = None


def write_note(sheet: Worksheet, text: str) -> None:
    """A sheet that says in one line why it has no table."""
    sheet["A1"] = cell_text(text)
    sheet.column_dimensions["A"].width = max(len(text) + 2, 40)


def _data_columns() -> list[Column]:
    return [
        Column(c.label, DATA_WIDTHS.get(c.key, 12), DATA_FORMATS.get(c.key), c.key == "title")
        for c in DATA_COLUMNS
    ]


def _data_figures(data: ReportData) -> Iterator[list]:
    """The CSV's rows, each figure shown in its row's unit."""
    figures = [c.key in ("value", "goal_value", "expected_value") for c in DATA_COLUMNS]
    formats = [
        display.excel_format(measure, unit)
        for measure, unit in zip(data.series["measure"], data.series["unit"], strict=True)
    ]
    for row, number_format in zip(data_rows(data), formats, strict=True):
        yield [
            Figure(value, number_format) if is_figure and isinstance(value, float) else value
            for value, is_figure in zip(row, figures, strict=True)
        ]


def write_xlsx(data: ReportData, *, generated_at: datetime.datetime, generated_by: str) -> bytes:
    """The workbook, sheets in this order: Samenvatting (with the route version), Per laag, one
    per theme,
    Mijlpalen, Oplevering mijlpalen (overdue, delayed, delivered, with reasons), Niet gemeld,
    Respons per ronde (sector reports only), Eigen antwoorden (institution reports only) and
    Data (the CSV's rows and columns)."""
    workbook = Workbook()
    taken = set(FIXED_SHEETS)

    summary = workbook.active
    summary.title = "Samenvatting"
    _summary_sheet(summary, data, generated_at, generated_by)
    _layer_sheet(workbook.create_sheet(LAYER_SHEET), data)

    theme_columns = _theme_columns(data.compare_to)
    for theme in data.themes:
        sheet = workbook.create_sheet(sheet_title(theme.name, taken))
        rows = _theme_rows(data, theme.code)
        if rows:
            write_table(sheet, theme_columns, rows)
        else:  # no header over nothing: the one line a reader needs
            write_note(sheet, str(NO_TARGETS))

    milestones = workbook.create_sheet("Mijlpalen")
    if len(data.milestones):
        write_table(milestones, *_milestone_table(data))
    else:
        write_note(
            milestones,
            _("De routekaart noemt geen mijlpalen voor %(year)s.") % {"year": data.as_of.year},
        )
    delivery = workbook.create_sheet(DELIVERY_SHEET)
    if len(data.delivery):
        write_table(delivery, *_delivery_table(data))
    else:
        write_note(
            delivery,
            _("Op %(date)s is geen mijlpaal te laat, vertraagd of opgeleverd.")
            % {"date": data.as_of.strftime("%d-%m-%Y")},
        )
    not_answered = workbook.create_sheet("Niet gemeld")
    if len(data.not_answered):
        write_table(
            not_answered,
            NOT_ANSWERED_COLUMNS,
            [
                [
                    row.institution,
                    row.code,
                    "nooit" if display.is_blank(row.last_answer) else row.last_answer,
                ]
                for row in data.not_answered.itertuples(index=False)
            ],
        )
    else:
        write_note(not_answered, "Alle actieve instellingen hebben recent geantwoord.")
    if data.rates is not None:  # sector reports only
        rates = workbook.create_sheet(RATE_SHEET)
        if len(data.rates):
            write_table(rates, RATE_COLUMNS, _rate_rows(data))
        else:
            write_note(
                rates,
                _("Op %(date)s is nog geen ronde gesloten.")
                % {"date": data.as_of.strftime("%d-%m-%Y")},
            )
    if data.own_answers is not None:
        write_table(
            workbook.create_sheet("Eigen antwoorden"),
            OWN_ANSWER_COLUMNS,
            [
                [
                    row.title,
                    row.target,
                    "geen antwoord" if display.is_blank(row.answer) else row.answer,
                    row.applies_on,
                ]
                for row in data.own_answers.itertuples(index=False)
            ],
        )

    write_table(workbook.create_sheet("Data"), _data_columns(), _data_figures(data))

    workbook.properties.title = cell_text(TITLE)
    workbook.properties.creator = cell_text(generated_by)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
