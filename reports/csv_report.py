"""The report's data sheet as CSV: one row per target and date, the indicators' own numbers.

RFC 4180 (comma separated, CRLF rows, quotes only where needed), UTF-8 with a BOM so that
Excel reads é and ë right, a decimal point, and floats written as Python's repr: the shortest
text that reads back as exactly the same float, so the file holds the indicators' numbers
unrounded. An unknown figure (None, or NaN in the DataFrame) is an empty cell.

The headers, the status labels and the words of a milestone target ("behaald") are in the
report's language (Dutch unless it was asked for in English); README "Progress reports" lists
the columns in both languages. Every figure is in the unit of its row's "Eenheid" column; the
institutions still needed and the quarter at this pace are for share targets only; the
route version column names the version whose goals the row was judged against; the last two
give staff's override of the progress status in force on the report's date (its row only).
"""

import csv
import datetime
import enum
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reports import display
from reports.tables import ReportData
from roadmap.lib.spreadsheet import neutralise_formula


@dataclass(frozen=True)
class DataColumn:
    key: str
    header: Promise  # translated when the file is written

    @property
    def label(self) -> str:
        return str(self.header)


# The data sheet's columns, in order (the Excel "Data" sheet has the same).
DATA_COLUMNS = (
    DataColumn("target", _("Code")),
    DataColumn("title", _("Sectordoel")),
    DataColumn("theme", _("Thema")),
    DataColumn("date", _("Peildatum")),
    DataColumn("value", _("Waarde")),
    DataColumn("unit", _("Eenheid")),
    DataColumn("goal_value", _("Streefwaarde")),
    DataColumn("deadline", _("Streefdatum")),
    DataColumn("expected_value", _("Verwacht op peildatum")),
    DataColumn("status", _("Voortgang")),
    DataColumn("coverage", _("Dekking (%)")),
    DataColumn("answered", _("Instellingen met antwoord")),
    DataColumn("active", _("Actieve instellingen")),
    # Share targets: the institutions still needed on the row's date against the goal in force
    # then, and the quarter the last of them adopts at the pace since the starting point
    # (indicators.needed); empty for other targets and where the counts are withheld.
    DataColumn("institutions_needed", display.NEEDED_HEADER),
    DataColumn("needed_quarter", display.PACE_HEADER),
    # The route version whose goal and deadline the row was judged against (empty: none
    # published yet), so that a row names its version as the Excel and PDF reports do.
    DataColumn("route_version", _("Routeversie")),
    # Staff's override in force on the report's as-of date (on that date's row only), beside
    # the computed "Voortgang", which stays as it is.
    DataColumn("override_status", _("Bijgestelde voortgang")),
    DataColumn("override_reason", _("Reden bijstelling")),
)


def data_headers() -> list[str]:
    """The data sheet's header row in the active language."""
    return [column.label for column in DATA_COLUMNS]


def plain_value(value):
    """A DataFrame cell as None, int, float, date or str (no NaN, numpy types or enums)."""
    if value is None or value is pd.NaT:  # NaT passes for a datetime
        return None
    if isinstance(value, enum.Enum):  # a stored code; the writers show labels instead
        value = value.value
    if isinstance(value, float):
        return None if math.isnan(value) else float(value)  # also numpy.float64
    if isinstance(value, datetime.date | int | str):  # also datetime and bool
        return value
    if pd.isna(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return plain_value(value.item())
    return str(value)  # e.g. a lazy translation


def data_rows(data: ReportData) -> Iterator[list]:
    """The data sheet's typed rows, in DATA_COLUMNS order (targets in route order, dates
    ascending). The Excel report writes the same rows to its "Data" sheet."""
    for row in data.series.itertuples(index=False):
        cells = {
            "target": row.target,
            "title": row.title,
            "theme": row.theme_name,
            "date": row.date,
            "value": display.file_value(row.measure, row.value),
            "unit": display.unit_of(row.measure, row.unit),
            "goal_value": display.file_goal(row.measure, row.goal_value),
            "deadline": row.deadline,
            "expected_value": display.file_expected(row.measure, row.expected_value),
            "status": display.status_label(row.status),
            "coverage": row.coverage,
            "answered": row.answered,
            "active": row.active,
            "institutions_needed": display.file_needed(row.institutions_needed),
            "needed_quarter": display.quarter_text(row.needed_expected_on),
            "route_version": row.route_version,
            "override_status": None
            if display.is_blank(row.override_status)
            else display.status_label(row.override_status),
            "override_reason": row.override_reason,
        }
        yield [plain_value(cells[column.key]) for column in DATA_COLUMNS]


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return repr(value)  # round-trips exactly; never a thousands separator or comma
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date):  # dates only in this sheet, no datetimes
        return value.isoformat()
    return neutralise_formula(str(value))


def write_csv(data: ReportData) -> bytes:
    """The data sheet: one row per target per date, headers of DATA_COLUMNS, in the active
    language."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(data_headers())
    for row in data_rows(data):
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
