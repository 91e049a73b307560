"""Time and peak memory of a full-route report in each format, at a chosen scale.

    .venv/bin/python -m benchmarks.reports --institutions 60 --months 36
    .venv/bin/python -m benchmarks.reports --institutions 2000 --months 36   (PostgreSQL advised)

Generates fictional institutions with monthly answer histories (benchmarks/data.py), then runs
`manage.py export_report` for PDF, Excel and CSV each in its own process, so that the wall time
(including the process start) and the peak resident memory (including WeasyPrint's and pandas'
C allocations) are measured per format. The generated data is removed afterwards unless
--keep. A benchmark, not a test.

``warm_up_reports`` and ``time_reports`` time the same reports inside this process, as a warm
worker makes them (benchmarks/recompute.py prints them in its section (d)).
"""

import argparse
import datetime
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from benchmarks import data, runner
from benchmarks.runner import write
from indicators.models import Snapshot
from reports.actions import render_report
from reports.models import Report
from reports.tables import build_report_data

FORMATS = ["pdf", "xlsx", "csv"]
# Each format in its own process, which reports its own peak resident memory (kB on Linux).
CHILD = (
    "import os, resource, sys, django;"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'roadmap.settings');"
    "django.setup();"
    "from django.core.management import call_command;"
    "call_command('export_report', *sys.argv[1:]);"
    "print('MAXRSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
)


@dataclass
class ReportTiming:
    file_format: str
    as_of: datetime.date
    compare_to: datetime.date | None
    seconds: float
    size: int


def warm_up_reports() -> float:
    """A first PDF in a fresh process loads WeasyPrint, pango and the fonts (seconds, once per
    worker process): made here untimed-by-the-rest, as of the last stored month end. Returns
    the seconds it took."""
    started = time.perf_counter()
    day = Snapshot.objects.filter(is_month_end=True).aggregate(m=Max("as_of"))["m"] or data.today()
    tables = build_report_data(as_of=day)
    render_report(tables, Report.Format.PDF, generated_at=timezone.now(), generated_by="benchmark")
    return time.perf_counter() - started


def time_reports(
    *, as_of: datetime.date, compare_to: datetime.date | None, formats: Sequence[str] | None = None
) -> list[ReportTiming]:
    """Each format of the sector report, as a warm worker makes it (build the tables, write the
    file; reports.actions.generate_report without the storage), all themes. The first format
    pays for computing a date without snapshots; the others find it in the cache, as a second
    report of the same day would."""
    timings = []
    for file_format in formats or Report.Format.values:
        started = time.perf_counter()
        tables = build_report_data(as_of=as_of, compare_to=compare_to)
        content = render_report(
            tables, file_format, generated_at=timezone.now(), generated_by="benchmark"
        )
        timings.append(
            ReportTiming(
                file_format, as_of, compare_to, time.perf_counter() - started, len(content)
            )
        )
    return timings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--institutions", type=int, default=60)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--keep", action="store_true", help="keep the generated data")


def measure(options: argparse.Namespace) -> None:
    today = timezone.localdate()
    generated = data.generate_data(
        institutions=options.institutions, months=options.months, today=today
    )
    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    write(
        f"Generated {generated.institutions} institutions, {generated.answers} answers "
        f"in {generated.seconds:.1f} s ({database})."
    )
    try:
        write(f"{'format':<6} {'seconds':>8} {'peak RSS MB':>12} {'size kB':>9}")
        with tempfile.TemporaryDirectory() as folder:
            for file_format in FORMATS:
                output = Path(folder) / f"report.{file_format}"
                started = time.perf_counter()
                result = subprocess.run(  # noqa: S603 (our interpreter and code)
                    [
                        sys.executable, "-c", CHILD, "--format", file_format,
                        "--as-of", today.isoformat(), "--output", str(output),
                    ],
                    cwd=settings.BASE_DIR, check=True, capture_output=True, text=True,
                )  # fmt: skip
                seconds = time.perf_counter() - started
                peak_kb = int(result.stdout.rsplit("MAXRSS", 1)[1])
                size_kb = output.stat().st_size / 1024
                write(f"{file_format:<6} {seconds:8.2f} {peak_kb / 1024:12.0f} {size_kb:9.0f}")
    finally:
        if not options.keep:
            data.delete_generated()


def main(argv: Sequence[str] | None = None) -> None:
    runner.run(__doc__, add_arguments, measure, argv)


if __name__ == "__main__":
    main()
