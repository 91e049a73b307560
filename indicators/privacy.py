"""No institution's own figures are public: sector figures from too few answers are withheld.

A sector figure computed from one or two answers is those answers. So wherever a figure is
shown to someone who may not see per-institution answers (anyone not logged in, CIOs, the
open API, the reports a CIO makes), a figure from fewer than ``settings.MIN_GROUP_SIZE``
answers shows "te weinig antwoorden" instead of its value, expected value, status and
spread. Sector staff and the council see every institution's answers anyway, so they see
every figure.

The spread of scores is withheld more strictly: the lowest and highest score are each one
institution's answer, so they are never public, and the quartiles (nearest rank: each is an
institution's score) only when each quarter holds at least MIN_GROUP_SIZE institutions.
Public values are rounded to one decimal, as the pages show them, so that the difference of
two published figures does not give one institution's answer exactly. The method page says
all of this in plain Dutch.
"""

import dataclasses
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from indicators.figures import Figure, Progress
from indicators.models import ProgressStatus, Snapshot
from institutions import access
from themes.models import SectorTarget

PUBLIC_DECIMALS = 1


def sees_every_figure(user) -> bool:
    """Sector staff and the council see each institution's answers, so every figure too."""
    return access.sees_all_institutions(user)


def too_few_answers(target: SectorTarget, answered: int) -> bool:
    # Milestone targets are set by staff, not computed from answers: nothing to withhold. A
    # figure from no answers at all reveals no one's (a share of 0%, or no value).
    if target.measure == SectorTarget.Measure.MILESTONE:
        return False
    return 0 < answered < settings.MIN_GROUP_SIZE


def public_details(details: dict, answered: int) -> dict:
    """The details a reader without access to the answers may see."""
    details = {k: v for k, v in details.items() if k not in ("min", "max")}
    if answered < 4 * settings.MIN_GROUP_SIZE:
        for key in ("q1", "median", "q3"):
            details.pop(key, None)
    return details


def rounded(value: float | None) -> float | None:
    """A public value: one decimal, half up from the decimal text, as the pages' floatformat
    does (2.45 is 2.5 in both). None, and pandas' NaN for "no value", stay None."""
    if value is None or value != value:
        return None
    step = Decimal(1).scaleb(-PUBLIC_DECIMALS)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def withhold_snapshots(
    snapshots: Iterable[Snapshot | None], targets: Iterable[SectorTarget]
) -> None:
    """Applies the rule to snapshots of these targets in memory (never saved): a withheld one
    keeps its date, coverage and counts, and gets ``withheld = True`` for the templates."""
    by_id = {target.pk: target for target in targets}
    for snapshot in snapshots:
        if snapshot is None:
            continue
        target = by_id[snapshot.target_id]
        snapshot.withheld = too_few_answers(target, snapshot.answered_institutions)
        if snapshot.withheld:
            snapshot.value = snapshot.expected_value = None
            snapshot.projected_on = snapshot.reached_on = None
            snapshot.details = {}
            snapshot.status = ProgressStatus.WITHHELD
        else:
            snapshot.value = rounded(snapshot.value)
            snapshot.expected_value = rounded(snapshot.expected_value)
            snapshot.details = public_details(snapshot.details, snapshot.answered_institutions)


def withhold_figure(
    target: SectorTarget, figure: Figure, progress: Progress
) -> tuple[Figure, Progress]:
    """The same rule for a figure computed for any date."""
    if too_few_answers(target, figure.answered):
        return (
            dataclasses.replace(figure, value=None, details={}),
            Progress(None, ProgressStatus.WITHHELD, None),
        )
    return (
        dataclasses.replace(
            figure,
            value=rounded(figure.value),
            details=public_details(figure.details, figure.answered),
        ),
        dataclasses.replace(progress, expected_value=rounded(progress.expected_value)),
    )
