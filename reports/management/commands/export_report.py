"""`python manage.py export_report --format pdf --as-of 2026-10-31 --output rapport.pdf`: the same
report as on the web, written directly to a file."""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from institutions.models import Institution
from reports.actions import render_report
from reports.models import Report
from reports.tables import build_report_data
from themes.models import Theme


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"'{text}' is geen datum (JJJJ-MM-DD).") from None


class Command(BaseCommand):
    help = "Writes a progress report (pdf, xlsx or csv) as of a date to a file."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=Report.Format.values)
        parser.add_argument("--as-of", required=True)
        parser.add_argument("--compare-to")
        parser.add_argument("--theme", action="append", dest="themes", metavar="CODE")
        parser.add_argument("--institution", metavar="BRIN", help="the institution's own report")
        parser.add_argument(
            "--language", choices=[code for code, _ in settings.LANGUAGES], default="nl",
            help="the language of Excel's and the CSV's headers and labels (the PDF is Dutch)",
        )  # fmt: skip
        parser.add_argument("--output", required=True)

    def handle(self, *args, **options):
        as_of = _date(options["as_of"])
        compare_to = _date(options["compare_to"]) if options["compare_to"] else None
        if compare_to and compare_to >= as_of:
            raise CommandError("--compare-to moet voor --as-of liggen.")
        themes = options["themes"] or []
        unknown = sorted(
            set(themes) - set(Theme.objects.filter(code__in=themes).values_list("code", flat=True))
        )
        if unknown:
            raise CommandError(f"Onbekende thema's: {', '.join(unknown)}")
        institution = None
        if options["institution"]:
            institution = Institution.objects.filter(code=options["institution"]).first()
            if institution is None:
                raise CommandError(f"Onbekende instelling: {options['institution']}")
        data = build_report_data(
            as_of=as_of, compare_to=compare_to, theme_codes=themes, institution=institution
        )
        with translation.override(options["language"]):
            content = render_report(
                data, options["format"], generated_at=timezone.now(),
                generated_by="beheer (command)",
            )  # fmt: skip
        output = Path(options["output"])
        # Write beside the target and rename: a reader never sees a half-written file.
        partial = output.with_name(output.name + ".part")
        partial.write_bytes(content)
        partial.replace(output)
        self.stdout.write(f"{output} geschreven ({len(content) / 1024:.0f} kB).")
