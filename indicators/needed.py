"""How many more institutions a share target still needs, read from the sector figures.

themes.needed does the arithmetic on plain numbers (ceil(goal x active) - adopted, and when at
the pace since the baseline); this module feeds it the figures: the stored snapshots for the
pages and the API, a report's figures (indicators.figures.Figure) for a report. Each figure is
measured against the goal and deadline in force on its own date (the route version published
last on or before it, themes.versions.GoalsInForce), as its progress status is: a report as of
a date before a goal changed counts against the old goal.

The count is the figure's numerator, so a reader who may not see the answers gets it only where
the figure's counts are public (indicators.privacy): not withheld for too few answers and not
in a small group, where the counts are left out because they would give a save away by
difference.
"""

import dataclasses
import datetime
from collections.abc import Iterable, Mapping

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from indicators import privacy
from indicators.figures import Figure
from indicators.models import Snapshot
from indicators.queries import latest_snapshots
from themes.models import SectorTarget
from themes.needed import SHARE_MEASURES, StillNeeded, still_needed
from themes.versions import Goal, GoalsInForce, goals_timeline


def adopted_count(target: SectorTarget, details: dict) -> int | None:
    """How many institutions count as adopted in a figure's details (a snapshot's or a
    Figure's): realised for share_adopted, at least the threshold for share_at_least."""
    if target.measure == SectorTarget.Measure.SHARE_ADOPTED:
        return (details.get("statuses") or {}).get("gerealiseerd")
    if target.measure == SectorTarget.Measure.SHARE_AT_LEAST:
        return details.get("at_least")
    return None


def withheld_from_public(target: SectorTarget, answered: int) -> bool:
    """Whether a reader who may not see the answers goes without the count (see above)."""
    return privacy.too_few_answers(target, answered) or privacy.in_small_group(target, answered)


def still_needed_on(
    target: SectorTarget,
    goal: Goal,
    *,
    as_of: datetime.date,
    active: int,
    details: dict,
    base_on: datetime.date | None = None,
    base_details: dict | None = None,
    projected_on: datetime.date | None = None,
) -> StillNeeded | None:
    """What is still needed by one figure (its date, active institutions and details),
    against ``goal`` (the one in force on ``as_of``), at the pace since the baseline figure.
    None for a target that is not a share, or a figure without its counts.

    ``projected_on``: the figure's own projected date (indicators.figures.progress), when it
    has one. The page and the report print it beside "in dit tempo", so that is the date
    named: counted in institutions the pace would differ a little wherever the number of
    active institutions changed since the baseline (a share moves then without anyone
    adopting), and a reader would see two dates for one thing."""
    if target.measure not in SHARE_MEASURES:
        return None
    adopted = adopted_count(target, details)
    if adopted is None:
        return None
    base_adopted = adopted_count(target, base_details) if base_details is not None else None
    needed = still_needed(
        goal_percent=goal.value,
        active=active,
        adopted=adopted,
        as_of=as_of,
        deadline=goal.deadline,
        base_adopted=base_adopted,
        base_on=base_on if base_adopted is not None else None,
    )
    if projected_on is not None and needed.needed:
        needed = dataclasses.replace(needed, expected_on=projected_on)
    return needed


def _parts(figure: Figure | Snapshot) -> tuple[datetime.date, int, dict]:
    """A figure's date, active institutions and details, from a report's Figure or a stored
    Snapshot (which names the count of active institutions in full)."""
    if isinstance(figure, Snapshot):
        return figure.as_of, figure.active_institutions, figure.details
    return figure.as_of, figure.active, figure.details


def still_needed_of_figure(
    target: SectorTarget,
    figure: Figure | Snapshot,
    base: Figure | Snapshot | None,
    goals: GoalsInForce,
    projected_on: datetime.date | None = None,
) -> StillNeeded | None:
    """By one figure (a report's, figures_on, or a stored snapshot), as of its date against
    the goal in force then, at the pace since ``base`` (the first figure with answers).
    ``projected_on``: a report figure's projected date (progress_on); a snapshot has its own."""
    if isinstance(figure, Snapshot):
        projected_on = figure.projected_on
    as_of, active, details = _parts(figure)
    base_on, _active, base_details = _parts(base) if base is not None else (None, 0, None)
    return still_needed_on(
        target,
        goals.goal(target, as_of),
        as_of=as_of,
        active=active,
        details=details,
        base_on=base_on,
        base_details=base_details,
        projected_on=projected_on,
    )


def still_needed_in_series(
    target: SectorTarget, series: list[Snapshot], *, public: bool, goals: GoalsInForce | None = None
) -> StillNeeded | None:
    """By the latest snapshot of a target's stored series (queries.target_series, before any
    withholding), at the pace since its first snapshot with answers. One query (the goals)
    unless ``goals`` is given."""
    if target.measure not in SHARE_MEASURES or not series:
        return None
    current = series[-1]
    if public and withheld_from_public(target, current.answered_institutions):
        return None
    base = next((s for s in series if s.answered_institutions > 0), None)
    return still_needed_of_figure(target, current, base, goals or goals_timeline())


def still_needed_for_targets(
    targets: Iterable[SectorTarget],
    *,
    public: bool = True,
    latest: Mapping[int, Snapshot] | None = None,
) -> dict[int, StillNeeded]:
    """Per share target id: what is still needed by its latest stored figure, at the pace since
    its first figure with answers. Targets without figures, and (``public``) those whose
    latest figure's counts are not public, are left out. ``latest``: the targets' latest
    snapshots when the caller has read them already (queries.latest_snapshots), before any
    withholding. Three queries at most: the latest snapshots, the baselines, the goals."""
    share_targets = {t.pk: t for t in targets if t.measure in SHARE_MEASURES}
    if not share_targets:
        return {}
    if latest is None:
        latest = latest_snapshots(share_targets.values())
    current = {
        target_id: snapshot
        for target_id, snapshot in latest.items()
        if target_id in share_targets
        and not (
            public
            and withheld_from_public(share_targets[target_id], snapshot.answered_institutions)
        )
    }
    if not current:
        return {}
    # The baseline: each target's first snapshot with answers (as the trajectory's).
    first = (
        Snapshot.objects.filter(target__in=list(current), answered_institutions__gt=0)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("target")], order_by=F("as_of").asc())
        )
        .filter(position=1)
    )
    baselines = {snapshot.target_id: snapshot for snapshot in first}
    goals = goals_timeline()
    result = {}
    for target_id, snapshot in current.items():
        found = still_needed_of_figure(
            share_targets[target_id], snapshot, baselines.get(target_id), goals
        )
        if found is not None:
            result[target_id] = found
    return result
