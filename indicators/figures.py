"""From database aggregates to a target's figure, and its progress against the goal.

Pure functions on a handful of numbers per target and date: no queries, no loops over
institutions. The method in plain Dutch: /methode/ (templates/indicators/method.html).
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.conf import settings

from indicators.models import ProgressStatus
from indicators.queries import RawFigure
from themes.models import SectorTarget
from themes.needed import SHARE_MEASURES
from themes.versions import Goal

Measure = SectorTarget.Measure


@dataclass
class Figure:
    as_of: datetime.date
    value: float | None
    coverage: float
    active: int
    answered: int
    details: dict = field(default_factory=dict)

    def is_indicative(self) -> bool:
        return self.coverage < settings.INDICATIVE_COVERAGE_BELOW


def figure_for(
    target: SectorTarget, as_of: datetime.date, raw: RawFigure | None, active: int
) -> Figure:
    """The figure of ``target`` on ``as_of`` by its measure (the definitions in queries.py)."""
    if target.measure == Measure.MILESTONE:
        # Set by staff, not by institutions: complete by definition.
        reached = target.reached_on is not None and target.reached_on <= as_of
        return Figure(as_of, 100.0 if reached else 0.0, 100.0, active, active, {"reached": reached})
    raw = raw or RawFigure(target_id=target.pk, as_of=as_of)
    coverage = 100.0 * raw.answered / active if active else 0.0

    def share(count: int) -> float | None:
        return 100.0 * count / active if active else None

    if target.measure == Measure.SHARE_ADOPTED:
        value = share(raw.status_counts["gerealiseerd"])
        details = {"statuses": raw.status_counts}
    elif target.measure == Measure.MEAN_SCORE:
        value = raw.mean_score
        low, q1, median, q3, high = raw.score_quartiles
        details = {"min": low, "q1": q1, "median": median, "q3": q3, "max": high}
    elif target.measure == Measure.SHARE_AT_LEAST:
        value = share(raw.at_least_threshold)
        details = {"at_least": raw.at_least_threshold, "mean_score": raw.mean_score}
    else:  # institution_share
        value = raw.mean_percentage
        details = {"share_at_goal": share(raw.percentage_at_goal)}
    if raw.answered == 0 and target.measure in (Measure.MEAN_SCORE, Measure.INSTITUTION_SHARE):
        value = None  # a mean of nothing is unknown, not zero
    return Figure(as_of, value, coverage, active, raw.answered, details)


@dataclass
class Progress:
    expected_value: float | None
    status: str
    projected_on: datetime.date | None
    # The first date of the current run of figures at or above the goal (status REACHED).
    reached_on: datetime.date | None = None
    # The RouteVersion (id) whose goal and deadline it was judged against; None: the live
    # route, before any version was published (themes.versions.GoalsInForce).
    route_version_id: int | None = None


def _days(start: datetime.date, end: datetime.date) -> int:
    return (end - start).days


def baseline(target: SectorTarget, series: list[Figure]) -> Figure | None:
    """The first figure with any answers: progress is measured from there."""
    return next((f for f in series if f.value is not None and f.answered > 0), None)


def goal_of(target: SectorTarget, goal: Goal | None = None) -> Goal:
    """``goal``, or the target's live goal and deadline when none is given."""
    return goal or Goal(target.goal_value, target.deadline)


def expected_on(
    target: SectorTarget, base: Figure, day: datetime.date, goal: Goal | None = None
) -> float:
    """The value on ``day`` of the straight line from the baseline to the goal at the deadline:
    the pace needed. From the deadline on it is the goal itself. ``goal``: the goal in force on
    ``day`` (themes.versions.GoalsInForce), else the target's own."""
    in_force = goal_of(target, goal)
    value = float(in_force.value)
    span = _days(base.as_of, in_force.deadline)
    if span <= 0 or day >= in_force.deadline:
        return value
    elapsed = max(0, _days(base.as_of, day))
    return base.value + (value - base.value) * elapsed / span


def reachable_goal(target: SectorTarget, goal: float, active: int) -> float:
    """The value at which a figure first reaches ``goal``. A share of the active institutions
    moves one institution at a time: 30% of 59 is reached with 18 of them (30.5%), so the date
    the goal is reached at the current pace is the date the 18th adopts, the one "nog nodig"
    names too (themes.needed). Any other measure reaches the goal at the goal."""
    if target.measure not in SHARE_MEASURES or active <= 0:
        return goal
    goal_count = (Decimal(str(goal)) * active / 100).to_integral_value(ROUND_CEILING)
    return float(goal_count * 100 / active)


def progress(
    target: SectorTarget,
    figure: Figure,
    base: Figure | None,
    *,
    reached_since: datetime.date | None = None,
    goal: Goal | None = None,
) -> Progress:
    """Pace needed against pace achieved (the method page explains each status).

    ``reached_since`` is the reached_on of the figure just before this one, when that figure
    had reached the goal: a goal reached in March and still held in May was reached in March.
    ``goal`` is the goal and deadline in force on the figure's date (a published version of
    the route); without it, the target's live ones.
    """
    in_force = goal_of(target, goal)
    goal = float(in_force.value)
    deadline_passed = figure.as_of > in_force.deadline
    if target.measure == Measure.MILESTONE:
        # Reached on a day set by staff; there is no pace, so no expected value either.
        if figure.value is not None and figure.value >= goal:
            return Progress(None, ProgressStatus.REACHED, None, target.reached_on)
        status = ProgressStatus.MISSED if deadline_passed else ProgressStatus.NOT_YET
        return Progress(None, status, None)
    if figure.value is None or base is None or figure.is_indicative():
        return Progress(None, ProgressStatus.UNKNOWN, None)
    # The expected value follows the trajectory to the deadline whatever the figure does: a
    # target that runs ahead of its pace is not expected to be at its goal already.
    expected = expected_on(target, base, figure.as_of, in_force)
    if figure.value >= goal:
        return Progress(expected, ProgressStatus.REACHED, None, reached_since or figure.as_of)
    if deadline_passed:
        return Progress(expected, ProgressStatus.MISSED, None)
    made = figure.value - base.value
    needed = expected - base.value
    if figure.value >= expected:
        status = ProgressStatus.ON_TRACK
    elif made < 0:
        status = ProgressStatus.DECLINING
    elif made >= 0.5 * needed:
        status = ProgressStatus.MODERATE
    else:
        status = ProgressStatus.INSUFFICIENT
    projected = None
    days_since = _days(base.as_of, figure.as_of)
    if made > 0 and days_since > 0:
        days_to_go = (reachable_goal(target, goal, figure.active) - figure.value) / (
            made / days_since
        )
        if math.isfinite(days_to_go) and days_to_go < 365 * 100:
            projected = figure.as_of + datetime.timedelta(days=math.ceil(days_to_go))
    return Progress(expected, status, projected)
