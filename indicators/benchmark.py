"""Benchmark of the sector-figure recompute against the floor (see design/performance.md).

Plain functions; the command ``benchmark_indicators`` calls them and prints the tables:

- ``generate_data``: fictional institutions and answers at a chosen scale, in the current database
  (COPY on PostgreSQL, bulk inserts elsewhere). Codes start with a letter (``X001``): real BRIN
  codes and the demo codes start with two digits, so they cannot clash.
- ``time_recompute``: the full ``actions.recompute`` as the nightly job runs it.
- ``floor_figures``: the same figures (every target on every as-of date of the series) from ONE
  hand-written query: the floor the recompute is compared with. On PostgreSQL each answer's
  validity interval is turned into the month numbers it covers with an integer
  ``generate_series`` (no range join of dates to answers) and quartiles come from
  ``percentile_disc``; on SQLite the interval form joined to the list of dates.
- ``compare``: the floor's figures against the stored snapshots, figure by figure.
- ``measure_pages``: server time and number of queries of the public dashboard pages.
- ``delete_generated``: removes what ``generate_data`` made.

The SQL of the floor lives here, not in indicators/queries.py: it is a measuring stick for the
application's query, not a read of the application.
"""

import datetime
import random
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from indicators import actions
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
    *, institutions: int, months: int, today: datetime.date, seed: int = 2026
) -> Generated:
    """Fictional institutions and answers at this scale (earlier generated data is replaced)."""
    if not 1 <= institutions <= MAX_INSTITUTIONS:
        raise ValueError(f"institutions must be between 1 and {MAX_INSTITUTIONS}")
    started = time.perf_counter()
    delete_generated()
    rows = []
    for number in range(institutions):
        active_from, active_to = datetime.date(2020, 1, 1), None
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
    # Read before the rows are streamed: no query may run on the connection during a COPY.
    targets = [(t.pk, value_field(t)) for t in answerable_targets()]
    answers = _answer_rows(created, targets, months, today, seed)
    count = (
        _copy_answers(answers) if connection.vendor == "postgresql" else _insert_answers(answers)
    )
    _analyze()
    return Generated(len(created), count, time.perf_counter() - started)


_ANSWER_COLUMNS = ["institution_id", "target_id", "status", "score", "percentage", "applies_on",
                   "entered_at", "explanation", "evidence_url", "source"]  # fmt: skip


def _copy_answers(rows: Iterator[tuple]) -> int:
    table = Answer._meta.db_table
    columns = ", ".join(_ANSWER_COLUMNS)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((*row, "", "", Answer.Source.IMPORT))
            count += 1
    return count


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
    if "LEAD(a.applies_on)" in sql:
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
    dates = actions.series_dates(actions.series_start(), today)
    with CaptureQueriesContext(connection) as captured:
        actions.compute_series(list(SectorTarget.objects.all()), dates)
    return next(q["sql"] for q in captured.captured_queries if "LEAD(" in q["sql"])


def explain(sql: str, params: Sequence = ()) -> str:
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


def _status_columns() -> str:
    return ",\n".join(
        f"COUNT(*) FILTER (WHERE c.status = '{s}') AS n_{i}"
        if connection.vendor == "postgresql"
        else f"SUM(CASE WHEN c.status = '{s}' THEN 1 ELSE 0 END) AS n_{i}"
        for i, s in enumerate(STATUSES)
    )


# Everything after the per-(target, date) aggregates: every target on every date, with the
# figure by the target's measure (the definitions in indicators/queries.py).
_FIGURES_SELECT = """
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
           {status_sums},
           g.mean_score, g.low, g.q1, g.median, g.q3, g.high,
           COALESCE(g.at_least, 0), g.mean_percentage, COALESCE(g.at_goal, 0)
    FROM {target} t
    CROSS JOIN dates d
    JOIN active act ON act.as_of = d.as_of
    LEFT JOIN figures g ON g.target_id = t.id AND g.as_of = d.as_of
"""

_ACTIVE_CTE = """
    active AS (
        SELECT d.as_of, COUNT(i.id) AS n
        FROM dates d
        LEFT JOIN {institution} i
          ON i.active_from <= d.as_of AND (i.active_to IS NULL OR d.as_of <= i.active_to)
        GROUP BY d.as_of
    )
"""

# PostgreSQL. An answer holds from its applies_on (month number from_m) until the next answer's
# (to_m); the as-of dates are month 1..n of the series, the last one being today. So the
# months an answer covers are an integer range: generate_series expands it, and a hash join on
# the month number replaces the range join of dates to intervals.
_FLOOR_POSTGRESQL = """
    WITH dates(as_of, m) AS (SELECT * FROM unnest(%(dates)s::date[]) WITH ORDINALITY),
    {active_cte},
    valid AS (
        SELECT a.target_id, a.institution_id, a.status, a.score, a.percentage,
               a.applies_on AS valid_from,
               LEAD(a.applies_on) OVER w AS valid_to
        FROM {answer} a
        WHERE a.applies_on <= %(today)s
        WINDOW w AS (PARTITION BY a.target_id, a.institution_id
                     ORDER BY a.applies_on, a.entered_at, a.id)
    ),
    covered AS (
        SELECT v.target_id, v.institution_id, v.status, v.score, v.percentage, m
        FROM valid v,
        generate_series(
            (EXTRACT(YEAR FROM v.valid_from)::int * 12 + EXTRACT(MONTH FROM v.valid_from)::int)
                - %(month_zero)s,
            CASE WHEN v.valid_to IS NULL OR v.valid_to > %(today)s THEN %(last_m)s
                 ELSE (EXTRACT(YEAR FROM v.valid_to)::int * 12
                       + EXTRACT(MONTH FROM v.valid_to)::int) - %(month_zero)s - 1
            END
        ) AS m
    ),
    figures AS (
        SELECT c.target_id, d.as_of, COUNT(*) AS answered,
               {status_columns},
               AVG(c.score) AS mean_score, MIN(c.score) AS low, MAX(c.score) AS high,
               percentile_disc(0.25) WITHIN GROUP (ORDER BY c.score) AS q1,
               percentile_disc(0.5) WITHIN GROUP (ORDER BY c.score) AS median,
               percentile_disc(0.75) WITHIN GROUP (ORDER BY c.score) AS q3,
               COUNT(*) FILTER (WHERE c.score >= t.threshold) AS at_least,
               AVG(c.percentage) AS mean_percentage,
               COUNT(*) FILTER (WHERE c.percentage >= t.goal_value) AS at_goal
        FROM covered c
        JOIN dates d ON d.m = c.m
        JOIN {institution} i ON i.id = c.institution_id
         AND i.active_from <= d.as_of AND (i.active_to IS NULL OR d.as_of <= i.active_to)
        JOIN {target} t ON t.id = c.target_id
        GROUP BY c.target_id, d.as_of
    )
"""

# SQLite: the validity-interval form (an answer covers the dates D with valid_from <= D <
# valid_to), joined to the list of dates; quartiles by rank among the scored answers.
_FLOOR_SQLITE = """
    WITH dates(as_of) AS (VALUES {date_rows}),
    {active_cte},
    valid AS (
        SELECT a.target_id, a.institution_id, a.status, a.score, a.percentage,
               a.applies_on AS valid_from,
               LEAD(a.applies_on) OVER (PARTITION BY a.target_id, a.institution_id
                                        ORDER BY a.applies_on, a.entered_at, a.id) AS valid_to
        FROM {answer} a
    ),
    covered AS (
        SELECT d.as_of, v.target_id, v.status, v.score, v.percentage,
               ROW_NUMBER() OVER (PARTITION BY v.target_id, d.as_of
                                  ORDER BY v.score IS NULL, v.score) AS score_rank,
               COUNT(v.score) OVER (PARTITION BY v.target_id, d.as_of) AS scored
        FROM valid v
        JOIN dates d ON v.valid_from <= d.as_of AND (v.valid_to IS NULL OR d.as_of < v.valid_to)
        JOIN {institution} i ON i.id = v.institution_id
         AND i.active_from <= d.as_of AND (i.active_to IS NULL OR d.as_of <= i.active_to)
    ),
    figures AS (
        SELECT c.target_id, c.as_of, COUNT(*) AS answered,
               {status_columns},
               AVG(c.score) AS mean_score, MIN(c.score) AS low, MAX(c.score) AS high,
               MIN(CASE WHEN c.score_rank * 4 >= c.scored THEN c.score END) AS q1,
               MIN(CASE WHEN c.score_rank * 2 >= c.scored THEN c.score END) AS median,
               MIN(CASE WHEN c.score_rank * 4 >= 3 * c.scored THEN c.score END) AS q3,
               SUM(CASE WHEN c.score >= t.threshold THEN 1 ELSE 0 END) AS at_least,
               AVG(c.percentage) AS mean_percentage,
               SUM(CASE WHEN c.percentage >= t.goal_value THEN 1 ELSE 0 END) AS at_goal
        FROM covered c
        JOIN {target} t ON t.id = c.target_id
        GROUP BY c.target_id, c.as_of
    )
"""


def _month_number(day: datetime.date) -> int:
    return day.year * 12 + day.month


def floor_sql(dates: Sequence[datetime.date], today: datetime.date) -> tuple[str, dict | list]:
    """The floor query for these as-of dates (the series: month ends, then today)."""
    tables = {
        "answer": Answer._meta.db_table,
        "institution": Institution._meta.db_table,
        "target": SectorTarget._meta.db_table,
    }
    common = {
        "active_cte": _ACTIVE_CTE.format(**tables),
        "status_columns": _status_columns(),
        **tables,
    }
    final = _FIGURES_SELECT.format(
        realised=STATUSES.index(AnswerStatus.REALISED),
        status_sums=", ".join(f"COALESCE(g.n_{i}, 0)" for i in range(len(STATUSES))),
        **tables,
    )
    if connection.vendor == "postgresql":
        # Month m of the series is dates[m]: the month ends of the months from the first one,
        # and today as the last (in today's month, whether or not today is a month end).
        if dates[-1] != today or len(dates) != _month_number(today) - _month_number(dates[0]) + 1:
            raise ValueError("the floor needs the series: every month end, then today")
        sql = _FLOOR_POSTGRESQL.format(**common) + final
        params = {
            "dates": list(dates),
            "today": today,
            "month_zero": _month_number(dates[0]) - 1,
            "last_m": len(dates),
        }
        return sql, params
    sql = _FLOOR_SQLITE.format(date_rows=", ".join("(%s)" for _ in dates), **common) + final
    return sql, [d.isoformat() for d in dates]


def _float(value) -> float | None:
    return None if value is None else float(value)


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


FloorFigures = dict[tuple[int, datetime.date], FloorFigure]


def floor_figures(*, today: datetime.date) -> tuple[FloorFigures, float]:
    """Every target's figure on every date of the series, by one query; and its time."""
    started = time.perf_counter()
    dates = actions.series_dates(actions.series_start(), today)
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
