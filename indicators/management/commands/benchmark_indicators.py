"""Measures the recompute of the sector figures against the floor, at a chosen scale.

    python manage.py benchmark_indicators --institutions 2000 --months 36 [--keep]

Generates fictional institutions and answers into the current database, then measures in one
run: (a) the full recompute, (b) the same figures from one hand-written query (the floor, see
design/performance.md) and whether they agree, (c) the dashboard pages' server time and query
count. Without --keep it removes what it generated and puts the snapshots back as they were.
The work is in indicators/benchmark.py.
"""

import statistics

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from indicators import benchmark
from indicators.actions import series_dates, series_start


class Command(BaseCommand):
    help = "Benchmarks the sector-figure recompute against one hand-written query (the floor)."

    def add_arguments(self, parser):
        parser.add_argument("--institutions", type=int, default=60)
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (median)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--keep", action="store_true", help="keep the generated data")
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
        today = benchmark.today()
        state = benchmark.save_state()
        try:
            self._run(today, options)
        finally:
            if not options["keep"]:
                deleted = benchmark.delete_generated()
                benchmark.restore_state(state)
                self.stdout.write(f"\nRemoved {deleted} benchmark institutions and their answers;")
                self.stdout.write("snapshots and the recompute log are as they were.")

    def _run(self, today, options):
        repeat = options["repeat"]
        if options["jit_off"] and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")
        jit = " (jit off)" if options["jit_off"] and connection.vendor == "postgresql" else ""
        name = connection.settings_dict["NAME"]
        self.stdout.write(f"Database: {connection.vendor} ({name}){jit}, today {today}")
        generated = benchmark.generate_data(
            institutions=options["institutions"],
            months=options["months"],
            today=today,
            seed=options["seed"],
        )
        self.stdout.write(
            f"Generated {generated.institutions} institutions and {generated.answers:,} answers "
            f"({options['months']} months) in {generated.seconds:.1f} s."
        )

        recomputes, floors = [], []
        for _ in range(repeat):  # alternated, so that neither gets the warmer cache
            recomputes.append(benchmark.time_recompute(today=today))
            floor, seconds = benchmark.floor_figures(today=today)
            floors.append(seconds)
        compared, differences = benchmark.compare(floor)

        recompute_times = [r.seconds for r in recomputes]
        recompute = statistics.median(recompute_times)
        floor_seconds = statistics.median(floors)
        last = recomputes[-1]
        rows = [
            ("(a) full recompute (actions.recompute)", recompute, min(recompute_times)),
            *((f"    of which {label}", t, None) for label, t in last.queries),
            ("(b) floor: one hand-written query", floor_seconds, min(floors)),
        ]
        self.stdout.write(
            f"\nFigures: {last.targets} targets x {last.dates} as-of dates = {last.snapshots} "
            f"snapshots; median of {repeat} runs\n"
        )
        self.stdout.write(f"{'what':<52} {'median s':>9} {'best s':>9}")
        for label, median, best in rows:
            best_text = f"{best:9.3f}" if best is not None else " " * 9
            self.stdout.write(f"{label:<52} {median:9.3f} {best_text}")
        ratio = recompute / floor_seconds if floor_seconds else float("inf")
        self.stdout.write(f"{'ratio recompute / floor':<52} {ratio:9.2f}")
        verdict = "agree" if not differences else f"DISAGREE ({len(differences)} differences)"
        self.stdout.write(f"\nFloor vs recompute: {compared} figures compared, {verdict}.")
        for line in differences[:10]:
            self.stdout.write(f"  {line}")

        self.stdout.write("\n(c) Pages: server time (test client, median of 5) and SQL queries\n")
        self.stdout.write(f"{'url':<40} {'status':>6} {'ms':>9} {'queries':>8}")
        for page in benchmark.measure_pages(benchmark.page_urls()):
            if page.status is None:
                self.stdout.write(f"{page.url:<40} {'-':>6} {'not routed':>9}")
            else:
                self.stdout.write(
                    f"{page.url:<40} {page.status:>6} {page.milliseconds:9.1f} {page.queries:>8}"
                )

        if options["explain"]:
            self.stdout.write("\nEXPLAIN of the recompute's series SQL (queries.answer_figures):")
            self.stdout.write(benchmark.explain(benchmark.recompute_sql(today=today)))
            self.stdout.write("\nEXPLAIN of the floor:")
            sql, params = benchmark.floor_sql(series_dates(series_start(), today), today)
            self.stdout.write(benchmark.explain(sql, params))
        if differences:
            raise CommandError("The floor and the recompute disagree (see above).")
