"""Import a file of answers as an operator, e.g. a batch an institution sent by mail."""

from pathlib import Path
from typing import NoReturn

from django.core.management.base import BaseCommand, CommandError

from accounts import audit
from accounts.models import AuditEvent
from institutions import imports


def read_import_file(path: str) -> bytes:
    """At most one byte over the import limit: enough for the size check to refuse it, without
    loading a huge file into memory first."""
    try:
        with Path(path).open("rb") as file:
            return file.read(imports.MAX_IMPORT_BYTES + 1)
    except OSError as error:
        raise CommandError(f"Kan {path} niet lezen: {error.strerror or error}.") from None


def fail_with_errors(errors: list[imports.RowError]) -> NoReturn:
    lines = [f"Niets opgeslagen; {len(errors)} fout(en):", *(str(error) for error in errors)]
    raise CommandError("\n".join(lines))


class Command(BaseCommand):
    help = (
        "Imports answers from a CSV or .xlsx file (columns institution, target, value, "
        "applies_on, explanation, evidence_url). All rows or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="pad naar een .csv- of .xlsx-bestand")

    def handle(self, *args, **options):
        path = options["file"]
        # An operator imports on an institution's behalf: no per-institution permission applies,
        # and they may load history back to EARLIEST_APPLIES_ON (a CIO's upload may not).
        outcome = imports.import_answers(
            read_import_file(path), Path(path).name, user=None, history_load=True
        )
        audit.record(
            AuditEvent.Kind.IMPORT,
            detail="import_answers "
            + audit.import_detail(Path(path).name, outcome.saved, outcome.errors),
        )
        if outcome.errors:
            fail_with_errors(outcome.errors)
        self.stdout.write(f"{outcome.saved} antwoorden opgeslagen")
