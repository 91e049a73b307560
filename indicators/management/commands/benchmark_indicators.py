"""Measures the sector figures at a chosen scale, in one run.

    python manage.py benchmark_indicators --institutions 2000 --months 36 [--targets 25]
        [--reuse] [--keep] [--repeat 3] [--no-floor] [--no-reports] [--no-pages] [--explain]

Generates fictional institutions and answers into the current database (or, with --reuse,
uses those an earlier --keep left when their number matches), then measures: (a) the full
recompute, with the worker's peak memory and what PostgreSQL spilled to temporary files;
(b) the same figures from one hand-written query (the floor, see design/performance.md) and
whether they agree; (c) the incremental recompute after one save dated today and after one
backdated by a year; (d) each report format; (e) the open API's ?as_of= for a stored month end
and for a day without snapshots; (f) the dashboard pages. Without --keep (or --reuse) it removes
what it generated and puts the snapshots back as they were. The work is in
indicators/benchmark.py; results of runs are in benchmarks/results-scale.md.
"""

import datetime
import os
import statistics

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from indicators import benchmark
from indicators.series import month_end, series_dates, series_start
from institutions.models import Answer

BACKDATED_DAYS = 300  # within ANSWER_MAX_BACKDATE_DAYS: what a CIO may still correct


class Command(BaseCommand):
    help = "Benchmarks the sector figures at a chosen scale against one hand-written query."

    def add_arguments(self, parser):
        parser.add_argument("--institutions", type=int, default=60)
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument(
            "--targets", type=int, default=None, help="answerable targets to answer (default all)"
        )
        parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (median)")
        parser.add_argument(
            "--api-repeat", type=int, default=50, help="requests per ?as_of= date (p95)"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--keep", action="store_true", help="keep the generated data")
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="use the data kept by an earlier --keep when it has this many institutions "
            "(and keep it)",
        )
        parser.add_argument("--no-floor", action="store_true", help="skip the floor query")
        parser.add_argument("--no-reports", action="store_true", help="skip the reports")
        parser.add_argument("--no-pages", action="store_true", help="skip the dashboard pages")
        parser.add_argument("--explain", action="store_true", help="print the query plans")
        parser.add_argument(
            "--jit-off",
            action="store_true",
            help="PostgreSQL: SET jit = off for this session (recompute and floor alike)",
        )
        parser.add_argument(
            "--delete", action="store_true", help="only delete data kept by an earlier --keep"
        )
        parser.add_argument(
            "--force", action="store_true", help="run even with DEBUG off (a production database)"
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("This writes a lot of fictional data; with DEBUG off, add --force.")
        if options["delete"]:
            self.stdout.write(f"Deleted {benchmark.delete_generated()} benchmark institutions.")
            return
        if options["institutions"] < 1 or options["months"] < 1 or options["repeat"] < 1:
            raise CommandError("--institutions, --months and --repeat must be at least 1.")
        if options["targets"] is not None and options["targets"] < 1:
            raise CommandError("--targets must be at least 1.")
        keep = options["keep"] or options["reuse"]
        today = benchmark.today()
        state = None if keep else benchmark.save_state()
        self.added_answers: list[int] = []
        try:
            self._run(today, options)
        finally:
            Answer.objects.filter(pk__in=self.added_answers).delete()
            if not keep:
                deleted = benchmark.delete_generated()
                benchmark.restore_state(state)
                self.stdout.write(f"\nRemoved {deleted} benchmark institutions and their answers;")
                self.stdout.write("snapshots and the recompute log are as they were.")

    def _line(self, label, median, best=None, unit="s"):
        best_text = f"{best:9.3f}" if best is not None else " " * 9
        self.stdout.write(f"{label:<56} {median:9.3f} {best_text} {unit}")

    def _run(self, today, options):
        repeat = options["repeat"]
        postgresql = connection.vendor == "postgresql"
        if options["jit_off"] and postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")
        jit = " (jit off)" if options["jit_off"] and postgresql else ""
        name = connection.settings_dict["NAME"]
        load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
        self.stdout.write(
            f"Database: {connection.vendor} ({name}){jit}, today {today}; "
            f"{os.cpu_count()} cores, load average {load} (other work on the machine)"
        )
        self._data(today, options)

        # (a) and (b), alternated so that neither gets the warmer cache.
        recomputes, floors, spilled, floor_spilled = [], [], [], []
        floor = None
        for _ in range(repeat):
            before = benchmark.temp_file_bytes()
            recomputes.append(benchmark.time_recompute(today=today))
            after = benchmark.temp_file_bytes()
            if postgresql:
                spilled.append(after - before)
            peak = benchmark.peak_memory_mb()
            if not options["no_floor"]:
                floor, seconds = benchmark.floor_figures(today=today)
                floors.append(seconds)
                if postgresql:
                    floor_spilled.append(benchmark.temp_file_bytes() - after)
        last = recomputes[-1]
        self.stdout.write(
            f"\nFigures: {last.targets} targets x {last.dates} as-of dates = {last.snapshots} "
            f"snapshots; median of {repeat} runs\n"
        )
        self.stdout.write(f"{'what':<56} {'median':>9} {'best':>9}")
        times = [r.seconds for r in recomputes]
        self._line("(a) full recompute (actions.recompute)", statistics.median(times), min(times))
        for label, seconds in last.queries:
            self._line(f"    of which {label}", seconds)
        self._line("    peak memory of this process (ru_maxrss)", peak, unit="MB")
        if spilled:
            self._line(
                "    written to temporary files (PostgreSQL)", max(spilled) / 2**20, unit="MB"
            )
        if floors:
            floor_seconds = statistics.median(floors)
            self._line("(b) floor: one hand-written query", floor_seconds, min(floors))
            if floor_spilled:
                self._line(
                    "    written to temporary files (PostgreSQL)",
                    max(floor_spilled) / 2**20,
                    unit="MB",
                )
            ratio = statistics.median(times) / floor_seconds if floor_seconds else float("inf")
            self._line("ratio recompute / floor", ratio, unit="x")
            compared, differences = benchmark.compare(floor)
            verdict = "agree" if not differences else f"DISAGREE ({len(differences)} differences)"
            self.stdout.write(f"\nFloor vs recompute: {compared} figures compared, {verdict}.")
            for line in differences[:10]:
                self.stdout.write(f"  {line}")
            if differences:
                raise CommandError("The floor and the recompute disagree (see above).")

        self._incremental(today, repeat)
        if not options["no_reports"]:
            self._reports(today)
        self._api(today, options["api_repeat"])
        if not options["no_pages"]:
            self._pages()
        self._line(
            "\npeak memory of this process at the end", benchmark.peak_memory_mb(), unit="MB"
        )
        if options["explain"]:
            self.stdout.write("\nEXPLAIN of the recompute's series SQL (queries.answer_figures):")
            self.stdout.write(benchmark.explain(benchmark.recompute_sql(today=today)))
            if not options["no_floor"]:
                self.stdout.write("\nEXPLAIN of the floor:")
                sql, params = benchmark.floor_sql(series_dates(series_start(), today), today)
                self.stdout.write(benchmark.explain(sql, params))

    def _data(self, today, options):
        existing = benchmark.generated_institutions().count()
        if options["reuse"] and existing == options["institutions"]:
            answers = Answer.objects.filter(
                institution__in=benchmark.generated_institutions()
            ).count()
            self.stdout.write(f"Reusing {existing} institutions and {answers:,} answers.")
            return
        generated = benchmark.generate_data(
            institutions=options["institutions"],
            months=options["months"],
            today=today,
            seed=options["seed"],
            targets=options["targets"],
            progress=lambda line: self.stdout.write(line) if options["verbosity"] > 1 else None,
        )
        self.stdout.write(
            f"Generated {generated.institutions} institutions and {generated.answers:,} answers "
            f"({options['months']} months) in {generated.seconds:.1f} s."
        )

    def _incremental(self, today, repeat):
        self.stdout.write(
            "\n(c) Incremental recompute after one save (actions.recompute_pending), at least 3"
        )
        for label, days_back in (
            ("dated today", 0),
            (f"backdated {BACKDATED_DAYS} days", BACKDATED_DAYS),
        ):
            runs = []
            for _ in range(max(repeat, 3)):  # short: always a few, the first one cold
                timing = benchmark.time_incremental(today=today, days_back=days_back)
                self.added_answers.append(Answer.objects.latest("id").pk)
                runs.append(timing)
            times = [r.seconds for r in runs]
            self._line(
                f"    {label} ({runs[-1].snapshots} snapshots)",
                statistics.median(times),
                min(times),
            )

    def _reports(self, today):
        # A report as of a day without snapshots (computed for that day only), compared with a
        # stored month end a year before it.
        as_of = month_end(today.replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
        compare_to = month_end(as_of.replace(year=as_of.year - 1))
        self.stdout.write("\n(d) Reports, all themes (tables and file, in a warm worker)")
        self._line(
            "    the first PDF in a fresh process (loads WeasyPrint)", benchmark.warm_up_reports()
        )
        self.stdout.write(f"    as of {as_of} (no snapshots: computed) compared with {compare_to}")
        for timing in benchmark.time_reports(as_of=as_of, compare_to=compare_to):
            self._line(f"    {timing.file_format} ({timing.size:,} bytes)", timing.seconds)
        for timing in benchmark.time_reports(as_of=today, compare_to=None):
            self._line(
                f"    {timing.file_format} as of today ({timing.size:,} bytes)", timing.seconds
            )

    def _api(self, today, repeat):
        stored_month_end = month_end(today.replace(day=1) - datetime.timedelta(days=40))
        mid_month = stored_month_end.replace(day=14)
        self.stdout.write(
            "\n(e) Open API /api/v1/targets/?as_of= (anonymous; test client, server time, ms)"
        )
        self.stdout.write(
            f"{'as_of':<14} {'stored':>6} {'first':>9} {'p50':>9} {'p95':>9} {'queries':>8}"
        )
        for timing in benchmark.measure_as_of_api([stored_month_end, mid_month], repeat=repeat):
            self.stdout.write(
                f"{timing.as_of!s:<14} {'yes' if timing.stored else 'no':>6} "
                f"{timing.first_ms:9.1f} {timing.p50_ms:9.1f} {timing.p95_ms:9.1f} "
                f"{timing.queries:>8}"
            )

    def _pages(self):
        self.stdout.write("\n(f) Pages: server time (test client, median of 5) and SQL queries\n")
        self.stdout.write(f"{'url':<40} {'status':>6} {'ms':>9} {'queries':>8}")
        for page in benchmark.measure_pages(benchmark.page_urls()):
            if page.status is None:
                self.stdout.write(f"{page.url:<40} {'-':>6} {'not routed':>9}")
            else:
                self.stdout.write(
                    f"{page.url:<40} {page.status:>6} {page.milliseconds:9.1f} {page.queries:>8}"
                )
