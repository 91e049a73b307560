"""How many more institutions must adopt a share target to reach its goal, and when that
happens at the current pace: "nog 8 instellingen; in dit tempo in 2029-K3".

This module is only the arithmetic on plain numbers. The figures it is fed come from the
indicators room (indicators.needed), which reads the route, never the other way round: nothing
under themes/ imports indicators (tests/test_import_flow.py).
"""

import datetime
import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.utils.translation import gettext as _

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
    def expected_quarter_label(self) -> str | None:
        """The same quarter in the reader's language: "2029-K3", in English "2029-Q3"."""
        if self.expected_on is None:
            return None
        return quarter_label(self.expected_on)

    @property
    def in_time(self) -> bool | None:
        """At this pace, reached by the deadline? None when already reached or no pace."""
        if self.reached or self.expected_on is None:
            return None
        return self.expected_on <= self.deadline


def quarter(day: datetime.date) -> str:
    """The quarter as data (the API's expected_quarter): "2029-K3" whatever the language."""
    return f"{day.year}-K{(day.month - 1) // 3 + 1}"


def quarter_label(day: datetime.date) -> str:
    """The quarter for a reader, in the active language: "2029-K3" (kwartaal), "2029-Q3"."""
    return _("%(year)s-K%(quarter)s") % {"year": day.year, "quarter": (day.month - 1) // 3 + 1}


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
