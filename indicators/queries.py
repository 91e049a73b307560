"""Sector figures from the answers, computed in the database.

The definition (issue "Sector indicators"): for a target and an as-of date D, the active
institutions are those active on D; an institution's answer is its latest answer that applies
on or before D (ties: the later entry wins). Institutions without an answer count as not
adopted for share measures; coverage = answered / active.

How: an answer is valid over an interval. ``lead(applies_on)`` over (target, institution)
ordered by (applies_on, entered_at, id) gives the day the next answer replaces it; the answer
covers the dates D with valid_from <= D < valid_to. Joining the intervals to the list of dates
and aggregating per (target, D) gives every figure of a whole series in one query, on SQLite
and PostgreSQL alike. An earlier entry on the same day gets an empty interval, so the later
entry wins. No Python loop over institutions or answers.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Max, Window
from django.db.models.functions import RowNumber

from indicators.models import RecomputeRun, Snapshot
from institutions.models import Answer, AnswerStatus, Institution
from themes.models import SectorTarget

STATUSES = AnswerStatus.values


@dataclass
class RawFigure:
    """Aggregates of one target on one date, straight from the database."""

    target_id: int
    as_of: datetime.date
    answered: int = 0
    status_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    mean_score: float | None = None
    score_quartiles: tuple[float | None, ...] = (None, None, None, None, None)
    at_least_threshold: int = 0
    mean_percentage: float | None = None
    percentage_at_goal: int = 0


def _date_param(day: datetime.date):
    return connection.ops.adapt_datefield_value(day)


def _dates_cte(dates: Sequence[datetime.date]) -> tuple[str, list]:
    # A VALUES list of the as-of dates; PostgreSQL needs the type said once.
    cast = "::date" if connection.vendor == "postgresql" else ""
    rows = ", ".join(f"(%s{cast})" for _ in dates)
    return f"dates(as_of) AS (VALUES {rows})", [_date_param(d) for d in dates]


def active_institution_counts(dates: Sequence[datetime.date]) -> dict[datetime.date, int]:
    """Rows: {as_of: number of institutions active on that date}."""
    if not dates:
        return {}
    dates_sql, params = _dates_cte(dates)
    institution = Institution._meta.db_table
    sql = f"""
        WITH {dates_sql}
        SELECT d.as_of, COUNT(i.id)
        FROM dates d
        LEFT JOIN {institution} i
          ON i.active_from <= d.as_of AND (i.active_to IS NULL OR d.as_of <= i.active_to)
        GROUP BY d.as_of
    """  # noqa: S608 (table names from the models; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {_as_date(day): count for day, count in cursor.fetchall()}


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def _optional_float(value) -> float | None:
    return None if value is None else float(value)


def answer_figures(
    target_ids: Iterable[int], dates: Sequence[datetime.date]
) -> dict[tuple[int, datetime.date], RawFigure]:
    """Per (target id, as-of date) with at least one answer: counts per status, the mean,
    quartiles (nearest rank), min and max of scores, how many reach the target's threshold,
    the mean percentage and how many reach the goal. Dates without answers are absent."""
    target_ids = list(target_ids)
    if not target_ids or not dates:
        return {}
    dates_sql, params = _dates_cte(dates)
    answer = Answer._meta.db_table
    institution = Institution._meta.db_table
    target = SectorTarget._meta.db_table
    target_marks = ", ".join("%s" for _ in target_ids)
    status_columns = ",\n".join(
        f"SUM(CASE WHEN c.status = %s THEN 1 ELSE 0 END) AS n_{i}" for i in range(len(STATUSES))
    )
    # Nearest-rank quartiles: the smallest score whose rank reaches p * n.
    quartile_columns = ",\n".join(
        f"MIN(CASE WHEN c.score_rank >= {p} * c.scored THEN c.score END) AS q_{int(p * 100)}"
        for p in (0.25, 0.5, 0.75)
    )
    sql = f"""
        WITH {dates_sql},
        valid AS (
            SELECT a.target_id, a.institution_id, a.status, a.score, a.percentage,
                   a.applies_on AS valid_from,
                   LEAD(a.applies_on) OVER (
                       PARTITION BY a.target_id, a.institution_id
                       ORDER BY a.applies_on, a.entered_at, a.id
                   ) AS valid_to
            FROM {answer} a
            WHERE a.target_id IN ({target_marks})
        ),
        current_answers AS (
            SELECT d.as_of, v.target_id, v.institution_id, v.status, v.score, v.percentage
            FROM valid v
            JOIN dates d ON v.valid_from <= d.as_of AND (v.valid_to IS NULL OR d.as_of < v.valid_to)
            JOIN {institution} i ON i.id = v.institution_id
             AND i.active_from <= d.as_of AND (i.active_to IS NULL OR d.as_of <= i.active_to)
        ),
        -- Scores first, NULLs (status or percentage answers) last on both databases:
        -- SQLite sorts NULL first by default, PostgreSQL last.
        ranked AS (
            SELECT ca.*,
                   ROW_NUMBER() OVER (
                       PARTITION BY ca.target_id, ca.as_of ORDER BY ca.score IS NULL, ca.score
                   ) AS score_rank,
                   COUNT(ca.score) OVER (PARTITION BY ca.target_id, ca.as_of) AS scored
            FROM current_answers ca
        )
        SELECT c.target_id, c.as_of, COUNT(*) AS answered,
               {status_columns},
               AVG(c.score), MIN(c.score), {quartile_columns}, MAX(c.score),
               SUM(CASE WHEN c.score >= t.threshold THEN 1 ELSE 0 END),
               AVG(c.percentage),
               SUM(CASE WHEN c.percentage >= t.goal_value THEN 1 ELSE 0 END)
        FROM ranked c
        JOIN {target} t ON t.id = c.target_id
        GROUP BY c.target_id, c.as_of
    """  # noqa: S608 (table names from the models; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *target_ids, *STATUSES])
        rows = cursor.fetchall()
    figures = {}
    n = len(STATUSES)
    for row in rows:
        target_id, as_of, answered = row[0], _as_date(row[1]), row[2]
        counts = dict(zip(STATUSES, (int(c or 0) for c in row[3 : 3 + n]), strict=True))
        rest = row[3 + n :]
        figures[(target_id, as_of)] = RawFigure(
            target_id=target_id,
            as_of=as_of,
            answered=answered,
            status_counts=counts,
            mean_score=_optional_float(rest[0]),
            score_quartiles=tuple(_optional_float(v) for v in rest[1:6]),
            at_least_threshold=int(rest[6] or 0),
            mean_percentage=_optional_float(rest[7]),
            percentage_at_goal=int(rest[8] or 0),
        )
    return figures


# --- Reads of the stored snapshots (dashboards, API) ------------------------------------------


def latest_snapshots(targets: Iterable[SectorTarget] | None = None) -> dict[int, Snapshot]:
    """Per target id its most recent snapshot ("now"). One query."""
    snapshots = Snapshot.objects.all()
    if targets is not None:
        snapshots = snapshots.filter(target__in=list(targets))
    ranked = snapshots.annotate(
        position=Window(RowNumber(), partition_by=[F("target")], order_by=F("as_of").desc())
    ).filter(position=1)
    return {snapshot.target_id: snapshot for snapshot in ranked}


def target_series(target: SectorTarget) -> list[Snapshot]:
    """The target's snapshots in date order: the month ends and "now"."""
    return list(Snapshot.objects.filter(target=target).order_by("as_of"))


def figures_version() -> str:
    """Changes whenever any snapshot is written or removed: a cache key for rendered figures.
    One aggregate query over the snapshot table's primary key and timestamps."""
    version = Snapshot.objects.aggregate(
        newest_id=Max("id"), newest=Max("computed_at"), count=Count("id")
    )
    return f"{version['newest_id']}-{version['count']}-{version['newest']}"


def last_recompute():
    """The most recent finished recompute (successful or not), or None."""
    return RecomputeRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
