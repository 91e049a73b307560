"""The floor: the same sector figures as the recompute (every target on every as-of date of the
series) from ONE hand-written query, and whether the stored snapshots agree with it.

Better than the interval form of design/performance.md: the answers are grouped by the range of
as-of dates they count on, so the join to the dates is over a few thousand groups instead of
every answer (see _FLOOR_SQL). The same query on PostgreSQL and SQLite.

The SQL lives here, not in indicators/queries.py: it is a measuring stick for the application's
query, not a read of the application.
"""

import datetime
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from indicators import series
from indicators.models import Snapshot
from institutions.models import Answer, AnswerStatus, Institution
from themes.models import SectorTarget

STATUSES = AnswerStatus.values


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
