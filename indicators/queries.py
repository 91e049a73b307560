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

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
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
    quartiles (nearest rank), min and max of scores (mean_score targets), how many reach the
    target's threshold, the mean percentage and how many reach the goal. Dates without answers
    are absent.

    Month ends, and one last date after them (a series' "today", or a single as-of date), come
    from running sums of the answers' changes (_running_figures: linear in the answers). Any
    other date, such as a report's comparison date in the middle, from the interval join."""
    target_ids = list(target_ids)
    if not target_ids or not dates:
        return {}
    dates = sorted(set(dates))
    month_ends = [d for d in dates if d == _month_end(d)]
    # One last date after the month ends, in the month after the last of them (or alone).
    last = dates[-1]
    tail = None
    if last != _month_end(last) and (
        not month_ends or _month_number(last) == _month_number(month_ends[-1]) + 1
    ):
        tail = last
    middle = [d for d in dates if d != _month_end(d) and d != tail]
    figures = _running_figures(target_ids, month_ends, tail)
    if middle:
        figures.update(_figures_by_interval_join(target_ids, middle))
    return figures


def _month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _month_number(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _month_number_sql(expression: str) -> str:
    """SQL for year * 12 + month - 1 of a date."""
    if connection.vendor == "postgresql":
        # date_part, not EXTRACT: EXTRACT computes in numeric since PostgreSQL 14, several
        # times slower over millions of rows.
        return (
            f"(date_part('year', {expression})::int * 12"
            f" + date_part('month', {expression})::int - 1)"
        )
    return (
        f"(CAST(strftime('%%Y', {expression}) AS INTEGER) * 12"
        f" + CAST(strftime('%%m', {expression}) AS INTEGER) - 1)"
    )


def _position_sql(expression: str, tail: datetime.date | None) -> tuple[str, list]:
    """SQL (and its parameters) for the position of a day among the as-of dates: the dates on
    or after the day are the ones at or after its position.

    Month end M_k sits at k, its month number, and M_k >= day exactly when k >= the day's
    month number. ``tail`` lies in the month after the last month end, so it sits at its own
    month number; a day after the tail in that month moves one position on, past it.
    """
    if tail is None:
        return _month_number_sql(expression), []
    cast = "::date" if connection.vendor == "postgresql" else ""
    after_tail = f"CASE WHEN {expression} > %s{cast} THEN 1 ELSE 0 END"
    return f"({_month_number_sql(expression)} + {after_tail})", [_date_param(tail)]


def _valid_answers_cte(target_marks: str) -> str:
    """The CTE ``valid``: each answer of the targets with the day the next answer of its
    institution replaces it (valid_to; NULL while it is the latest). Ties on a day go to the
    later entry, then the higher id."""
    answer = Answer._meta.db_table
    return f"""valid AS (
            SELECT a.target_id, a.institution_id, a.status, a.score, a.percentage,
                   a.applies_on AS valid_from,
                   LEAD(a.applies_on) OVER (
                       PARTITION BY a.target_id, a.institution_id
                       ORDER BY a.applies_on, a.entered_at, a.id
                   ) AS valid_to
            FROM {answer} a
            WHERE a.target_id IN ({target_marks})
        )"""  # noqa: S608 (the table name from the model; values are parameters)


def _counted_until_sql() -> str:
    """The first day an answer no longer counts: the day the next answer replaces it or the
    day after the institution's last day, whichever comes first; NULL when neither."""
    if connection.vendor == "postgresql":
        return "LEAST(v.valid_to, i.active_to + 1)"  # LEAST skips NULLs
    after_last_day = "date(i.active_to, '+1 day')"
    return (
        f"CASE WHEN v.valid_to IS NULL THEN {after_last_day}"
        f" WHEN i.active_to IS NULL THEN v.valid_to"
        f" ELSE MIN(v.valid_to, {after_last_day}) END"
    )


def _running_figures(
    target_ids: list[int], month_ends: list[datetime.date], tail: datetime.date | None
) -> dict[tuple[int, datetime.date], RawFigure]:
    """answer_figures for month ends and one date after them, linear in the answers.

    An answer counts on the as-of dates from the later of its applies_on and its
    institution's first day, up to (not including) the day it stops counting: the next
    answer, or the day after the institution's last day. In positions (_position_sql) that is
    [first, until). The database groups the answers by (target, first, until, score of a
    mean_score target): one pass over the answers, a few thousand groups, whatever the number
    of institutions. Each group adds itself at ``first`` and takes itself away at ``until``;
    running sums along the dates give every figure.
    """
    if not month_ends and tail is None:
        return {}
    lower = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    first_sql, first_params = _position_sql(f"{lower}(v.valid_from, i.active_from)", tail)
    until_sql, until_params = _position_sql(_counted_until_sql(), tail)
    institution = Institution._meta.db_table
    target = SectorTarget._meta.db_table
    target_marks = ", ".join("%s" for _ in target_ids)
    status_columns = ",\n".join("SUM(CASE WHEN s.status = %s THEN 1 ELSE 0 END)" for _ in STATUSES)
    score_key = "CASE WHEN t.measure = 'mean_score' THEN s.score END"
    sql = f"""
        WITH {_valid_answers_cte(target_marks)},
        spans AS (
            SELECT v.target_id, v.status, v.score, v.percentage,
                   {first_sql} AS first_pos,
                   {until_sql} AS until_pos
            FROM valid v
            JOIN {institution} i ON i.id = v.institution_id
        )
        SELECT s.target_id, s.first_pos, s.until_pos, {score_key},
               COUNT(*),
               {status_columns},
               COUNT(s.score),
               SUM(s.score),
               SUM(CASE WHEN s.score >= t.threshold THEN 1 ELSE 0 END),
               COUNT(s.percentage),
               SUM(s.percentage),
               SUM(CASE WHEN s.percentage >= t.goal_value THEN 1 ELSE 0 END)
        FROM spans s
        JOIN {target} t ON t.id = s.target_id
        GROUP BY s.target_id, s.first_pos, s.until_pos, {score_key}
        -- On the groups, not on every answer: an answer replaced before it counted on any
        -- date (two on one day, or one before its institution started) adds nothing.
        HAVING s.until_pos IS NULL OR s.first_pos < s.until_pos
    """  # noqa: S608 (table names from the models; values are parameters)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner expects a group per answer (it cannot see through the positions)
            # and would sort every answer to disk; there are a few thousand groups, which a
            # hash aggregate keeps in a few MB. Memory it may plan with, for this query only.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, [*target_ids, *first_params, *until_params, *STATUSES])
        groups = cursor.fetchall()
    wanted = [(_month_number(d), d) for d in [*month_ends, *([tail] if tail else [])]]
    return _walk_changes(groups, wanted)


def _walk_changes(groups, wanted: list[tuple[int, datetime.date]]):
    """The running sums of the groups' changes at the wanted (position, date)s. Work per target:
    its groups and dates, not its answers."""
    n = len(STATUSES)
    # Per target: position -> change of (answered, statuses..., scored, score sum, at least,
    # with percentage, percentage sum, at goal), and position -> change per score.
    changes: dict[int, dict[int, list]] = {}
    score_changes: dict[int, dict[int, dict]] = {}
    for target_id, first, until, score, *sums in groups:
        sums = [value or 0 for value in sums]
        for position, sign in ((first, 1), (until, -1)):
            if position is None:
                continue
            totals = changes.setdefault(target_id, {}).setdefault(position, [0] * len(sums))
            for index, value in enumerate(sums):
                totals[index] += sign * value
            if score is not None:
                at = score_changes.setdefault(target_id, {}).setdefault(position, {})
                at[score] = at.get(score, 0) + sign * sums[0]
    figures = {}
    for target_id, by_position in changes.items():
        positions = sorted(by_position)
        totals = [0] * (n + 7)
        scores: dict = {}
        next_change = 0
        for position, day in wanted:
            while next_change < len(positions) and positions[next_change] <= position:
                at = positions[next_change]
                for index, value in enumerate(by_position[at]):
                    totals[index] += value
                for score, count in score_changes.get(target_id, {}).get(at, {}).items():
                    scores[score] = scores.get(score, 0) + count
                next_change += 1
            answered = int(totals[0])
            if answered <= 0:
                continue
            scored, score_sum = int(totals[1 + n]), totals[2 + n]
            with_percentage, percentage_sum = int(totals[4 + n]), totals[5 + n]
            figures[(target_id, day)] = RawFigure(
                target_id=target_id,
                as_of=day,
                answered=answered,
                status_counts=dict(zip(STATUSES, (int(c) for c in totals[1 : 1 + n]), strict=True)),
                mean_score=float(score_sum) / scored if scored else None,
                score_quartiles=_nearest_rank_quartiles(scores),
                at_least_threshold=int(totals[3 + n]),
                mean_percentage=(
                    float(percentage_sum) / with_percentage if with_percentage else None
                ),
                percentage_at_goal=int(totals[6 + n]),
            )
    return figures


def _nearest_rank_quartiles(scores: dict) -> tuple[float | None, ...]:
    """(min, q1, median, q3, max) of a score -> count table: for p, the smallest score whose
    running count reaches p * n (the interval join's definition)."""
    present = sorted((float(score), count) for score, count in scores.items() if count > 0)
    if not present:
        return (None, None, None, None, None)
    total = sum(count for _score, count in present)
    quartiles = []
    for p in (0.25, 0.5, 0.75):
        running = 0
        for score, count in present:
            running += count
            if running >= p * total:
                quartiles.append(score)
                break
    return (present[0][0], *quartiles, present[-1][0])


def _figures_by_interval_join(
    target_ids: Iterable[int], dates: Sequence[datetime.date]
) -> dict[tuple[int, datetime.date], RawFigure]:
    """answer_figures for any dates: every answer's interval joined to the dates. The work
    grows with answers x dates, so it serves the few dates that are not month ends (today,
    an as-of date someone asked for)."""
    target_ids = list(target_ids)
    if not target_ids or not dates:
        return {}
    dates_sql, params = _dates_cte(dates)
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
        {_valid_answers_cte(target_marks)},
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
