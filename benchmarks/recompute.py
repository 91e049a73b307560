"""Measures the sector figures at a chosen scale, in one run.

    .venv/bin/python -m benchmarks.recompute --institutions 2000 --months 36 [--targets 25]
        [--reuse] [--keep] [--repeat 3] [--no-floor] [--no-reports] [--no-pages] [--explain]

Generates fictional institutions and answers into the current database (benchmarks/data.py; or,
with --reuse, uses those an earlier --keep left when their number matches), then measures: (a)
the full recompute, with the worker's peak memory and what PostgreSQL spilled to temporary
files; (b) the same figures from one hand-written query (the floor, benchmarks/floor.py and
design/performance.md) and whether they agree; (c) the incremental recompute after one save
dated today and after one backdated by a year; (d) each report format; (e) the open API's
?as_of= for a stored month end and for a day without snapshots; (f) the dashboard pages.
Without --keep (or --reuse) it removes what it generated and puts the snapshots back as they
were. Results of runs are in benchmarks/results-scale.md.
"""

import argparse
import datetime
import os
import random
import resource
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import Resolver404, resolve

from benchmarks import data, floor, reports, runner
from benchmarks.data import STATUSES, generated_institutions
from benchmarks.runner import BenchmarkError, write
from indicators import actions, series
from indicators.models import Snapshot
from indicators.series import month_end, series_dates, series_start
from institutions.actions import AnswerValue, do_save_answer
from institutions.models import Answer
from institutions.queries import answer_version, answerable_targets
from themes.models import SectorTarget, Theme

BACKDATED_DAYS = 300  # within ANSWER_MAX_BACKDATE_DAYS: what a CIO may still correct

# The pages to time; "{theme}" expands to every theme's code. URLs that do not resolve (pages
# not built yet) are listed as such and skipped.
PAGE_URLS = [
    "/",
    "/thema/{theme}/",
    "/doelen/",
    "/doelen/LZD-WALLET/",
    "/api/v1/targets/",
    "/dashboard/",
    "/dashboard/doelen/LZD-WALLET/",
    "/methode/",
]


@dataclass
class RecomputeTiming:
    seconds: float
    snapshots: int
    targets: int
    dates: int
    # The slowest statements with their time, e.g. ("answer_figures", 3.2).
    queries: list[tuple[str, float]] = field(default_factory=list)


def _label(sql: str) -> str:
    if "OVER w" in sql:
        return "answer_figures (series SQL)"
    if "COUNT(i.id)" in sql:
        return "active_institution_counts"
    words = sql.split()
    return " ".join(words[:4])[:40]


def time_recompute(*, today: datetime.date) -> RecomputeTiming:
    """One full recompute, as the nightly job runs it."""
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        run = actions.recompute(today=today)
        seconds = time.perf_counter() - started
    slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]
    return RecomputeTiming(
        seconds,
        run.snapshots,
        run.targets,
        run.snapshots // max(run.targets, 1),
        [(_label(q["sql"]), float(q["time"])) for q in slowest],
    )


def recompute_sql(*, today: datetime.date) -> str:
    """The recompute's series SQL with its parameters filled in (for EXPLAIN)."""
    dates = series.series_dates(series.series_start(), today)
    with CaptureQueriesContext(connection) as captured:
        series.compute_series(list(SectorTarget.objects.all()), dates)
    return next(q["sql"] for q in captured.captured_queries if "LEAD(" in q["sql"])


def explain(sql: str, params: dict | Sequence = ()) -> str:
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


# --- Pages ---------------------------------------------------------------------------------


@dataclass
class PageTiming:
    url: str
    status: int | None  # None: the URL does not resolve (page not built)
    milliseconds: float = 0.0  # median of the timed requests
    queries: int = 0


def page_urls() -> list[str]:
    urls = []
    for url in PAGE_URLS:
        if "{theme}" in url:
            urls += [
                url.format(theme=code) for code in Theme.objects.values_list("code", flat=True)
            ]
        else:
            urls.append(url)
    return urls


def measure_pages(urls: Sequence[str], *, repeat: int = 5) -> list[PageTiming]:
    """Median server time (test client, no network) and queries per page, after a warm-up."""
    client = Client()
    timings = []
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        for url in urls:
            try:
                resolve(url)
            except Resolver404:
                timings.append(PageTiming(url, None))
                continue
            client.get(url)  # templates compiled, caches warm
            times = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
            timings.append(
                PageTiming(
                    url,
                    response.status_code,
                    statistics.median(times),
                    len(captured.captured_queries),
                )
            )
    return timings


# --- At scale: incremental recomputes, reports, the as-of API, memory and sort spills -------


def peak_memory_mb() -> float:
    """The peak resident memory of this process so far (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def temp_file_bytes() -> int | None:
    """PostgreSQL: bytes written to temporary files (sorts and hashes spilling to disk) in this
    database so far; the difference around a step is what that step spilled. None elsewhere."""
    if connection.vendor != "postgresql":
        return None
    time.sleep(1.1)  # the statistics of the last statement reach the view within a second
    with connection.cursor() as cursor:
        cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


@dataclass
class IncrementalTiming:
    applies_on: datetime.date
    seconds: float
    snapshots: int
    answer_id: int  # the saved answer, removed again after the run


def time_incremental(*, today: datetime.date, days_back: int) -> IncrementalTiming:
    """One new answer dated ``days_back`` days before today, saved as a CIO saves it, then the
    recompute the worker runs after a save (actions.recompute_pending): one target, from that
    month on. The save also enqueues that recompute for a worker; a worker that runs it finds
    nothing left to do."""
    institution = generated_institutions().filter(active_to__isnull=True).order_by("code").first()
    target = answerable_targets().filter(measure=SectorTarget.Measure.SHARE_ADOPTED).first()
    applies_on = today - datetime.timedelta(days=days_back)
    saved = do_save_answer(
        institution=institution,
        target=target,
        answer=AnswerValue({"status": random.choice(STATUSES)}, applies_on),
        user=None,
        based_on_version=answer_version(institution, target),
        source=Answer.Source.IMPORT,
    )
    started = time.perf_counter()
    run = actions.recompute_pending(today=today)
    return IncrementalTiming(applies_on, time.perf_counter() - started, run.snapshots, saved.pk)


@dataclass
class ApiTiming:
    as_of: datetime.date
    stored: bool  # the date has stored snapshots (a month end)
    first_ms: float  # the first request: computes (and caches) a date without snapshots
    p50_ms: float
    p95_ms: float
    queries: int  # of the last request


def measure_as_of_api(dates: Sequence[datetime.date], *, repeat: int = 50) -> list[ApiTiming]:
    """The open API's /api/v1/targets/?as_of= as an anonymous caller: the first request and
    the p50/p95 of ``repeat`` more (test client, server time)."""
    client = Client()
    stored = set(Snapshot.objects.filter(as_of__in=dates).values_list("as_of", flat=True))
    timings = []
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        client.get("/api/v1/targets/")  # the URL conf, serializers and schema loaded
        for day in dates:
            url = f"/api/v1/targets/?as_of={day.isoformat()}"
            started = time.perf_counter()
            response = client.get(url)
            first = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")
            times = []
            for _ in range(repeat):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
            times.sort()
            timings.append(
                ApiTiming(
                    day, day in stored, first, statistics.median(times),
                    times[min(len(times) - 1, int(0.95 * len(times)))],
                    len(captured.captured_queries),
                )
            )  # fmt: skip
    return timings


# --- The run --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument(
        "-v", "--verbosity", type=int, default=1, help="2: the generator's progress"
    )


def measure(options: argparse.Namespace) -> None:
    if not settings.DEBUG and not options.force:
        raise BenchmarkError("This writes a lot of fictional data; with DEBUG off, add --force.")
    if options.delete:
        write(f"Deleted {data.delete_generated()} benchmark institutions.")
        return
    if options.institutions < 1 or options.months < 1 or options.repeat < 1:
        raise BenchmarkError("--institutions, --months and --repeat must be at least 1.")
    if options.targets is not None and options.targets < 1:
        raise BenchmarkError("--targets must be at least 1.")
    keep = options.keep or options.reuse
    today = data.today()
    state = None if keep else data.save_state()
    added_answers: list[int] = []
    try:
        _run(today, options, added_answers)
    finally:
        Answer.objects.filter(pk__in=added_answers).delete()
        if not keep:
            deleted = data.delete_generated()
            data.restore_state(state)
            write(f"\nRemoved {deleted} benchmark institutions and their answers;")
            write("snapshots and the recompute log are as they were.")


def main(argv: Sequence[str] | None = None) -> None:
    runner.run(__doc__, add_arguments, measure, argv)


def _line(label, median, best=None, unit="s"):
    best_text = f"{best:9.3f}" if best is not None else " " * 9
    write(f"{label:<56} {median:9.3f} {best_text} {unit}")


def _run(today, options, added_answers):
    repeat = options.repeat
    postgresql = connection.vendor == "postgresql"
    if options.jit_off and postgresql:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
    jit = " (jit off)" if options.jit_off and postgresql else ""
    name = connection.settings_dict["NAME"]
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    write(
        f"Database: {connection.vendor} ({name}){jit}, today {today}; "
        f"{os.cpu_count()} cores, load average {load} (other work on the machine)"
    )
    _data(today, options)

    # (a) and (b), alternated so that neither gets the warmer cache.
    recomputes, floors, spilled, floor_spilled = [], [], [], []
    figures = None
    for _ in range(repeat):
        before = temp_file_bytes()
        recomputes.append(time_recompute(today=today))
        after = temp_file_bytes()
        if postgresql:
            spilled.append(after - before)
        peak = peak_memory_mb()
        if not options.no_floor:
            figures, seconds = floor.floor_figures(today=today)
            floors.append(seconds)
            if postgresql:
                floor_spilled.append(temp_file_bytes() - after)
    last = recomputes[-1]
    write(
        f"\nFigures: {last.targets} targets x {last.dates} as-of dates = {last.snapshots} "
        f"snapshots; median of {repeat} runs\n"
    )
    write(f"{'what':<56} {'median':>9} {'best':>9}")
    times = [r.seconds for r in recomputes]
    _line("(a) full recompute (actions.recompute)", statistics.median(times), min(times))
    for label, seconds in last.queries:
        _line(f"    of which {label}", seconds)
    _line("    peak memory of this process (ru_maxrss)", peak, unit="MB")
    if spilled:
        _line("    written to temporary files (PostgreSQL)", max(spilled) / 2**20, unit="MB")
    if floors:
        floor_seconds = statistics.median(floors)
        _line("(b) floor: one hand-written query", floor_seconds, min(floors))
        if floor_spilled:
            _line(
                "    written to temporary files (PostgreSQL)",
                max(floor_spilled) / 2**20,
                unit="MB",
            )
        ratio = statistics.median(times) / floor_seconds if floor_seconds else float("inf")
        _line("ratio recompute / floor", ratio, unit="x")
        compared, differences = floor.compare(figures)
        verdict = "agree" if not differences else f"DISAGREE ({len(differences)} differences)"
        write(f"\nFloor vs recompute: {compared} figures compared, {verdict}.")
        for line in differences[:10]:
            write(f"  {line}")
        if differences:
            raise BenchmarkError("The floor and the recompute disagree (see above).")

    _incremental(today, repeat, added_answers)
    if not options.no_reports:
        _reports(today)
    _api(today, options.api_repeat)
    if not options.no_pages:
        _pages()
    _line("\npeak memory of this process at the end", peak_memory_mb(), unit="MB")
    if options.explain:
        write("\nEXPLAIN of the recompute's series SQL (queries.answer_figures):")
        write(explain(recompute_sql(today=today)))
        if not options.no_floor:
            write("\nEXPLAIN of the floor:")
            sql, params = floor.floor_sql(series_dates(series_start(), today), today)
            write(explain(sql, params))


def _data(today, options):
    existing = generated_institutions().count()
    if options.reuse and existing == options.institutions:
        answers = Answer.objects.filter(institution__in=generated_institutions()).count()
        write(f"Reusing {existing} institutions and {answers:,} answers.")
        return
    generated = data.generate_data(
        institutions=options.institutions,
        months=options.months,
        today=today,
        seed=options.seed,
        targets=options.targets,
        progress=lambda line: write(line) if options.verbosity > 1 else None,
    )
    write(
        f"Generated {generated.institutions} institutions and {generated.answers:,} answers "
        f"({options.months} months) in {generated.seconds:.1f} s."
    )


def _incremental(today, repeat, added_answers):
    write("\n(c) Incremental recompute after one save (actions.recompute_pending), at least 3")
    for label, days_back in (
        ("dated today", 0),
        (f"backdated {BACKDATED_DAYS} days", BACKDATED_DAYS),
    ):
        runs = []
        for _ in range(max(repeat, 3)):  # short: always a few, the first one cold
            timing = time_incremental(today=today, days_back=days_back)
            added_answers.append(timing.answer_id)
            runs.append(timing)
        times = [r.seconds for r in runs]
        _line(
            f"    {label} ({runs[-1].snapshots} snapshots)",
            statistics.median(times),
            min(times),
        )


def _reports(today):
    # A report as of a day without snapshots (computed for that day only), compared with a
    # stored month end a year before it.
    as_of = month_end(today.replace(day=1) - datetime.timedelta(days=1)).replace(day=15)
    compare_to = month_end(as_of.replace(year=as_of.year - 1))
    write("\n(d) Reports, all themes (tables and file, in a warm worker)")
    _line("    the first PDF in a fresh process (loads WeasyPrint)", reports.warm_up_reports())
    write(f"    as of {as_of} (no snapshots: computed) compared with {compare_to}")
    for timing in reports.time_reports(as_of=as_of, compare_to=compare_to):
        _line(f"    {timing.file_format} ({timing.size:,} bytes)", timing.seconds)
    for timing in reports.time_reports(as_of=today, compare_to=None):
        _line(f"    {timing.file_format} as of today ({timing.size:,} bytes)", timing.seconds)


def _api(today, repeat):
    stored_month_end = month_end(today.replace(day=1) - datetime.timedelta(days=40))
    mid_month = stored_month_end.replace(day=14)
    write("\n(e) Open API /api/v1/targets/?as_of= (anonymous; test client, server time, ms)")
    write(f"{'as_of':<14} {'stored':>6} {'first':>9} {'p50':>9} {'p95':>9} {'queries':>8}")
    for timing in measure_as_of_api([stored_month_end, mid_month], repeat=repeat):
        write(
            f"{timing.as_of!s:<14} {'yes' if timing.stored else 'no':>6} "
            f"{timing.first_ms:9.1f} {timing.p50_ms:9.1f} {timing.p95_ms:9.1f} "
            f"{timing.queries:>8}"
        )


def _pages():
    write("\n(f) Pages: server time (test client, median of 5) and SQL queries\n")
    write(f"{'url':<40} {'status':>6} {'ms':>9} {'queries':>8}")
    for page in measure_pages(page_urls()):
        if page.status is None:
            write(f"{page.url:<40} {'-':>6} {'not routed':>9}")
        else:
            write(f"{page.url:<40} {page.status:>6} {page.milliseconds:9.1f} {page.queries:>8}")


if __name__ == "__main__":
    main()
