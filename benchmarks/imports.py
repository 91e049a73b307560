"""Measures the answers import at a chosen size: `.venv/bin/python -m benchmarks.imports --rows
10000`.

Generates a CSV for fictional institutions (benchmarks/data.py, created for the run), runs the
real import (institutions.imports: parse, validate; institutions.actions.do_import_answers:
save in one transaction) and prints the time of each step and the peak memory. Everything it
created is rolled back afterwards. A benchmark, not a test: run it by hand.
"""

import argparse
import datetime
import time
import tracemalloc
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from benchmarks import data, runner
from benchmarks.runner import BenchmarkError, write
from institutions import imports
from institutions.actions import do_import_answers
from institutions.models import Answer, AnswerSlot
from institutions.queries import answerable_targets
from institutions.validation import earliest_applies_on, value_field

VALUES = {"status": "in_uitvoering", "score": "2,7", "percentage": "55"}


class Rollback(Exception):
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--memory", action="store_true", help="also trace peak memory (slower)")


def measure(options: argparse.Namespace) -> None:
    if data.generated_institutions().exists():
        raise BenchmarkError(
            "Benchmark data kept by an earlier run is in the way: "
            "python -m benchmarks.recompute --delete"
        )
    rows, memory = options.rows, options.memory
    targets = list(answerable_targets())
    institutions_needed = rows // (len(targets) * 12) + 1
    try:
        with transaction.atomic():
            institutions = data.create_institutions(
                [(datetime.date(2020, 1, 1), None)] * institutions_needed
            )
            lines = ["institution,target,value,applies_on,explanation,evidence_url"]
            # Monthly from the earliest date the import accepts (a fixed day fell out of
            # its window), never after today.
            day0, today = earliest_applies_on(), timezone.localdate()
            n = 0
            while len(lines) <= rows:
                institution = institutions[n % len(institutions)]
                target = targets[(n // len(institutions)) % len(targets)]
                month = n // (len(institutions) * len(targets))
                applies_on = min(day0 + datetime.timedelta(days=30 * month), today)
                value = VALUES[value_field(target)]
                lines.append(
                    f'{institution.code},{target.code},"{value}",{applies_on},benchmark,https://example.org/{n}'
                )
                n += 1
            content = ("\n".join(lines) + "\n").encode()
            tracemalloc.start() if memory else None
            started = time.perf_counter()
            parsed = imports.parse_answer_file(content, "benchmark.csv")
            parsed_at = time.perf_counter()
            result = imports.validate_answer_rows(parsed, user=None)
            validated_at = time.perf_counter()
            assert not result.errors, result.errors[:3]
            saved = do_import_answers(rows=result.rows, user=None)
            saved_at = time.perf_counter()
            peak = tracemalloc.get_traced_memory()[1] if memory else 0
            tracemalloc.stop() if memory else None
            write(
                f"{len(saved)} rows ({len(content) / 1e6:.1f} MB CSV, "
                f"{len(institutions)} institutions)\n"
                f"  parse     {parsed_at - started:6.2f} s\n"
                f"  validate  {validated_at - parsed_at:6.2f} s\n"
                f"  save      {saved_at - validated_at:6.2f} s\n"
                f"  total     {saved_at - started:6.2f} s"
                + (f", peak Python memory {peak / 1e6:.0f} MB" if memory else "")
            )
            raise Rollback
    except Rollback:
        pass
    assert not Answer.objects.filter(explanation="benchmark").exists()
    assert not AnswerSlot.objects.filter(institution__in=data.generated_institutions()).exists()
    assert not data.generated_institutions().exists()


def main(argv: Sequence[str] | None = None) -> None:
    runner.run(__doc__, add_arguments, measure, argv)


if __name__ == "__main__":
    main()
