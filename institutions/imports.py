"""Bulk import of answers from a CSV or Excel file: read, check every row, then save all or none.

Institutions report dozens of targets at once from their own spreadsheets, so the file is read
the way Dutch Excel writes it (semicolons, a BOM, date and number cells) and every problem is
reported by row and column in one go: fixing a file one error per upload is what makes people
give up. The rules of a valid answer live in ``validation``; this module only applies them.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from institutions import access, validation
from institutions.actions import AnswerValue, do_import_answers
from institutions.models import Answer, Institution
from roadmap.lib.spreadsheet import FORMULA_TRIGGERS
from rounds.queries import LockChecker
from themes.models import SectorTarget

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000

ANSWER_COLUMNS = ("institution", "target", "value", "applies_on", "explanation", "evidence_url")
OPTIONAL_ANSWER_COLUMNS = frozenset({"explanation", "evidence_url"})

# A data row's dict also carries its row number in the file under this key, so that errors point
# at the row a person sees even when blank rows were skipped.
ROW_NUMBER = "row"

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, size, header).

    ``row`` and ``column`` point at the place when there is one (a header problem, an
    undecodable byte), as in RowError; 0 and "" mean the whole file.
    """

    def __init__(self, message: str, *, row: int = 0, column: str = ""):
        super().__init__(message)
        self.row = row
        self.column = column


# The name callers use. It shadows the builtin only inside this module, which never needs that.
@dataclass(frozen=True)
class RowError:
    row: int  # as a person sees it in the file: header = 1, first data row = 2; 0 = whole file
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        if not self.column:
            return f"rij {self.row}: {self.message}"
        return f"rij {self.row}, kolom {self.column}: {self.message}"


@dataclass
class ImportResult:
    rows: list[tuple[Institution, SectorTarget, AnswerValue]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportOutcome:
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# Reading files ------------------------------------------------------------------------------


def read_table(
    content: bytes,
    filename: str,
    *,
    columns: Sequence[str],
    optional: Iterable[str] = (),
) -> list[dict[str, str]]:
    """The data rows of a CSV or .xlsx file as dicts of stripped text, keyed by ``columns``.

    Header names match case-insensitively; unknown columns are ignored (an export carries more
    than an import needs); missing optional columns read as "". Blank rows are skipped. Each
    dict also holds its row number under ``ROW_NUMBER``. Raises ImportFileError.
    """
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportFileError(
            f"Het bestand is groter dan {MAX_IMPORT_BYTES // (1024 * 1024)} MB; "
            "splits het in kleinere bestanden."
        )
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xlsx":
        records = _xlsx_records(content)
    elif extension in {"csv", "txt"}:
        records = _csv_records(content)
    elif extension in {"xls", "xlsm", "ods"}:
        raise ImportFileError(
            "Dit soort spreadsheet kunnen we niet lezen; sla het op als Excel-werkmap (.xlsx) "
            "of als CSV UTF-8."
        )
    else:
        raise ImportFileError("Lever een .csv- of .xlsx-bestand aan.")
    return _records_to_rows(records, columns=columns, optional=frozenset(optional))


def _records_to_rows(
    records: Iterable[list[str]], *, columns: Sequence[str], optional: frozenset[str]
) -> list[dict[str, str]]:
    records = iter(records)
    header = next(records, None)
    if header is None or not any(header):
        raise ImportFileError("Het bestand is leeg; de eerste rij moet de kolomnamen bevatten.")
    names = [name.strip().lower() for name in header]
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in columns:
            if name in positions:
                raise ImportFileError(
                    f"De kolom '{name}' staat twee keer in de kopregel.", row=1, column=name
                )
            positions[name] = position
    missing = [name for name in columns if name not in positions and name not in optional]
    if missing:
        raise ImportFileError(
            "Deze kolommen ontbreken in de kopregel: "
            + ", ".join(missing)
            + ". Verwacht: "
            + ", ".join(columns)
            + ".",
            row=1,
            column=", ".join(missing),
        )

    rows = []
    for row_number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise ImportFileError(
                f"Het bestand heeft meer dan {MAX_IMPORT_ROWS} rijen; "
                "splits het in kleinere bestanden."
            )
        row = {ROW_NUMBER: row_number}
        for name in columns:
            position = positions.get(name)
            cell = record[position] if position is not None and position < len(record) else ""
            # A NUL survives UTF-16 decoding; PostgreSQL refuses it in any query (a 500).
            if "\x00" in cell:
                raise ImportFileError(
                    _("Deze cel bevat een NUL-teken; sla het bestand opnieuw op als CSV UTF-8."),
                    row=row_number,
                    column=name,
                )
            row[name] = _undo_formula_neutralising(cell.strip())
        rows.append(row)
    return rows


def _undo_formula_neutralising(text: str) -> str:
    """Our own export prefixes "=..." with a quote against formula injection; a re-import of that
    file should store the text as it was, not with the quote."""
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def _csv_text(content: bytes) -> str:
    """The file's text in the encodings Excel writes: CSV UTF-8 (with a BOM), "Unicode-tekst"
    (UTF-16 with a BOM) and, on Windows, plain "CSV (gescheiden door lijstscheidingsteken)",
    which is Windows-1252. A file that is none of these is refused, not read as mojibake."""
    if content.startswith(UTF16_BOMS):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(
                "Het bestand begint als Unicode-tekst (UTF-16) maar is beschadigd. "
                "Sla het in Excel op als CSV UTF-8 of lever het aan als .xlsx."
            ) from None
    # A renamed .xlsx, an image or any other binary file holds NUL bytes; without this check it
    # would come out as a wall of mojibake errors.
    if b"\x00" in content:
        raise ImportFileError(
            "Dit is geen tekstbestand (CSV): het bevat binaire gegevens. "
            "Sla het in Excel op als CSV UTF-8 of lever het aan als .xlsx."
        )
    if content.startswith(UTF8_BOM):
        content = content[len(UTF8_BOM) :]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        row, column = _locate(content, error.start)
        raise ImportFileError(
            "Het bestand is geen UTF-8- of Windows-tekst (bijvoorbeeld é of ë komen er verkeerd "
            "uit). Kies in Excel 'Opslaan als' en sla op als CSV UTF-8 (door komma's gescheiden).",
            row=row,
            column=column,
        ) from None


def _locate(content: bytes, position: int) -> tuple[int, str]:
    """The row number and the header's column name of a byte in a CSV file, for a message
    that points at the cell a person has to fix (quoted separators aside)."""
    lines = content.split(b"\n")
    header = lines[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    delimiter = max(",;\t", key=header.count)
    names = [name.strip().lower() for name in header.split(delimiter)]
    row = content.count(b"\n", 0, position) + 1
    line_start = content.rfind(b"\n", 0, position) + 1
    index = content[line_start:position].count(delimiter.encode())
    return row, names[index] if row > 1 and index < len(names) else ""


def _csv_records(content: bytes) -> Iterable[list[str]]:
    text = _csv_text(content)
    header_line = text.split("\n", 1)[0]
    # Dutch Excel separates with semicolons because the comma is the decimal separator, and its
    # "Unicode-tekst" with tabs.
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:
        raise ImportFileError(
            f"Het CSV-bestand is niet goed leesbaar rond regel {reader.line_num}: {error}."
        ) from None


def _xlsx_records(content: bytes) -> Iterable[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises zip, XML and key errors alike for a damaged file
        raise ImportFileError(
            "Het bestand is geen geldige Excel-werkmap (.xlsx); open het in Excel en sla het "
            "opnieuw op, of lever een CSV UTF-8 aan."
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for cells in sheet.iter_rows():
            yield [_xlsx_cell_text(cell) for cell in cells]
    finally:
        workbook.close()  # read-only mode keeps the archive open until closed


def _xlsx_cell_text(cell) -> str:
    """A cell as the text a person would have typed in a CSV."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        # str() of a float via Decimal gives "2.5", not "2.5000000001" or "2.50".
        number = Decimal(str(value))
        # A cell formatted as a percentage holds 0.45 for the 45% the person sees.
        if "%" in (getattr(cell, "number_format", None) or ""):
            number *= 100
        if number == number.to_integral_value():
            return str(number.quantize(Decimal(1)))
        return f"{number.normalize():f}"
    return str(value)


def parse_answer_file(content: bytes, filename: str) -> list[dict]:
    """The answer rows of a CSV or .xlsx file; raises ImportFileError when it cannot be read."""
    return read_table(content, filename, columns=ANSWER_COLUMNS, optional=OPTIONAL_ANSWER_COLUMNS)


def parse_iso_date(text: str) -> datetime.date | None:
    """A JJJJ-MM-DD date, or None when empty; raises ValidationError otherwise.

    Only this one form: 03-04-2025 means March or April depending on who typed it.
    """
    if not text:
        return None
    if ISO_DATE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValidationError(f"'{text}' is geen datum in de vorm JJJJ-MM-DD, bv. 2025-03-31.")


# Checking rows ------------------------------------------------------------------------------


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def validate_answer_rows(
    rows: list[dict],
    *,
    user: AbstractBaseUser | AnonymousUser | None,
    for_institution: Institution | None = None,
    history_load: bool = False,
) -> ImportResult:
    """Check every row against the route and what ``user`` may edit; collect all errors.

    ``user`` None is an operator running the management command: every institution is allowed.
    ``for_institution``: an upload on one institution's status page accepts only its rows.
    ``history_load``: the operator's import may date answers back to EARLIEST_APPLIES_ON.
    Institutions and targets are looked up with one query each, whatever the number of rows.
    ``rows`` of the result is empty as soon as one row has an error: all or nothing is decided
    here, so no caller can save the good rows of a bad file.
    """
    result = ImportResult()
    if not rows:
        result.errors.append(
            RowError(0, "", "Het bestand bevat geen antwoorden, alleen een kopregel.")
        )
        return result

    institution_codes = {row["institution"].strip().upper() for row in rows}
    target_codes = {row["target"].strip().upper() for row in rows}
    institutions = {i.code: i for i in Institution.objects.filter(code__in=institution_codes)}
    if user is None:
        editable_ids = {i.pk for i in institutions.values()}
    else:
        editable_ids = set(
            access.editable_institutions(user)
            .filter(code__in=institution_codes)
            .values_list("pk", flat=True)
        )
    if for_institution is not None:
        editable_ids &= {for_institution.pk}
    targets = {t.code: t for t in SectorTarget.objects.filter(code__in=target_codes)}
    # Closed or approved reporting rounds lock a CIO's answers dated inside them; the operator's
    # own import (user None) loads history and is not held by them.
    locks = LockChecker(institutions.values()) if user is not None else None

    first_row_of: dict[tuple[int, int, datetime.date], int] = {}
    for index, row in enumerate(rows):
        row_number = row.get(ROW_NUMBER, index + 2)
        problems, checked = _check_answer_row(
            row,
            institutions=institutions,
            editable_ids=editable_ids,
            targets=targets,
            history_load=history_load,
            locks=locks,
        )
        # A duplicate is reported even when the row has other errors, so that one round of
        # fixes is enough.
        if checked.institution and checked.target and checked.applies_on:
            key = (checked.institution.pk, checked.target.pk, checked.applies_on)
            if key in first_row_of:
                problems["applies_on"] = (
                    f"{checked.institution.code} {checked.target.code} per "
                    f"{checked.applies_on.isoformat()} staat al in rij {first_row_of[key]}; "
                    "laat één van beide weg."
                )
            else:
                first_row_of[key] = row_number
        if problems:
            result.errors.extend(
                RowError(row_number, column, problems[column])
                for column in sorted(problems, key=ANSWER_COLUMNS.index)
            )
        else:
            result.rows.append(
                (
                    checked.institution,
                    checked.target,
                    AnswerValue(
                        value=checked.value,
                        applies_on=checked.applies_on,
                        explanation=checked.explanation,
                        evidence_url=checked.evidence_url,
                    ),
                )
            )
    if result.errors:
        result.rows = []
    return result


@dataclass
class _CheckedRow:
    """What a row resolves to; a field is None (or "") where the row is wrong there."""

    institution: Institution | None = None
    target: SectorTarget | None = None
    value: dict | None = None
    applies_on: datetime.date | None = None
    explanation: str = ""
    evidence_url: str = ""


def _check_answer_row(
    row: dict,
    *,
    institutions: dict[str, Institution],
    editable_ids: set[int],
    targets: dict[str, SectorTarget],
    history_load: bool,
    locks: LockChecker | None = None,
) -> tuple[dict[str, str], _CheckedRow]:
    """One row's problems by column, in file order, and what it resolves to."""
    problems: dict[str, str] = {}
    checked = _CheckedRow()

    institution_code = row["institution"].strip().upper()
    institution = institutions.get(institution_code)
    if not institution_code:
        problems["institution"] = "Vul de BRIN-code van de instelling in."
    elif institution is None:
        problems["institution"] = f"Onbekende instelling '{row['institution'].strip()}'."
    elif institution.pk not in editable_ids:
        problems["institution"] = f"U mag de antwoorden van {institution.code} niet wijzigen."
    else:
        checked.institution = institution

    target_code = row["target"].strip().upper()
    target = targets.get(target_code)
    if not target_code:
        problems["target"] = "Vul de code van het sectordoel in."
    elif target is None:
        problems["target"] = f"Onbekend sectordoel '{row['target'].strip()}'."
    elif not validation.is_answerable(target):
        problems["target"] = (
            f"{target.code} is een mijlpaal; die houdt de sectorstaf bij, niet de instelling."
        )
    else:
        checked.target = target
        try:
            checked.value = validation.clean_value(target, row["value"])
        except ValidationError as error:
            problems["value"] = _message(error)

    try:
        checked.applies_on = validation.clean_applies_on(
            parse_iso_date(row["applies_on"]), history_load=history_load
        )
    except ValidationError as error:
        problems["applies_on"] = _message(error)
    if checked.institution and checked.applies_on:
        try:
            validation.check_active(checked.institution, checked.applies_on)
        except ValidationError as error:
            problems["institution"] = _message(error)
            checked.institution = None
    if locks and checked.institution and checked.target and checked.applies_on:
        lock = locks.lock_for(checked.institution, checked.target, checked.applies_on)
        if lock is not None:
            problems["applies_on"] = lock.message

    checked.explanation = row.get("explanation", "").strip()
    limit = Answer._meta.get_field("explanation").max_length
    if len(checked.explanation) > limit:
        problems["explanation"] = (
            f"De toelichting is te lang ({len(checked.explanation)} tekens; hoogstens {limit})."
        )

    try:
        checked.evidence_url = validation.clean_evidence_url(row.get("evidence_url", ""))
    except ValidationError as error:
        problems["evidence_url"] = _message(error)

    return problems, checked


def import_answers(
    content: bytes,
    filename: str,
    *,
    user: AbstractBaseUser | None,
    for_institution: Institution | None = None,
    history_load: bool = False,
) -> ImportOutcome:
    """Read, check and save a file of answers: every row or, on any error, none.

    The check and the save share one transaction, so the rows are saved against the
    institutions, memberships and targets they were checked against.
    """
    try:
        rows = parse_answer_file(content, filename)
    except ImportFileError as problem:
        return ImportOutcome(errors=[RowError(problem.row, problem.column, str(problem))])
    with transaction.atomic():
        result = validate_answer_rows(
            rows, user=user, for_institution=for_institution, history_load=history_load
        )
        if result.errors:
            return ImportOutcome(errors=result.errors)
        saved = do_import_answers(rows=result.rows, user=user)
    return ImportOutcome(saved=len(saved))
