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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, QuerySet, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber

from indicators.models import RecomputeRun, Snapshot
from institutions.models import Answer, AnswerStatus, Institution
from themes.models import SectorTarget

STATUSES = AnswerStatus.values
# (read_from, read_until): read only the answers that count on some day between the two.
Reading = tuple[datetime.date, datetime.date | None]


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
    target_ids: Iterable[int],
    dates: Sequence[datetime.date],
    *,
    read_from: datetime.date | None = None,
    institution_ids: Sequence[int] | None = None,
) -> dict[tuple[int, datetime.date], RawFigure]:
    """Per (target id, as-of date) with at least one answer: counts per status, the mean,
    quartiles (nearest rank), min and max of scores (mean_score targets), how many reach the
    target's threshold, the mean percentage and how many reach the goal. Dates without answers
    are absent.

    Month ends, and one last date after them (a series' "today", or a single as-of date), come
    from running sums of the answers' changes (_running_figures: linear in the answers). Any
    other date, such as a report's comparison date in the middle, from the interval join.

    ``read_from`` (on or before the first date): read only the answers that still count on or
    after that day, i.e. each institution's latest answer on or before it and the answers after
    it up to the last date (_picked_answers_cte). An incremental recompute or a single as-of
    date then costs the months it covers and one index probe per institution and target, not
    the whole history.

    ``institution_ids`` (rounds: figures of approved answers only): read only the answers of
    these institutions; the others count as not answered. None: every institution."""
    target_ids = list(target_ids)
    if institution_ids is not None:
        institution_ids = list(institution_ids)
    if not target_ids or not dates or institution_ids == []:
        return {}
    dates = sorted(set(dates))
    if read_from is not None and read_from > dates[0]:
        raise ValueError("read_from must not be after the first date")
    month_ends = [d for d in dates if d == _month_end(d)]
    # One last date after the month ends, in the month after the last of them (or alone).
    last = dates[-1]
    tail = None
    if last != _month_end(last) and (
        not month_ends or _month_number(last) == _month_number(month_ends[-1]) + 1
    ):
        tail = last
    middle = [d for d in dates if d != _month_end(d) and d != tail]
    # With read_from, the answers after the last date are not read either: they change no
    # figure up to it (an answer's end beyond the last date is as good as no end).
    reading = None if read_from is None else (read_from, dates[-1])
    figures = _running_figures(target_ids, month_ends, tail, reading, institution_ids)
    if middle:
        figures.update(_figures_by_interval_join(target_ids, middle, reading, institution_ids))
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


def _valid_answers_cte(
    target_ids: list[int],
    reading: Reading | None,
    extra: tuple[str, list] = ("", []),
    *,
    dates: bool = True,
    institution_ids: list[int] | None = None,
) -> tuple[str, list]:
    """The CTE ``valid`` (and its parameters): each answer of the targets with the day the next
    answer of its institution replaces it (valid_to; NULL while it is the latest). Ties on a day
    go to the later entry, then the higher id. With ``reading``: only the answers that count
    on some day from its first to its last day (_picked_answers_cte). ``extra``: more columns
    (SQL after a comma, and its parameters), which may use the window ``w``; without
    ``dates``, no valid_from and valid_to (a window function less per answer).
    ``institution_ids``: only the answers of these institutions (see answer_figures)."""
    answer = Answer._meta.db_table
    target_marks = ", ".join("%s" for _ in target_ids)
    extra_sql, extra_params = extra
    source, source_params = f"{answer} a WHERE a.target_id IN ({target_marks})", list(target_ids)
    picked, picked_params = "", []
    if reading is not None:
        picked_sql, picked_params = _picked_answers_cte(target_ids, *reading)
        picked, source, source_params = f"{picked_sql},\n", "picked a", []
    if institution_ids is not None:
        marks = ", ".join("%s" for _ in institution_ids)
        source += f" {'WHERE' if reading is not None else 'AND'} a.institution_id IN ({marks})"
        source_params = [*source_params, *institution_ids]
    date_columns = ", a.applies_on AS valid_from, LEAD(a.applies_on) OVER w AS valid_to"
    return (
        f"""{picked}valid AS (
            SELECT a.target_id, a.institution_id, a.status, a.score, a.percentage
                   {date_columns if dates else ""}
                   {extra_sql}
            FROM {source}
            WINDOW w AS (
                PARTITION BY a.target_id, a.institution_id
                ORDER BY a.applies_on, a.entered_at, a.id
            )
        )""",  # noqa: S608 (the table name from the model; values are parameters)
        [*picked_params, *extra_params, *source_params],
    )


def _picked_answers_cte(
    target_ids: list[int], read_from: datetime.date, read_until: datetime.date | None = None
) -> tuple[str, list]:
    """The CTE ``picked``: the answers of the targets that count on a day from ``read_from``
    to ``read_until`` (no end when None).

    An answer replaced on or before read_from counts on no later day, so these are: per
    institution and target its latest answer on or before read_from (one probe of the index
    answer_latest_per_target each, however long the history), and every answer after it up to
    read_until (a range of the index answer_target_date). A UNION ALL of the two, not an OR:
    an OR would make PostgreSQL filter every answer of the target."""
    answer = Answer._meta.db_table
    institution = Institution._meta.db_table
    target = SectorTarget._meta.db_table
    marks = ", ".join("%s" for _ in target_ids)
    day = _date_param(read_from)
    until, until_params = "", []
    if read_until is not None:
        until, until_params = "AND a.applies_on <= %s", [_date_param(read_until)]
    # PostgreSQL: = ANY(ARRAY(...)), not IN (...): with hundreds of thousands of probes the
    # planner would hash them and scan every answer; an array is looked up by primary key.
    in_probes, end_probes = (
        ("= ANY(ARRAY", ")") if connection.vendor == "postgresql" else ("IN ", "")
    )
    sql = f"""picked AS (
            SELECT a.id, a.target_id, a.institution_id, a.status, a.score, a.percentage,
                   a.applies_on, a.entered_at
            FROM {answer} a
            WHERE a.target_id IN ({marks}) AND a.applies_on > %s {until}
            UNION ALL
            SELECT a.id, a.target_id, a.institution_id, a.status, a.score, a.percentage,
                   a.applies_on, a.entered_at
            FROM {answer} a
            WHERE a.id {in_probes}(
                SELECT (
                    SELECT b.id FROM {answer} b
                    WHERE b.target_id = t.id AND b.institution_id = i.id AND b.applies_on <= %s
                    ORDER BY b.applies_on DESC, b.entered_at DESC, b.id DESC
                    LIMIT 1
                )
                FROM {target} t CROSS JOIN {institution} i
                WHERE t.id IN ({marks}) AND (i.active_to IS NULL OR i.active_to >= %s)
            ){end_probes}
        )"""  # noqa: S608 (table names from the models; values are parameters)
    return sql, [*target_ids, day, *until_params, day, *target_ids, day]


def _running_figures(
    target_ids: list[int],
    month_ends: list[datetime.date],
    tail: datetime.date | None,
    reading: Reading | None = None,
    institution_ids: list[int] | None = None,
) -> dict[tuple[int, datetime.date], RawFigure]:
    """answer_figures for month ends and one date after them, linear in the answers.

    An answer counts on the as-of dates from the later of its applies_on and its
    institution's first day, up to (not including) the day it stops counting: the next
    answer, or the day after the institution's last day. In positions (_position_sql) that is
    [first, until). The database groups the answers by (target, first, until, score of a
    mean_score target): one pass over the answers, a few thousand groups, whatever the number
    of institutions. Each group adds itself at ``first`` and takes itself away at ``until``;
    running sums along the dates give every figure.

    On PostgreSQL it goes one target at a time (on FIGURES_PARALLEL_QUERIES connections at
    once): the window's sort then holds one target's answers in memory (2 M at 20,000
    institutions x 10 years) instead of spilling all of them to disk, and the groups of the
    parts simply add up.
    """
    if not month_ends and tail is None:
        return {}
    if connection.vendor == "postgresql":
        groups = _in_parallel(
            [
                (_running_groups, [target_id], tail, reading, institution_ids)
                for target_id in target_ids
            ]
        )
    else:
        groups = _running_groups(target_ids, tail, reading, institution_ids)
    wanted = [(_month_number(d), d) for d in [*month_ends, *([tail] if tail else [])]]
    return _walk_changes(groups, wanted)


def _in_parallel(calls: list[tuple]) -> list:
    """The rows of every ``(function, *arguments)`` call, added up; on PostgreSQL outside a
    transaction on up to FIGURES_PARALLEL_QUERIES connections at once (one per thread), so that
    a full recompute uses every core of the database server. Inside a transaction (tests, a
    caller's atomic block) one after the other, on this connection, which sees its data."""
    workers = min(settings.FIGURES_PARALLEL_QUERIES, len(calls))
    if workers <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [row for function, *arguments in calls for row in function(*arguments)]

    def run(call):
        function, *arguments = call
        try:
            return function(*arguments)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [row for rows in pool.map(run, calls) for row in rows]


def _running_groups(
    target_ids: list[int],
    tail: datetime.date | None,
    reading: Reading | None,
    institution_ids: list[int] | None = None,
) -> list[tuple]:
    """Rows: (target id, first position, until position, score of a mean_score target or NULL,
    answers, answers per status..., with a score, score sum, at least the threshold, with a
    percentage, percentage sum, at the goal); see _running_figures."""
    # Positions are computed once per answer (its applies_on, and the next one's through the
    # window) and once per institution (its first day, the day after its last): positions
    # follow the dates, so the later of two dates has the later position. Date arithmetic per
    # answer was most of this query's time.
    postgresql = connection.vendor == "postgresql"
    from_sql, from_params = _position_sql("a.applies_on", tail)
    after_last_day = "i.active_to + 1" if postgresql else "date(i.active_to, '+1 day')"
    first_day_sql, first_day_params = _position_sql("i.active_from", tail)
    end_sql, end_params = _position_sql(after_last_day, tail)
    if postgresql:  # GREATEST and LEAST skip NULLs
        first, until = "GREATEST(v.from_pos, p.first_pos)", "LEAST(v.to_pos, p.end_pos)"
    else:
        first = "MAX(v.from_pos, p.first_pos)"
        until = (
            "CASE WHEN v.to_pos IS NULL THEN p.end_pos WHEN p.end_pos IS NULL THEN v.to_pos"
            " ELSE MIN(v.to_pos, p.end_pos) END"
        )
    institution = Institution._meta.db_table
    target = SectorTarget._meta.db_table
    valid_sql, valid_params = _valid_answers_cte(
        target_ids,
        reading,
        (
            f", {from_sql} AS from_pos, LEAD({from_sql}) OVER w AS to_pos",
            [*from_params, *from_params],
        ),
        dates=False,
        institution_ids=institution_ids,
    )
    status_columns = ",\n".join("SUM(CASE WHEN s.status = %s THEN 1 ELSE 0 END)" for _ in STATUSES)
    score_key = "CASE WHEN t.measure = 'mean_score' THEN s.score END"
    threshold, goal, target_join, target_params = "t.threshold", "t.goal_value", True, []
    if len(target_ids) == 1:
        # One target: its measure, threshold and goal as constants, not a join on every answer.
        one = SectorTarget.objects.values("measure", "threshold", "goal_value").get(
            pk=target_ids[0]
        )
        score_key = "s.score" if one["measure"] == SectorTarget.Measure.MEAN_SCORE else "NULL"
        threshold, goal, target_join = "%s", "%s", False
        target_params = [one["threshold"], one["goal_value"]]
    join = f"JOIN {target} t ON t.id = s.target_id" if target_join else ""
    # PostgreSQL refuses a constant (NULL) in GROUP BY.
    score_group = "" if score_key == "NULL" else f", {score_key}"
    sql = f"""
        WITH {valid_sql},
        periods AS (
            SELECT i.id, {first_day_sql} AS first_pos, {end_sql} AS end_pos
            FROM {institution} i
        ),
        spans AS (
            SELECT v.target_id, v.status, v.score, v.percentage,
                   {first} AS first_pos,
                   {until} AS until_pos
            FROM valid v
            JOIN periods p ON p.id = v.institution_id
        )
        SELECT s.target_id, s.first_pos, s.until_pos, {score_key},
               COUNT(*),
               {status_columns},
               COUNT(s.score),
               -- In tenths and hundredths (the columns' decimal places): whole numbers, so
               -- that adding and taking away along the dates is exact on SQLite's floats too.
               SUM(CAST(ROUND(s.score * 10) AS INTEGER)),
               SUM(CASE WHEN s.score >= {threshold} THEN 1 ELSE 0 END),
               COUNT(s.percentage),
               SUM(CAST(ROUND(s.percentage * 100) AS INTEGER)),
               SUM(CASE WHEN s.percentage >= {goal} THEN 1 ELSE 0 END)
        FROM spans s
        {join}
        GROUP BY s.target_id, s.first_pos, s.until_pos{score_group}
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
            if reading is not None:
                # The probes' estimated cost passes jit_above_cost; compiling (50-500 ms) costs
                # more than the query itself (a few hundred ms at 20,000 institutions).
                cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            sql, [*valid_params, *first_day_params, *end_params, *STATUSES, *target_params]
        )
        return cursor.fetchall()


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
                mean_score=score_sum / (10 * scored) if scored else None,
                score_quartiles=_nearest_rank_quartiles(scores),
                at_least_threshold=int(totals[3 + n]),
                mean_percentage=(
                    percentage_sum / (100 * with_percentage) if with_percentage else None
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
    target_ids: Iterable[int],
    dates: Sequence[datetime.date],
    reading: Reading | None = None,
    institution_ids: list[int] | None = None,
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
    valid_sql, valid_params = _valid_answers_cte(
        target_ids, reading, institution_ids=institution_ids
    )
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
        {valid_sql},
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
        cursor.execute(sql, [*params, *valid_params, *STATUSES])
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


def current_answers(target_ids: Sequence[int], as_of: datetime.date) -> QuerySet[Answer]:
    """Each institution's answer per target as of ``as_of`` (the latest on or before it; ties:
    the later entry, then the higher id), found with one probe of the index
    answer_latest_per_target per institution and target: the work grows with institutions x
    targets, not with the history. Rows: Answer objects."""
    target_ids = list(target_ids)
    if not target_ids:
        return Answer.objects.none()
    # From as_of to as_of: the range half of the CTE is empty, the probes find the answers.
    picked, params = _picked_answers_cte(target_ids, as_of, as_of)
    sql = f"WITH {picked} SELECT id FROM picked"  # noqa: S608 (see _picked_answers_cte)
    return Answer.objects.filter(pk__in=RawSQL(sql, params))  # noqa: S611 (parameters)


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
