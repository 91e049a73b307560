"""Time and peak memory of a full-route report in each format, at a chosen scale.

    python manage.py benchmark_reports --institutions 60 --months 36
    python manage.py benchmark_reports --institutions 2000 --months 36   (PostgreSQL advised)

Generates fictional institutions with monthly answer histories (indicators.benchmark), then
runs `export_report` for PDF, Excel and CSV each in its own process, so that the wall time
(including the process start) and the peak resident memory (including WeasyPrint's and pandas'
C allocations) are measured per format. The generated data is removed afterwards unless
--keep. A benchmark, not a test.
"""

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from indicators import benchmark

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


class Command(BaseCommand):
    help = "Measures time and peak memory of the progress report in each format."

    def add_arguments(self, parser):
        parser.add_argument("--institutions", type=int, default=60)
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument("--keep", action="store_true", help="keep the generated data")

    def handle(self, *args, institutions: int, months: int, keep: bool, **options):
        today = timezone.localdate()
        generated = benchmark.generate_data(institutions=institutions, months=months, today=today)
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(
            f"Generated {generated.institutions} institutions, {generated.answers} answers "
            f"in {generated.seconds:.1f} s ({database})."
        )
        try:
            self.stdout.write(f"{'format':<6} {'seconds':>8} {'peak RSS MB':>12} {'size kB':>9}")
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
                    self.stdout.write(
                        f"{file_format:<6} {seconds:8.2f} {peak_kb / 1024:12.0f} {size_kb:9.0f}"
                    )
        finally:
            if not keep:
                benchmark.delete_generated()
