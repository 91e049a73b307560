"""Create or update institutions from a CSV file (e.g. the DUO list of mbo institutions).

Institutions are matched by BRIN code: a known code is updated, a new one created. Like the
answers import it checks every row first and then saves all rows or none.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import audit
from accounts.models import AuditEvent
from institutions.imports import (
    ROW_NUMBER,
    ImportFileError,
    RowError,
    parse_iso_date,
    read_table,
)
from institutions.management.commands.import_answers import fail_with_errors, read_import_file
from institutions.models import Institution

INSTITUTION_COLUMNS = ("code", "name", "kind", "region", "active_from", "active_to")
OPTIONAL_INSTITUTION_COLUMNS = frozenset({"region", "active_to"})
UPDATED_FIELDS = ("name", "kind", "region", "active_from", "active_to")


def check_institution_rows(
    rows: list[dict],
) -> tuple[list[tuple[Institution, bool]], list[RowError]]:
    """Each row as an unsaved Institution with whether it differs from the stored one (always
    true for a new code), and every error by row and column."""
    if not rows:
        return [], [RowError(0, "", "Het bestand bevat geen instellingen, alleen een kopregel.")]
    existing = {i.code: i for i in Institution.objects.filter(code__in={r["code"] for r in rows})}
    first_row_of: dict[str, int] = {}
    checked: list[tuple[Institution, bool]] = []
    errors: list[RowError] = []
    for row in rows:
        problems: dict[str, str] = {}
        code = row["code"]
        if code in first_row_of:
            problems["code"] = f"{code} staat al in rij {first_row_of[code]}."
            institution = Institution(code=code)
        else:
            first_row_of[code] = row[ROW_NUMBER]
            institution = existing.get(code) or Institution(code=code)
        before = {name: getattr(institution, name) for name in UPDATED_FIELDS}

        institution.name = row["name"]
        institution.kind = row["kind"].lower()
        institution.region = row["region"]
        for name in ("active_from", "active_to"):
            try:
                setattr(institution, name, parse_iso_date(row[name]))
            except ValidationError as error:
                problems[name] = " ".join(error.messages)
                setattr(institution, name, None)
        try:
            # Uniqueness is settled above (one row per code, matched to the stored one); the
            # period constraint is checked below with a message a person understands.
            institution.full_clean(
                exclude=list(problems), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                problems.setdefault(name, " ".join(messages))
        if (
            institution.active_from
            and institution.active_to
            and institution.active_to < institution.active_from
        ):
            problems.setdefault("active_to", "De einddatum ligt voor de begindatum (active_from).")

        if problems:
            errors.extend(
                RowError(row[ROW_NUMBER], name, problems[name])
                for name in sorted(problems, key=_column_position)
            )
        else:
            changed = institution.pk is None or before != {
                name: getattr(institution, name) for name in UPDATED_FIELDS
            }
            checked.append((institution, changed))
    return checked, errors


def _column_position(name: str) -> int:
    return (
        INSTITUTION_COLUMNS.index(name) if name in INSTITUTION_COLUMNS else len(INSTITUTION_COLUMNS)
    )


def _record_import(path: str, errors: list[RowError], saved: int = 0) -> None:
    detail = audit.import_detail(Path(path).name, saved, errors)
    audit.record(AuditEvent.Kind.IMPORT, detail=f"import_institutions {detail}")


class Command(BaseCommand):
    help = (
        "Creates or updates institutions from a CSV file with the columns code, name, kind, "
        "region, active_from, active_to. All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="pad naar een .csv-bestand")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            rows = read_table(
                read_import_file(path),
                Path(path).name,
                columns=INSTITUTION_COLUMNS,
                optional=OPTIONAL_INSTITUTION_COLUMNS,
            )
        except ImportFileError as problem:
            _record_import(path, [RowError(0, "", str(problem))])
            fail_with_errors([RowError(0, "", str(problem))])
        checked, errors = check_institution_rows(rows)
        if errors:
            _record_import(path, errors)
            fail_with_errors(errors)

        created = updated = 0
        with transaction.atomic():
            for institution, changed in checked:
                if institution.pk is None:
                    created += 1
                elif changed:
                    updated += 1
                else:
                    continue  # an unchanged save would only add a history record
                institution.save()
        unchanged = len(checked) - created - updated
        _record_import(path, [], saved=created + updated)
        self.stdout.write(
            f"{created} instellingen aangemaakt, {updated} bijgewerkt, {unchanged} ongewijzigd"
        )
