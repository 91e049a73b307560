"""Benchmark of the sector-figure recompute against the floor (see design/performance.md).

Plain functions; the command ``benchmark_indicators`` calls them and prints the tables:

- ``generate_data``: fictional institutions and answers at a chosen scale, in the current database
  (COPY on PostgreSQL, bulk inserts elsewhere). Codes start with a letter (``X001``): real BRIN
  codes and the demo codes start with two digits, so they cannot clash.
- ``time_recompute``: the full ``actions.recompute`` as the nightly job runs it.
- ``floor_figures``: the same figures (every target on every as-of date of the series) from ONE
  hand-written query, the floor the recompute is compared with. Better than the interval form
  of performance.md: the answers are grouped by the range of as-of dates they count on, so the
  join to the dates is over a few thousand groups instead of every answer (see _FLOOR_SQL).
  The same query on PostgreSQL and SQLite.
- ``compare``: the floor's figures against the stored snapshots, figure by figure.
- ``measure_pages``: server time and number of queries of the public dashboard pages.
- ``delete_generated``: removes what ``generate_data`` made.

The SQL of the floor lives here, not in indicators/queries.py: it is a measuring stick for the
application's query, not a read of the application.
"""

import contextlib
import datetime
import random
import resource
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from indicators import actions, series
from indicators.models import RecomputeRun, Snapshot
from institutions.models import (
    Answer,
    AnswerReview,
    AnswerSlot,
    AnswerStatus,
    Institution,
    Membership,
)
from institutions.queries import answerable_targets
from institutions.validation import value_field
from themes.models import SectorTarget, Theme

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

CODE_PREFIX = "X"  # BRIN codes (and the demo's) start with two digits: these never clash
NAME_PREFIX = "Benchmarkinstelling"
REGION = "Benchmark"
STATUSES = AnswerStatus.values
_CODE_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_INSTITUTIONS = len(_CODE_DIGITS) ** 3


def _code(number: int) -> str:
    digits = ""
    for _ in range(3):
        number, rest = divmod(number, len(_CODE_DIGITS))
        digits = _CODE_DIGITS[rest] + digits
    return CODE_PREFIX + digits


def generated_institutions():
    return Institution.objects.filter(
        code__startswith=CODE_PREFIX, name__startswith=NAME_PREFIX, region=REGION
    )


# --- Data -----------------------------------------------------------------------------------


@dataclass
class Generated:
    institutions: int
    answers: int
    seconds: float


def _month_start(today: datetime.date, months_back: int) -> datetime.date:
    month = today.year * 12 + today.month - 1 - months_back
    return datetime.date(month // 12, month % 12 + 1, 1)


def _value(field_name: str, progress: float, rng: random.Random) -> tuple:
    """(status, score, percentage) for a fictional answer at this progress (0..1)."""
    if field_name == "status":
        position = min(len(STATUSES) - 1, int(progress * len(STATUSES) + rng.random() * 0.8))
        return STATUSES[position], None, None
    if field_name == "score":
        score = min(5.0, max(0.0, 1.5 + progress * 2.5 + rng.uniform(-0.5, 0.5)))
        return None, Decimal(f"{score:.1f}"), None
    percentage = min(100.0, max(0.0, 15 + progress * 70 + rng.uniform(-10, 10)))
    return None, None, Decimal(f"{percentage:.2f}")


def _answer_rows(
    institutions: Sequence[Institution],
    targets: Sequence[tuple[int, str]],
    months: int,
    today: datetime.date,
    seed: int,
) -> Iterator[tuple]:
    """Roughly one answer per institution, answerable target and month, for ``months`` months
    up to today; a few institutions never answer, a few months are skipped, and about 1% of
    answers are corrected on the same day (some with the very same entered_at)."""
    rng = random.Random(seed)
    for number, institution in enumerate(institutions):
        if number % 25 == 24:
            continue  # never answers
        pace = rng.uniform(0.2, 1.0)
        for target_id, field_name in targets:
            for step in range(months):
                start = _month_start(today, months - 1 - step)
                last = today.day if (start.year, start.month) == (today.year, today.month) else 28
                day = start.replace(day=rng.randint(1, last))
                if rng.random() < 0.05 or not institution.is_active_on(day):
                    continue
                progress = min(1.0, pace * (step + 1) / months)
                entered = datetime.datetime.combine(
                    day, datetime.time(8), tzinfo=datetime.UTC
                ) + datetime.timedelta(minutes=rng.randint(0, 600))
                yield (institution.pk, target_id, *_value(field_name, progress, rng), day, entered)
                if rng.random() < 0.01:
                    later = entered if rng.random() < 0.5 else entered + datetime.timedelta(hours=1)
                    value = _value(field_name, progress, rng)
                    yield (institution.pk, target_id, *value, day, later)


def generate_data(
    *,
    institutions: int,
    months: int,
    today: datetime.date,
    seed: int = 2026,
    targets: int | None = None,
    progress=None,
) -> Generated:
    """Fictional institutions and answers at this scale (earlier generated data is replaced):
    for the first ``targets`` answerable targets (all when None). On PostgreSQL the database
    generates the answers itself (INSERT ... SELECT, a bulk insert: tens of millions of rows in
    minutes); elsewhere Python generates them and inserts them in batches."""
    if not 1 <= institutions <= MAX_INSTITUTIONS:
        raise ValueError(f"institutions must be between 1 and {MAX_INSTITUTIONS}")
    answerable = list(answerable_targets().order_by("pk"))
    if targets is not None and not 1 <= targets <= len(answerable):
        raise ValueError(f"targets must be between 1 and {len(answerable)} (the answerable ones)")
    started = time.perf_counter()
    delete_generated()
    # Everyone active from the first month of the history on (or 2020, whichever is earlier).
    first_day = min(datetime.date(2020, 1, 1), _month_start(today, months - 1))
    rows = []
    for number in range(institutions):
        active_from, active_to = first_day, None
        if number % 40 == 39:  # joins halfway
            active_from = _month_start(today, months // 2)
        elif number % 50 == 49:  # merges two thirds of the way
            active_to = _month_start(today, months // 3) - datetime.timedelta(days=1)
        code = _code(number)
        rows.append(
            Institution(
                code=code,
                name=f"{NAME_PREFIX} {code}",
                kind=Institution.Kind.ROC,
                region=REGION,
                active_from=active_from,
                active_to=active_to,
            )
        )
    Institution.objects.bulk_create(rows, batch_size=1000)
    created = list(generated_institutions().order_by("code"))
    chosen = [(t.pk, value_field(t)) for t in answerable[:targets]]
    if connection.vendor == "postgresql":
        count = _generate_answers_in_database(created, chosen, months, today, seed, progress)
    else:
        count = _insert_answers(_answer_rows(created, chosen, months, today, seed))
    _analyze()
    return Generated(len(created), count, time.perf_counter() - started)


# The same shape of data as _answer_rows, made by PostgreSQL itself: per institution (every
# 25th never answers), answerable target and month one answer on a random day (5% of months
# skipped, none while the institution is inactive), 1% corrected on the same day (half with the
# very same entered_at). random() after setseed() makes it repeatable.
_GENERATE_SQL = """
    INSERT INTO {answer} (institution_id, target_id, status, score, percentage, applies_on,
                          entered_at, explanation, evidence_url, source)
    SELECT institution_id, target_id,
           CASE WHEN field = 'status' THEN (%(statuses)s::text[])[1 + LEAST(
               %(n_statuses)s - 1, floor(progress * %(n_statuses)s + random() * 0.8)::int)] END,
           CASE WHEN field = 'score' THEN round(LEAST(5.0, GREATEST(0.0,
               1.5 + progress * 2.5 + random() - 0.5))::numeric, 1) END,
           CASE WHEN field = 'percentage' THEN round(LEAST(100.0, GREATEST(0.0,
               15 + progress * 70 + random() * 20 - 10))::numeric, 2) END,
           day,
           CASE WHEN copy = 2 AND random() < 0.5 THEN entered + interval '1 hour' ELSE entered END,
           '', '', %(source)s
    FROM (
        SELECT m.institution_id, t.target_id, t.field, m.day, m.progress,
               m.day + time '08:00' + (floor(random() * 601)::int * interval '1 minute')
                   AS entered,
               generate_series(1, CASE WHEN random() < 0.01 THEN 2 ELSE 1 END) AS copy
        FROM (
            SELECT i.id AS institution_id, i.active_from, i.active_to,
                   LEAST(1.0, p.pace * (step + 1) / %(months)s) AS progress,
                   (month_start + floor(random() * CASE WHEN month_start
                        = date_trunc('month', %(today)s::date) THEN %(today_day)s ELSE 28 END
                    )::int) AS day
            FROM {institution} i
            JOIN (SELECT id, 0.2 + 0.8 * random() AS pace FROM {institution}
                  WHERE id = ANY(%(ids)s)) p ON p.id = i.id
            CROSS JOIN LATERAL (
                SELECT step, (date_trunc('month', %(today)s::date)
                              - (%(months)s - 1 - step) * interval '1 month')::date AS month_start
                FROM generate_series(0, %(months)s - 1) step
            ) steps
        ) m
        CROSS JOIN unnest(%(target_ids)s::bigint[], %(fields)s::text[]) AS t(target_id, field)
        WHERE random() >= 0.05
          AND m.active_from <= m.day AND (m.active_to IS NULL OR m.day <= m.active_to)
    ) rows
"""


def _generate_answers_in_database(
    institutions: Sequence[Institution],
    targets: Sequence[tuple[int, str]],
    months: int,
    today: datetime.date,
    seed: int,
    progress=None,
    chunk: int = 1000,
) -> int:
    """Answers for these institutions, made in the database in chunks of institutions. The
    answer table's indexes are dropped during the load and built again after it (much faster
    than maintaining them row by row), and the foreign-key triggers are off (the ids come from
    the tables themselves)."""
    answering = [i.pk for n, i in enumerate(institutions) if n % 25 != 24]
    sql = _GENERATE_SQL.format(answer=Answer._meta.db_table, institution=Institution._meta.db_table)
    params = {
        "statuses": STATUSES,
        "n_statuses": len(STATUSES),
        "source": Answer.Source.IMPORT,
        "months": months,
        "today": today,
        "today_day": today.day,
        "target_ids": [pk for pk, _field in targets],
        "fields": [field_name for _pk, field_name in targets],
    }
    count = 0
    with _answer_indexes_dropped(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        for start in range(0, len(answering), chunk):
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute(sql, {**params, "ids": answering[start : start + chunk]})
                count += cursor.rowcount
            if progress:
                progress(f"  {min(start + chunk, len(answering))} institutions, {count:,} answers")
    return count


@contextlib.contextmanager
def _answer_indexes_dropped():
    """Drop the answer table's secondary indexes, and create them again afterwards (PostgreSQL:
    their definitions come from pg_indexes, so this follows whatever the migrations made)."""
    table = Answer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")


_ANSWER_COLUMNS = ["institution_id", "target_id", "status", "score", "percentage", "applies_on",
                   "entered_at", "explanation", "evidence_url", "source"]  # fmt: skip


def _insert_answers(rows: Iterator[tuple], batch_size: int = 5000) -> int:
    count, batch = 0, []

    def flush():
        Answer.objects.bulk_create(batch, batch_size=batch_size)
        connection.queries_log.clear()  # with DEBUG on, the log would hold every batch's SQL
        batch.clear()

    for institution_id, target_id, status, score, percentage, day, entered in rows:
        batch.append(
            Answer(
                institution_id=institution_id,
                target_id=target_id,
                status=status,
                score=score,
                percentage=percentage,
                applies_on=day,
                entered_at=entered,
                source=Answer.Source.IMPORT,
            )
        )
        count += 1
        if len(batch) == batch_size:
            flush()
    flush()
    return count


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would have after a bulk load."""
    if connection.vendor != "postgresql":
        return
    tables = f"{Answer._meta.db_table}, {Institution._meta.db_table}"
    with connection.cursor() as cursor:
        # VACUUM cannot run in a transaction (tests); it also sets the visibility map.
        cursor.execute(("ANALYZE " if connection.in_atomic_block else "VACUUM ANALYZE ") + tables)


def delete_generated() -> int:
    """Remove the generated institutions and everything that hangs off them."""
    institutions = generated_institutions()
    ids = list(institutions.values_list("pk", flat=True))
    if not ids:
        return 0
    AnswerReview.objects.filter(answer__institution__in=ids).delete()
    AnswerSlot.objects.filter(institution__in=ids).delete()
    Membership.objects.filter(institution__in=ids).delete()
    # Plain DELETEs: the ORM would load a million answers to cascade, and write a history
    # row per institution for data that never had any.
    with connection.cursor() as cursor:
        for table, column in ((Answer._meta.db_table, "institution_id"),
                              (Institution._meta.db_table, "id")):  # fmt: skip
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM "  # noqa: S608
                f"{Institution._meta.db_table} "
                "WHERE code LIKE %s AND name LIKE %s AND region = %s)",
                [CODE_PREFIX + "%", NAME_PREFIX + "%", REGION],
            )
    return len(ids)


@dataclass
class SavedState:
    """The snapshots and the last recompute run from before the benchmark, to put back."""

    snapshots: list[dict]
    last_run_id: int


def save_state() -> SavedState:
    return SavedState(
        list(Snapshot.objects.values()),
        RecomputeRun.objects.aggregate(m=Max("id"))["m"] or 0,
    )


def restore_state(state: SavedState) -> None:
    Snapshot.objects.all().delete()
    Snapshot.objects.bulk_create([Snapshot(**row) for row in state.snapshots], batch_size=2000)
    RecomputeRun.objects.filter(id__gt=state.last_run_id).delete()


# --- The recompute --------------------------------------------------------------------------


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


# --- The floor: one query for every figure of the series ----------------------------------


@dataclass
class FloorFigure:
    target_id: int
    as_of: datetime.date
    active: int
    answered: int
    value: float | None
    coverage: float
    status_counts: dict[str, int]
    mean_score: float | None
    quartiles: tuple  # min, q1, median, q3, max
    at_least: int
    mean_percentage: float | None
    at_goal: int


# One template for PostgreSQL and SQLite; {placeholders} are filled per vendor (functions that
# differ), %(names)s are parameters.
#
# The as-of dates are numbered m = 1..n: the month ends of the series, then today, so month m
# is the m-th calendar month from the first one. An answer counts on the dates from its
# applies_on up to (not including) the next answer of its institution and target, and only
# while its institution is active: a contiguous range lo..hi of date numbers. So the answers
# can be grouped by (target, lo, hi, score) - a few thousand groups, whatever the number of
# answers - and every additive figure (counts per status, sums, how many reach the threshold
# or the goal) is a sum over the groups whose range covers the date. Min, quartiles (nearest
# rank) and max come from the count per score value on each date and its running total.
_FLOOR_SQL = """
    WITH {dates_cte},
    active AS (
        SELECT d.as_of, COUNT(i.id) AS n
        FROM dates d
        LEFT JOIN {institution} i
          ON i.active_from <= d.as_of AND (i.active_to IS NULL OR d.as_of <= i.active_to)
        GROUP BY d.as_of
    ),
    -- The date numbers on which each institution is active (none: the institution is left out).
    institution_dates AS MATERIALIZED (
        SELECT id, lo, hi FROM (
            SELECT i.id,
                   (SELECT MIN(d.m) FROM dates d WHERE d.as_of >= i.active_from) AS lo,
                   (SELECT MAX(d.m) FROM dates d
                     WHERE i.active_to IS NULL OR d.as_of <= i.active_to) AS hi
            FROM {institution} i
        ) spans
        WHERE lo <= hi
    ),
    -- The small tables are joined before the window: its output stays ordered by target, so
    -- the grouping below sorts one target at a time instead of all answers at once.
    valid AS (
        SELECT a.target_id, a.status, a.score, a.percentage, t.threshold, t.goal_value,
               s.lo AS active_lo, s.hi AS active_hi,
               {month_of_applies_on} AS month_from,
               LEAD(a.applies_on) OVER w AS valid_to,
               LEAD({month_of_applies_on}) OVER w AS month_to
        FROM {answer} a
        JOIN institution_dates s ON s.id = a.institution_id
        JOIN {target} t ON t.id = a.target_id
        WHERE a.applies_on <= %(today)s
        WINDOW w AS (PARTITION BY a.target_id, a.institution_id
                     ORDER BY a.applies_on, a.entered_at, a.id)
    ),
    spans AS (
        SELECT target_id, status, score, percentage, threshold, goal_value,
               {greatest}(month_from - %(month_zero)s, active_lo) AS lo,
               {least}(CASE WHEN valid_to IS NULL OR valid_to > %(today)s THEN %(last_m)s
                            ELSE month_to - %(month_zero)s - 1 END, active_hi) AS hi
        FROM valid
    ),
    groups AS MATERIALIZED (
        SELECT target_id, lo, hi, score, COUNT(*) AS answered,
               {status_counts},
               COUNT(score) AS scored,
               COUNT(*) FILTER (WHERE score >= threshold) AS at_least,
               SUM(percentage) AS percentage_sum,
               COUNT(percentage) AS with_percentage,
               COUNT(*) FILTER (WHERE percentage >= goal_value) AS at_goal
        FROM spans
        WHERE lo <= hi
        GROUP BY target_id, lo, hi, score
    ),
    sums AS (
        SELECT g.target_id, d.as_of, SUM(g.answered) AS answered,
               {status_sums},
               1.0 * SUM(g.score * g.scored) / NULLIF(SUM(g.scored), 0) AS mean_score,
               SUM(g.at_least) AS at_least,
               1.0 * SUM(g.percentage_sum) / NULLIF(SUM(g.with_percentage), 0) AS mean_percentage,
               SUM(g.at_goal) AS at_goal
        FROM groups g
        JOIN dates d ON d.m BETWEEN g.lo AND g.hi
        GROUP BY g.target_id, d.as_of
    ),
    score_counts AS (
        SELECT g.target_id, d.as_of, g.score, SUM(g.scored) AS n
        FROM groups g
        JOIN dates d ON d.m BETWEEN g.lo AND g.hi
        WHERE g.score IS NOT NULL
        GROUP BY g.target_id, d.as_of, g.score
    ),
    ranked AS (
        SELECT target_id, as_of, score,
               SUM(n) OVER (PARTITION BY target_id, as_of ORDER BY score) AS upto,
               SUM(n) OVER (PARTITION BY target_id, as_of) AS total
        FROM score_counts
    ),
    -- Nearest rank: the smallest score whose rank r reaches p * n, i.e. whose running count does.
    quartiles AS (
        SELECT target_id, as_of, MIN(score) AS low, MAX(score) AS high,
               MIN(score) FILTER (WHERE upto * 4 >= total) AS q1,
               MIN(score) FILTER (WHERE upto * 2 >= total) AS median,
               MIN(score) FILTER (WHERE upto * 4 >= 3 * total) AS q3
        FROM ranked
        GROUP BY target_id, as_of
    )
    SELECT t.id, d.as_of, act.n, COALESCE(g.answered, 0),
           CASE t.measure
             WHEN 'milestone' THEN
               CASE WHEN t.reached_on <= d.as_of THEN 100.0 ELSE 0.0 END
             WHEN 'share_adopted' THEN 100.0 * COALESCE(g.n_{realised}, 0) / NULLIF(act.n, 0)
             WHEN 'mean_score' THEN g.mean_score
             WHEN 'share_at_least' THEN 100.0 * COALESCE(g.at_least, 0) / NULLIF(act.n, 0)
             ELSE g.mean_percentage
           END,
           CASE WHEN t.measure = 'milestone' THEN 100.0
                WHEN act.n = 0 THEN 0.0
                ELSE 100.0 * COALESCE(g.answered, 0) / act.n END,
           {final_status_counts},
           g.mean_score, q.low, q.q1, q.median, q.q3, q.high,
           COALESCE(g.at_least, 0), g.mean_percentage, COALESCE(g.at_goal, 0)
    FROM {target} t
    CROSS JOIN dates d
    JOIN active act ON act.as_of = d.as_of
    LEFT JOIN sums g ON g.target_id = t.id AND g.as_of = d.as_of
    LEFT JOIN quartiles q ON q.target_id = t.id AND q.as_of = d.as_of
"""

_VENDOR_SQL = {
    "postgresql": {
        "month_of_applies_on": (
            "(date_part('year', a.applies_on)::int * 12 + date_part('month', a.applies_on)::int)"
        ),
        "greatest": "GREATEST",
        "least": "LEAST",
    },
    "sqlite": {  # dates are stored as 'YYYY-MM-DD'
        "month_of_applies_on": (
            "(CAST(substr(a.applies_on, 1, 4) AS INTEGER) * 12"
            " + CAST(substr(a.applies_on, 6, 2) AS INTEGER))"
        ),
        "greatest": "max",
        "least": "min",
    },
}


def _month_number(day: datetime.date) -> int:
    return day.year * 12 + day.month


def floor_sql(dates: Sequence[datetime.date], today: datetime.date) -> tuple[str, dict]:
    """The floor query for the series of as-of dates (every month end, then today)."""
    if dates[-1] != today or len(dates) != _month_number(today) - _month_number(dates[0]) + 1:
        raise ValueError("the floor needs the series: every month end, then today")
    postgresql = connection.vendor == "postgresql"
    params: dict = {
        "today": today if postgresql else today.isoformat(),
        "month_zero": _month_number(dates[0]) - 1,
        "last_m": len(dates),
    }
    if postgresql:
        dates_cte = "dates(as_of, m) AS (SELECT * FROM unnest(%(dates)s::date[]) WITH ORDINALITY)"
        params["dates"] = list(dates)
    else:
        rows = ", ".join(f"(%(d{m})s, {m})" for m in range(1, len(dates) + 1))
        dates_cte = f"dates(as_of, m) AS (VALUES {rows})"
        params.update({f"d{m}": day.isoformat() for m, day in enumerate(dates, start=1)})
    numbered = list(enumerate(STATUSES))
    sql = _FLOOR_SQL.format(
        dates_cte=dates_cte,
        answer=Answer._meta.db_table,
        institution=Institution._meta.db_table,
        target=SectorTarget._meta.db_table,
        status_counts=",\n".join(
            f"COUNT(*) FILTER (WHERE status = '{s}') AS n_{i}" for i, s in numbered
        ),
        status_sums=", ".join(f"SUM(g.n_{i}) AS n_{i}" for i, _s in numbered),
        final_status_counts=", ".join(f"COALESCE(g.n_{i}, 0)" for i, _s in numbered),
        realised=STATUSES.index(AnswerStatus.REALISED),
        **_VENDOR_SQL[connection.vendor],
    )
    return sql, params


def _float(value) -> float | None:
    return None if value is None else float(value)


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


FloorFigures = dict[tuple[int, datetime.date], FloorFigure]


def floor_figures(*, today: datetime.date) -> tuple[FloorFigures, float]:
    """Every target's figure on every date of the series, by one query; and its time."""
    started = time.perf_counter()
    dates = series.series_dates(series.series_start(), today)
    sql, params = floor_sql(dates, today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    seconds = time.perf_counter() - started
    n = len(STATUSES)
    figures = {}
    for row in rows:
        counts = dict(zip(STATUSES, (int(c) for c in row[6 : 6 + n]), strict=True))
        rest = row[6 + n :]
        figure = FloorFigure(
            target_id=row[0], as_of=_date(row[1]), active=row[2], answered=row[3],
            value=_float(row[4]), coverage=float(row[5]), status_counts=counts,
            mean_score=_float(rest[0]), quartiles=tuple(_float(v) for v in rest[1:6]),
            at_least=int(rest[6]), mean_percentage=_float(rest[7]), at_goal=int(rest[8]),
        )  # fmt: skip
        figures[(figure.target_id, figure.as_of)] = figure
    return figures, seconds


# --- Do they agree? ------------------------------------------------------------------------


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))


def expected_details(target: SectorTarget, figure: FloorFigure) -> dict:
    """The snapshot's details, as the floor's numbers say they should be."""
    Measure = SectorTarget.Measure
    if target.measure == Measure.MILESTONE:
        return {"reached": target.is_reached_on(figure.as_of)}
    if target.measure == Measure.SHARE_ADOPTED:
        return {"statuses": figure.status_counts}
    if target.measure == Measure.MEAN_SCORE:
        return dict(zip(["min", "q1", "median", "q3", "max"], figure.quartiles, strict=True))
    if target.measure == Measure.SHARE_AT_LEAST:
        return {"at_least": figure.at_least, "mean_score": figure.mean_score}
    share = 100.0 * figure.at_goal / figure.active if figure.active else None
    return {"share_at_goal": share}


def compare(floor: FloorFigures) -> tuple[int, list[str]]:
    """The stored snapshots against the floor: (figures compared, differences)."""
    targets = {t.pk: t for t in SectorTarget.objects.all()}
    snapshots = {(s.target_id, s.as_of): s for s in Snapshot.objects.all()}
    differences = []
    if snapshots.keys() != floor.keys():
        missing = sorted(floor.keys() - snapshots.keys())[:3]
        extra = sorted(snapshots.keys() - floor.keys())[:3]
        differences.append(f"different dates: missing {missing}, extra {extra}")
    for key in sorted(floor.keys() & snapshots.keys()):
        f, s = floor[key], snapshots[key]
        target = targets[f.target_id]
        milestone = target.measure == SectorTarget.Measure.MILESTONE
        answered = f.active if milestone else f.answered  # a milestone is complete by definition
        pairs = {
            "value": (s.value, f.value),
            "coverage": (s.coverage, f.coverage),
            "active": (s.active_institutions, f.active),
            "answered": (s.answered_institutions, answered),
        }
        for name, expected in expected_details(target, f).items():
            actual = s.details.get(name)
            if isinstance(expected, dict):
                pairs.update({f"{name}.{k}": (actual.get(k), v) for k, v in expected.items()})
            else:
                pairs[name] = (actual, expected)
        for name, (actual, expected) in pairs.items():
            same = actual == expected if isinstance(expected, bool) else _close(actual, expected)
            if not same:
                differences.append(f"{target.code} {f.as_of} {name}: {actual!r} != {expected!r}")
    return len(floor), differences


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


def today() -> datetime.date:
    return timezone.localdate()


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


def time_incremental(*, today: datetime.date, days_back: int) -> IncrementalTiming:
    """One new answer dated ``days_back`` days before today, then the recompute the worker runs
    after a save (actions.recompute_pending): one target, from that month on."""
    institution = generated_institutions().filter(active_to__isnull=True).order_by("code").first()
    target = answerable_targets().filter(measure=SectorTarget.Measure.SHARE_ADOPTED).first()
    applies_on = today - datetime.timedelta(days=days_back)
    Answer.objects.create(
        institution=institution, target=target, applies_on=applies_on,
        status=random.choice(STATUSES), source=Answer.Source.IMPORT,
    )  # fmt: skip
    started = time.perf_counter()
    run = actions.recompute_pending(today=today)
    return IncrementalTiming(applies_on, time.perf_counter() - started, run.snapshots)


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
    from reports.actions import render_report
    from reports.models import Report
    from reports.tables import build_report_data

    started = time.perf_counter()
    day = Snapshot.objects.filter(is_month_end=True).aggregate(m=Max("as_of"))["m"] or today()
    data = build_report_data(as_of=day)
    render_report(data, Report.Format.PDF, generated_at=timezone.now(), generated_by="benchmark")
    return time.perf_counter() - started


def time_reports(
    *, as_of: datetime.date, compare_to: datetime.date | None, formats: Sequence[str] | None = None
) -> list[ReportTiming]:
    """Each format of the sector report, as a warm worker makes it (build the tables, write the
    file; reports.actions.generate_report without the storage), all themes. The first format
    pays for computing a date without snapshots; the others find it in the cache, as a second
    report of the same day would."""
    from reports.actions import render_report
    from reports.models import Report
    from reports.tables import build_report_data

    timings = []
    for file_format in formats or Report.Format.values:
        started = time.perf_counter()
        data = build_report_data(as_of=as_of, compare_to=compare_to)
        content = render_report(
            data, file_format, generated_at=timezone.now(), generated_by="benchmark"
        )
        timings.append(
            ReportTiming(
                file_format, as_of, compare_to, time.perf_counter() - started, len(content)
            )
        )
    return timings


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
