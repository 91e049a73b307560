"""The report's data sheet as CSV: one row per target and date, the indicators' own numbers.

RFC 4180 (comma separated, CRLF rows, quotes only where needed), UTF-8 with a BOM so that
Excel reads é and ë right, a decimal point, and floats written as Python's repr: the shortest
text that reads back as exactly the same float, so the file holds the indicators' numbers
unrounded. An unknown figure (None, or NaN in the DataFrame) is an empty cell.
"""

import csv
import datetime
import enum
import io
import math
from collections.abc import Iterator

import pandas as pd

from institutions.exports import neutralise_formula
from reports.tables import ReportData

# The first eight are the data sheet's contract; the last three add the figure's context.
DATA_COLUMNS = (
    "target",
    "theme",
    "date",
    "value",
    "coverage",
    "goal_value",
    "deadline",
    "status",
    "expected_value",
    "answered",
    "active",
)


def plain_value(value):
    """A DataFrame cell as None, int, float, date or str (no NaN, numpy types or enums)."""
    if value is None or value is pd.NaT:  # NaT passes for a datetime
        return None
    if isinstance(value, enum.Enum):  # ProgressStatus: the stored code, e.g. "op_koers"
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
    frame = data.series.loc[:, list(DATA_COLUMNS)]
    for row in frame.itertuples(index=False, name=None):
        yield [plain_value(value) for value in row]


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
    """The data sheet: one row per target per date, header DATA_COLUMNS."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(DATA_COLUMNS)
    for row in data_rows(data):
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
