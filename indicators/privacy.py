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
two published figures does not give one institution's answer exactly.

Differencing (issue 14): in a small group, "after minus before" one save gives that answer
almost exactly even at one decimal: from 3 to 4 scores, x = 4 * after - 3 * before, to within
0.35 of a level. So where fewer than ``settings.SMALL_GROUP_SIZE`` institutions answered, a
public value is rounded to a step at least as large as the most one answer can move the
figure (``public_step``), and shown without its counts: subtracting two figures one answer
apart then leaves a range wider than the whole scale. What it leaves for a share, and what
is left above the small group, docs/security/asvs-5.0-level-2.md ("Small groups") says. The method
page says all of this in plain Dutch.
"""

import dataclasses
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from indicators.figures import Figure, Progress
from indicators.models import ProgressStatus, Snapshot
from institutions import access, validation
from themes.models import SectorTarget

PUBLIC_DECIMALS = 1
ONE_DECIMAL = 0.1
# Steps a coarsened value is rounded to: each is written with at most one decimal, as the
# pages write every value.
COARSE_STEPS = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0)


def sees_every_figure(user) -> bool:
    """Sector staff and the council see each institution's answers, so every figure too."""
    return access.sees_all_institutions(user)


def below_group_size(measure: str, answered: int, size: int) -> bool:
    """Fewer than ``size`` answers, but some, for a target computed from answers: the one
    predicate behind too_few_answers and in_small_group (reports.withholding applies it per
    row). Milestone targets are set by staff, not computed from answers: nothing to withhold.
    A figure from no answers at all reveals no one's (a share of 0%, or no value)."""
    return measure != SectorTarget.Measure.MILESTONE and 0 < answered < size


def in_small_group(target: SectorTarget, answered: int) -> bool:
    """Fewer than SMALL_GROUP_SIZE answers: values coarsened, counts not public."""
    return below_group_size(target.measure, answered, settings.SMALL_GROUP_SIZE)


def too_few_answers(target: SectorTarget, answered: int) -> bool:
    """Fewer than MIN_GROUP_SIZE answers: the figure is withheld."""
    return below_group_size(target.measure, answered, settings.MIN_GROUP_SIZE)


def public_details(target: SectorTarget, details: dict, answered: int) -> dict:
    """The details a reader without access to the answers may see. In a small group none:
    they are counts (per status, at least the threshold) and means, which would give a new
    answer away by difference exactly as the value would."""
    if in_small_group(target, answered):
        return {}
    details = {k: v for k, v in details.items() if k not in ("min", "max")}
    if answered < 4 * settings.MIN_GROUP_SIZE:
        for key in ("q1", "median", "q3"):
            details.pop(key, None)
    return details


def least_public_step(target: SectorTarget, answered: int, active: int) -> float:
    """The finest step a public value of a small group may have, in the figure's unit.

    A mean of ``answered`` values on a scale of width R moves by at most R / answered when one
    of them is added or changed (a mean of percentages: R = 100). With that step, a reader who
    subtracts two figures one save apart is left with a range for the answer at least twice as
    wide as the scale itself. A share of the active institutions moves by 100 / active for each
    one that adopts: there the step is twice that, so that a save which changes the count
    moves the published share at most every other time."""
    if target.measure == SectorTarget.Measure.MEAN_SCORE:
        lowest, highest = validation.score_range(target)
        return float(highest - lowest) / max(answered, 1)
    if target.measure == SectorTarget.Measure.INSTITUTION_SHARE:
        return 100.0 / max(answered, 1)
    return 2 * 100.0 / max(active, 1)


def public_step(target: SectorTarget, answered: int, active: int) -> float:
    """The step a public value is rounded to: one decimal, or where the group is small (fewer
    than SMALL_GROUP_SIZE answers) the smallest of COARSE_STEPS at least least_public_step,
    so that a save cannot be read off two published figures."""
    if not in_small_group(target, answered):
        return ONE_DECIMAL
    at_least = least_public_step(target, answered, active)
    return next((step for step in COARSE_STEPS if step >= at_least), COARSE_STEPS[-1])


def rounded(value: float | None, step: float = ONE_DECIMAL) -> float | None:
    """A public value: a multiple of ``step`` (one decimal by default), half up from the
    decimal text, as the pages' floatformat does (2.45 is 2.5 in both). None, and pandas'
    NaN for "no value", stay None."""
    if value is None or value != value:
        return None
    step_text = Decimal(repr(step))
    multiple = (Decimal(repr(value)) / step_text).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float((multiple * step_text).quantize(Decimal(1).scaleb(-PUBLIC_DECIMALS)))


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
        snapshot.public_step, snapshot.coarse = None, False
        if snapshot.withheld:
            snapshot.value = snapshot.expected_value = None
            snapshot.projected_on = snapshot.reached_on = None
            snapshot.details = {}
            snapshot.status = ProgressStatus.WITHHELD
        else:
            snapshot.public_step = public_step(
                target, snapshot.answered_institutions, snapshot.active_institutions
            )
            snapshot.coarse = snapshot.public_step > ONE_DECIMAL
            snapshot.value = rounded(snapshot.value, snapshot.public_step)
            # The expected value runs from the baseline figure, which it would give away.
            snapshot.expected_value = rounded(snapshot.expected_value, snapshot.public_step)
            snapshot.details = public_details(
                target, snapshot.details, snapshot.answered_institutions
            )


def withhold_figure(
    target: SectorTarget, figure: Figure, progress: Progress
) -> tuple[Figure, Progress]:
    """The same rule for a figure computed for any date."""
    if too_few_answers(target, figure.answered):
        return (
            dataclasses.replace(figure, value=None, details={}),
            Progress(None, ProgressStatus.WITHHELD, None),
        )
    step = public_step(target, figure.answered, figure.active)
    return (
        dataclasses.replace(
            figure,
            value=rounded(figure.value, step),
            details=public_details(target, figure.details, figure.answered),
        ),
        dataclasses.replace(progress, expected_value=rounded(progress.expected_value, step)),
    )
