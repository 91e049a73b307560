"""How many more institutions must adopt a share target to reach its goal, and when that
happens at the current pace: "nog 8 instellingen; in dit tempo in 2029-K3".

``still_needed`` is the arithmetic on plain numbers; ``still_needed_for_targets`` feeds it the
stored sector figures (indicators' snapshots, read only). The indicators room reads the route,
not the other way round; this module is the one place the route reads figures back, and it
imports them only inside the function that needs them.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from themes.models import SectorTarget

# The targets whose figure is a share of the active institutions: each adopting institution
# moves it by one.
SHARE_MEASURES = (SectorTarget.Measure.SHARE_ADOPTED, SectorTarget.Measure.SHARE_AT_LEAST)
# Beyond this, "at the current pace" is never in any useful sense.
HORIZON_DAYS = 365 * 100


@dataclass(frozen=True)
class StillNeeded:
    as_of: datetime.date
    active: int
    adopted: int
    goal_count: int  # ceil(goal% x active institutions)
    needed: int  # goal_count - adopted, never below 0
    pace_per_year: float | None  # institutions adopting per year since the baseline
    expected_on: datetime.date | None  # when the last needed one adopts at that pace
    deadline: datetime.date

    @property
    def reached(self) -> bool:
        return self.needed == 0

    @property
    def expected_quarter(self) -> str | None:
        """The quarter of ``expected_on`` as the pages write it: "2029-K3"."""
        if self.expected_on is None:
            return None
        return quarter(self.expected_on)

    @property
    def in_time(self) -> bool | None:
        """At this pace, reached by the deadline? None when already reached or no pace."""
        if self.reached or self.expected_on is None:
            return None
        return self.expected_on <= self.deadline


def quarter(day: datetime.date) -> str:
    return f"{day.year}-K{(day.month - 1) // 3 + 1}"


def still_needed(
    *,
    goal_percent: Decimal,
    active: int,
    adopted: int,
    as_of: datetime.date,
    deadline: datetime.date,
    base_adopted: int | None = None,
    base_on: datetime.date | None = None,
) -> StillNeeded:
    """ceil(goal x active) - adopted more institutions, and when at the pace from the baseline
    (``base_adopted`` on ``base_on``) to now. No pace (no baseline, no time passed, or no
    increase) gives no date."""
    goal_count = int((Decimal(goal_percent) * active / 100).to_integral_value(ROUND_CEILING))
    needed = max(0, goal_count - adopted)
    pace_per_day = None
    if base_adopted is not None and base_on is not None and (as_of - base_on).days > 0:
        pace_per_day = (adopted - base_adopted) / (as_of - base_on).days
    expected = None
    if needed and pace_per_day and pace_per_day > 0:
        days = math.ceil(needed / pace_per_day)
        if days <= HORIZON_DAYS:
            expected = as_of + datetime.timedelta(days=days)
    return StillNeeded(
        as_of=as_of,
        active=active,
        adopted=adopted,
        goal_count=goal_count,
        needed=needed,
        pace_per_year=None if pace_per_day is None else round(pace_per_day * 365.25, 1),
        expected_on=expected,
        deadline=deadline,
    )


def adopted_count(target: SectorTarget, details: dict) -> int | None:
    """How many institutions count as adopted in a snapshot's details."""
    if target.measure == SectorTarget.Measure.SHARE_ADOPTED:
        return (details.get("statuses") or {}).get("gerealiseerd")
    if target.measure == SectorTarget.Measure.SHARE_AT_LEAST:
        return details.get("at_least")
    return None


def still_needed_for_targets(targets) -> dict[int, StillNeeded]:
    """Per share target id: what is still needed by its latest stored figure, at the pace since
    its first figure with answers. Targets without figures, or whose latest figure is withheld
    for too few answers (indicators.privacy), are left out. Two queries."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from indicators.models import Snapshot
    from indicators.privacy import too_few_answers
    from indicators.queries import latest_snapshots

    share_targets = {t.pk: t for t in targets if t.measure in SHARE_MEASURES}
    if not share_targets:
        return {}
    latest = latest_snapshots(share_targets.values())
    # The baseline: each target's first snapshot with answers (as the trajectory's).
    first = (
        Snapshot.objects.filter(target__in=list(share_targets), answered_institutions__gt=0)
        .annotate(
            position=Window(RowNumber(), partition_by=[F("target")], order_by=F("as_of").asc())
        )
        .filter(position=1)
    )
    baselines = {snapshot.target_id: snapshot for snapshot in first}
    result = {}
    for target_id, snapshot in latest.items():
        target = share_targets[target_id]
        adopted = adopted_count(target, snapshot.details)
        if adopted is None or too_few_answers(target, snapshot.answered_institutions):
            continue
        base = baselines.get(target_id)
        base_adopted = adopted_count(target, base.details) if base is not None else None
        result[target_id] = still_needed(
            goal_percent=target.goal_value,
            active=snapshot.active_institutions,
            adopted=adopted,
            as_of=snapshot.as_of,
            deadline=target.deadline,
            base_adopted=base_adopted,
            base_on=base.as_of if base is not None else None,
        )
    return result
