"""Measures the answers import at a chosen size: `python manage.py benchmark_import --rows 10000`.

Generates a CSV for fictional institutions (created for the run), runs the real import (parse,
validate, save in one transaction) and prints the time of each step and the peak memory.
Everything it created is removed again afterwards. A benchmark, not a test: run it by hand.
"""

import datetime
import time
import tracemalloc

from django.core.management.base import BaseCommand
from django.db import transaction

from institutions import imports
from institutions.models import Answer, AnswerSlot, Institution
from institutions.queries import answerable_targets
from institutions.validation import value_field

VALUES = {"status": "in_uitvoering", "score": "2,7", "percentage": "55"}


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Times an import of N answer rows (parse, validate, save) and removes the data again."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--memory", action="store_true", help="also trace peak memory (slower)")

    def handle(self, *args, rows: int, **options):
        targets = list(answerable_targets())
        institutions_needed = rows // (len(targets) * 12) + 1
        try:
            with transaction.atomic():
                institutions = Institution.objects.bulk_create(
                    [
                        Institution(
                            code=f"{n % 100:02d}X{chr(65 + n // 100)}",
                            name=f"Benchmark {n}",
                            kind="roc",
                            active_from=datetime.date(2020, 1, 1),
                        )
                        for n in range(institutions_needed)
                    ]
                )
                lines = ["institution,target,value,applies_on,explanation,evidence_url"]
                day0 = datetime.date(2025, 1, 1)
                n = 0
                while len(lines) <= rows:
                    institution = institutions[n % len(institutions)]
                    target = targets[(n // len(institutions)) % len(targets)]
                    month = n // (len(institutions) * len(targets))
                    applies_on = day0 + datetime.timedelta(days=30 * month)
                    value = VALUES[value_field(target)]
                    lines.append(
                        f'{institution.code},{target.code},"{value}",{applies_on},benchmark,https://example.org/{n}'
                    )
                    n += 1
                content = ("\n".join(lines) + "\n").encode()
                tracemalloc.start() if options["memory"] else None
                started = time.perf_counter()
                parsed = imports.parse_answer_file(content, "benchmark.csv")
                parsed_at = time.perf_counter()
                result = imports.validate_answer_rows(parsed, user=None)
                validated_at = time.perf_counter()
                assert not result.errors, result.errors[:3]
                from institutions.actions import do_import_answers

                saved = do_import_answers(rows=result.rows, user=None)
                saved_at = time.perf_counter()
                peak = tracemalloc.get_traced_memory()[1] if options["memory"] else 0
                tracemalloc.stop() if options["memory"] else None
                self.stdout.write(
                    f"{len(saved)} rows ({len(content) / 1e6:.1f} MB CSV, "
                    f"{len(institutions)} institutions)\n"
                    f"  parse     {parsed_at - started:6.2f} s\n"
                    f"  validate  {validated_at - parsed_at:6.2f} s\n"
                    f"  save      {saved_at - validated_at:6.2f} s\n"
                    f"  total     {saved_at - started:6.2f} s"
                    + (f", peak Python memory {peak / 1e6:.0f} MB" if options["memory"] else "")
                )
                raise Rollback
        except Rollback:
            pass
        assert not Answer.objects.filter(explanation="benchmark").exists()
        assert not AnswerSlot.objects.filter(institution__name__startswith="Benchmark ").exists()
