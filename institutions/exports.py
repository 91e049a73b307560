"""An institution's own answers with their history, as CSV or Excel.

The file doubles as an import template: its institution, target, value, applies_on,
explanation and evidence_url columns read back through ``imports.import_answers`` unchanged.
"""

import csv
import datetime
import io
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from openpyxl import Workbook

from institutions.models import Answer, AnswerReview, Institution
from institutions.queries import LATEST_FIRST
from roadmap.lib.spreadsheet import excel_text, neutralise_formula
from themes.models import Theme

EXPORT_COLUMNS = (
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
)

SHEET_TITLE = "Antwoorden"
COLUMN_WIDTHS = (12, 24, 28, 14, 12, 50, 40, 20, 28, 10, 12)  # characters, per column


def _export_rows(institution: Institution) -> Iterator[list]:
    """One typed row per answer, newest first: str, Decimal, date and naive local datetime."""
    answers = (
        Answer.objects.filter(institution=institution)
        .select_related("target", "entered_by")
        .prefetch_related(
            Prefetch("target__themes", queryset=Theme.objects.order_by("order", "code")),
            Prefetch("reviews", queryset=AnswerReview.objects.order_by("-reviewed_at", "-id")),
        )
        .order_by(*LATEST_FIRST)
    )
    for answer in answers:
        reviews = answer.reviews.all()
        value = answer.value
        yield [
            institution.code,
            answer.target.code,
            ", ".join(theme.code for theme in answer.target.themes.all()),
            value.normalize() if isinstance(value, Decimal) else value,
            answer.applies_on,
            answer.explanation,
            answer.evidence_url,
            # Excel knows no time zones: show the Dutch clock time the person saw.
            timezone.localtime(answer.entered_at).replace(tzinfo=None),
            answer.entered_by.get_username() if answer.entered_by else "",
            answer.source,
            reviews[0].decision if reviews else "",
        ]


def _csv_cell(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise_formula(str(value))


def answers_csv(institution: Institution) -> bytes:
    """UTF-8 with a BOM (so Excel reads é and ë right), comma separated, CRLF rows (RFC 4180)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    for row in _export_rows(institution):
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_cell(value):
    if isinstance(value, str):
        return excel_text(value)
    return value


def answers_xlsx(institution: Institution) -> bytes:
    """One sheet "Antwoorden": real dates and numbers, a frozen header row and a filter.

    openpyxl gives date and datetime cells a yyyy-mm-dd number format by itself.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(EXPORT_COLUMNS)
    for row in _export_rows(institution):
        sheet.append([_xlsx_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for letter, width in zip("ABCDEFGHIJK", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
