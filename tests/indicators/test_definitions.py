"""The sector figures against their definitions (queries.py, the method page /methode/).

compute_series runs the SQL of indicators.queries; the reference below is the definition in plain
Python, one institution at a time, with exact fractions. Hypothesis draws small answer histories
with the awkward cases in them: institutions that start after or stop before an as-of date or
never answer, two answers on one day (with a later or the very same entered_at), answers after
the as-of date. Progress (figures.progress) is tested on constructed figures.
"""

import calendar
import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.figures import Figure, baseline, progress
from indicators.models import ProgressStatus
from indicators.series import compute_series
from institutions.models import Answer, AnswerStatus, Institution
from themes.models import SectorTarget

Measure = SectorTarget.Measure
STATUSES = AnswerStatus.values
UTC = datetime.UTC

# Real targets of the route, one per measure (the route is loaded once per test session).
SHARE_ADOPTED = "LZD-WALLET"
MEAN_SCORE = "CYB-NBA-GEMIDDELD"
SHARE_AT_LEAST = "CYB-NBA-INDIVIDUEEL"  # threshold 3.0
INSTITUTION_SHARE = "DBO-EDU-V"  # goal 70
MILESTONE_REACHED = "DBO-NETWERK"  # reached on 2026-05-28
MILESTONE_OPEN = "DBO-PDG"  # not reached
ANSWERED_CODES = [SHARE_ADOPTED, MEAN_SCORE, SHARE_AT_LEAST, INSTITUTION_SHARE]
ALL_CODES = [*ANSWERED_CODES, MILESTONE_REACHED, MILESTONE_OPEN]

# A few entry times only, so that equal entered_at (decided by id) happens often.
ENTRY_TIMES = [
    datetime.datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
    datetime.datetime(2026, 2, 1, 9, 0, 0, 500_000, tzinfo=UTC),
    datetime.datetime(2026, 3, 1, 17, 30, tzinfo=UTC),
]
FIRST_DAY, LAST_DAY = datetime.date(2025, 12, 1), datetime.date(2027, 3, 31)
LONG_AGO = datetime.date(2020, 1, 1)
# The milestone's reached_on, month ends and a year end.
NOTABLE_DAYS = [datetime.date(2026, 5, 28), datetime.date(2026, 6, 30), datetime.date(2026, 12, 31)]

scores = st.one_of(st.just(Decimal("3.0")), st.integers(0, 50).map(lambda i: Decimal(i) / 10))
percentages = st.one_of(
    st.just(Decimal("70.00")), st.integers(0, 10_000).map(lambda i: Decimal(i) / 100)
)
VALUES = {
    SHARE_ADOPTED: st.sampled_from(AnswerStatus.values).map(lambda s: {"status": s}),
    MEAN_SCORE: scores.map(lambda s: {"score": s}),
    SHARE_AT_LEAST: scores.map(lambda s: {"score": s}),
    INSTITUTION_SHARE: percentages.map(lambda p: {"percentage": p}),
}


@dataclass
class DrawnInstitution:
    active_from: datetime.date
    active_to: datetime.date | None
    pk: int | None = None


@dataclass
class DrawnAnswer:
    institution: int  # index into the drawn institutions
    target: str
    applies_on: datetime.date
    entered_at: datetime.datetime
    value: dict
    pk: int | None = None


@dataclass
class History:
    institutions: list[DrawnInstitution]
    answers: list[DrawnAnswer]  # in the order they are saved (so ids follow this order)
    dates: list[datetime.date] = field(default_factory=list)


@st.composite
def histories(draw) -> History:
    # Each example draws a handful of days and uses them again and again (two answers on one
    # day, an as-of date on an answer's day or an institution's last day), plus any other day.
    pool_day = st.one_of(st.sampled_from(NOTABLE_DAYS), st.dates(FIRST_DAY, LAST_DAY))
    pool = draw(st.lists(pool_day, min_size=1, max_size=5, unique=True))
    any_day = st.dates(FIRST_DAY - datetime.timedelta(days=31), LAST_DAY + datetime.timedelta(31))
    day = st.one_of(st.sampled_from(pool), st.sampled_from(pool), any_day)
    institutions = []
    for _ in range(draw(st.integers(1, 8))):
        start, stop = sorted([draw(st.one_of(st.just(LONG_AGO), day)), draw(day)])
        institutions.append(DrawnInstitution(start, draw(st.sampled_from([stop, None]))))
    answers = []
    for index in range(len(institutions)):
        for code in ANSWERED_CODES:
            for _ in range(draw(st.integers(0, 4))):
                answers.append(
                    DrawnAnswer(
                        institution=index,
                        target=code,
                        applies_on=draw(day),
                        entered_at=draw(st.sampled_from(ENTRY_TIMES)),
                        value=draw(VALUES[code]),
                    )
                )
    # Saved in a random order: ids need not follow applies_on or entered_at.
    answers = draw(st.permutations(answers))
    dates = sorted(draw(st.lists(day, min_size=1, max_size=4, unique=True)))
    return History(institutions, list(answers), dates)


# --- The reference: the definitions, one institution at a time -----------------------------


@dataclass
class Expected:
    active: int
    answered: int
    coverage: float
    value: float | None
    details: dict


def nearest_rank(ordered: list[Fraction], p: Fraction) -> Fraction:
    """The smallest value whose 1-based rank r satisfies r >= p * n."""
    return ordered[math.ceil(p * len(ordered)) - 1]


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def reference(target: SectorTarget, day: datetime.date, history: History) -> Expected:
    active = [
        i
        for i in history.institutions
        if i.active_from <= day and (i.active_to is None or day <= i.active_to)
    ]
    if target.measure == Measure.MILESTONE:
        reached = target.reached_on is not None and target.reached_on <= day
        value = 100.0 if reached else 0.0
        return Expected(len(active), len(active), 100.0, value, {"reached": reached})
    current = []
    for institution in active:
        own = [
            a
            for a in history.answers
            if history.institutions[a.institution] is institution
            and a.target == target.code
            and a.applies_on <= day
        ]
        if own:
            current.append(max(own, key=lambda a: (a.applies_on, a.entered_at, a.pk)))
    n_active, n_answered = len(active), len(current)

    def share(count: int) -> Fraction | None:
        return Fraction(100 * count, n_active) if n_active else None

    def mean(values: list[Fraction]) -> Fraction | None:
        return sum(values, Fraction(0)) / len(values) if values else None

    coverage = float(Fraction(100 * n_answered, n_active)) if n_active else 0.0
    scores = sorted(Fraction(a.value["score"]) for a in current if "score" in a.value)
    percentages = [Fraction(a.value["percentage"]) for a in current if "percentage" in a.value]
    if target.measure == Measure.SHARE_ADOPTED:
        statuses = {s: sum(a.value.get("status") == s for a in current) for s in STATUSES}
        return Expected(
            n_active, n_answered, coverage, _float(share(statuses["gerealiseerd"])),
            {"statuses": statuses},
        )  # fmt: skip
    if target.measure == Measure.MEAN_SCORE:
        quartiles = {"min": None, "q1": None, "median": None, "q3": None, "max": None}
        if scores:
            quartiles = {
                "min": float(scores[0]),
                "q1": float(nearest_rank(scores, Fraction(1, 4))),
                "median": float(nearest_rank(scores, Fraction(1, 2))),
                "q3": float(nearest_rank(scores, Fraction(3, 4))),
                "max": float(scores[-1]),
            }
        return Expected(n_active, n_answered, coverage, _float(mean(scores)), quartiles)
    if target.measure == Measure.SHARE_AT_LEAST:
        at_least = sum(s >= Fraction(target.threshold) for s in scores)
        return Expected(
            n_active, n_answered, coverage, _float(share(at_least)),
            {"at_least": at_least, "mean_score": _float(mean(scores))},
        )  # fmt: skip
    at_goal = sum(p >= Fraction(target.goal_value) for p in percentages)
    return Expected(
        n_active, n_answered, coverage, _float(mean(percentages)),
        {"share_at_goal": _float(share(at_goal))},
    )  # fmt: skip


def assert_same_number(actual, expected, what: str) -> None:
    if expected is None:
        assert actual is None, what
    else:
        assert actual == pytest.approx(expected, rel=1e-9, abs=1e-9), what


def assert_matches(figure: Figure, expected: Expected, what: str) -> None:
    assert (figure.active, figure.answered) == (expected.active, expected.answered), what
    assert_same_number(figure.coverage, expected.coverage, f"{what} coverage")
    assert_same_number(figure.value, expected.value, f"{what} value")
    assert figure.details.keys() == expected.details.keys(), what
    for key, value in expected.details.items():
        if isinstance(value, dict | int):  # counts, statuses, reached: exactly
            assert figure.details[key] == value, f"{what} {key}"
        else:
            assert_same_number(figure.details[key], value, f"{what} {key}")


def save_history(history: History, targets: dict[str, SectorTarget]) -> None:
    for number, drawn in enumerate(history.institutions):
        drawn.pk = Institution.objects.create(
            code=f"{90 + number}QQ", name=f"Proefinstelling {number}", kind="roc",
            active_from=drawn.active_from, active_to=drawn.active_to,
        ).pk  # fmt: skip
    for drawn in history.answers:
        drawn.pk = Answer.objects.create(
            institution_id=history.institutions[drawn.institution].pk,
            target=targets[drawn.target],
            applies_on=drawn.applies_on,
            entered_at=drawn.entered_at,
            **drawn.value,
        ).pk


# --- The property ----------------------------------------------------------------------------


@pytest.fixture
def route_targets(db) -> dict[str, SectorTarget]:
    targets = {t.code: t for t in SectorTarget.objects.filter(code__in=ALL_CODES)}
    assert targets.keys() == set(ALL_CODES), "the route's targets changed: update this test"
    assert targets[SHARE_AT_LEAST].threshold == Decimal("3.00")
    assert targets[INSTITUTION_SHARE].goal_value == Decimal("70.00")
    assert targets[MILESTONE_REACHED].reached_on == datetime.date(2026, 5, 28)
    assert targets[MILESTONE_OPEN].reached_on is None
    return targets


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories())
def test_compute_series_matches_the_definitions(route_targets, history):
    with transaction.atomic():
        try:
            check_example(route_targets, history)
        finally:
            # Every example in its own savepoint, rolled back: no example sees another's data.
            transaction.set_rollback(True)


# Every month end of the drawn period: the series path of answer_figures (running sums of the
# answers' changes per month) rather than the interval join that serves other dates.
MONTH_ENDS = [
    datetime.date(year, month, calendar.monthrange(year, month)[1])
    for year, month in [(2025, 11), (2025, 12), *((2026, m) for m in range(1, 13)), (2027, 1),
                        (2027, 2), (2027, 3), (2027, 4)]
]  # fmt: skip


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories())
def test_the_month_end_series_matches_the_definitions(route_targets, history):
    history.dates = MONTH_ENDS
    with transaction.atomic():
        try:
            check_example(route_targets, history)
        finally:
            transaction.set_rollback(True)


def check_example(route_targets: dict[str, SectorTarget], history: History) -> None:
    assert not Institution.objects.exists()
    save_history(history, route_targets)
    targets = list(route_targets.values())
    series = compute_series(targets, history.dates)
    for target in targets:
        assert [f.as_of for f in series[target.pk]] == history.dates
        for figure in series[target.pk]:
            expected = reference(target, figure.as_of, history)
            assert_matches(figure, expected, f"{target.code} on {figure.as_of}")


# --- The same rules as readable examples -----------------------------------------------------


@pytest.fixture
def two_institutions(db):
    early = Institution.objects.create(
        code="91QQ", name="Vroeg", kind="roc", active_from=datetime.date(2020, 1, 1),
        active_to=datetime.date(2026, 6, 30),
    )  # fmt: skip
    late = Institution.objects.create(
        code="92QQ", name="Laat", kind="roc", active_from=datetime.date(2026, 7, 1)
    )
    return early, late


def _answer(institution, target, day, entered_at, **value):
    return Answer.objects.create(
        institution=institution, target=target, applies_on=day, entered_at=entered_at, **value
    )


def test_the_later_entry_of_a_day_wins_and_equal_entries_go_by_id(route_targets, two_institutions):
    early, _late = two_institutions
    wallet = route_targets[SHARE_ADOPTED]
    day = datetime.date(2026, 3, 10)
    _answer(early, wallet, day, ENTRY_TIMES[2], status="gerealiseerd")
    _answer(early, wallet, day, ENTRY_TIMES[0], status="gepland")  # saved later, entered earlier
    (figure,) = compute_series([wallet], [datetime.date(2026, 3, 31)])[wallet.pk]
    assert figure.value == 100.0
    _answer(early, wallet, day, ENTRY_TIMES[2], status="niet_gestart")  # same time, higher id
    (figure,) = compute_series([wallet], [datetime.date(2026, 3, 31)])[wallet.pk]
    assert figure.value == 0.0
    assert figure.details["statuses"]["niet_gestart"] == 1


def test_an_institution_counts_up_to_and_including_its_last_day(route_targets, two_institutions):
    early, _late = two_institutions
    wallet = route_targets[SHARE_ADOPTED]
    _answer(early, wallet, datetime.date(2026, 1, 5), ENTRY_TIMES[0], status="gerealiseerd")
    dates = [datetime.date(2026, 6, 30), datetime.date(2026, 7, 1)]
    last_day, next_day = compute_series([wallet], dates)[wallet.pk]
    assert (last_day.active, last_day.answered, last_day.value) == (1, 1, 100.0)
    # The next day only the newcomer counts, and it has not answered: adoption 0, coverage 0.
    assert (next_day.active, next_day.answered) == (1, 0)
    assert (next_day.value, next_day.coverage) == (0.0, 0.0)


def test_an_answer_counts_from_its_applies_on_date(route_targets, two_institutions):
    early, _late = two_institutions
    nba = route_targets[MEAN_SCORE]
    _answer(early, nba, datetime.date(2026, 2, 1), ENTRY_TIMES[0], score=Decimal("2.5"))
    before, on = compute_series([nba], [datetime.date(2026, 1, 31), datetime.date(2026, 2, 1)])[
        nba.pk
    ]
    assert (before.value, before.answered) == (None, 0)
    assert (on.value, on.details["median"]) == (2.5, 2.5)


# --- Progress on constructed figures ---------------------------------------------------------

BASE_DAY = datetime.date(2026, 1, 31)
DEADLINE = datetime.date(2028, 12, 31)
SPAN = (DEADLINE - BASE_DAY).days


def _target(measure=Measure.SHARE_ADOPTED, goal="30", reached_on=None) -> SectorTarget:
    return SectorTarget(
        code="T", measure=measure, goal_value=Decimal(goal), deadline=DEADLINE,
        reached_on=reached_on,
    )  # fmt: skip


def _figure(day, value, coverage=80.0) -> Figure:
    return Figure(day, value, coverage, active=50, answered=int(coverage / 2))


BASE = _figure(BASE_DAY, 10.0)
ONE_YEAR_ON = datetime.date(2027, 1, 31)
EXPECTED_AFTER_A_YEAR = 10.0 + 20.0 * (ONE_YEAR_ON - BASE_DAY).days / SPAN  # ≈ 16.6


def test_progress_reached_when_the_value_meets_the_goal():
    result = progress(_target(), _figure(ONE_YEAR_ON, 30.0), BASE)
    assert (result.status, result.projected_on, result.reached_on) == (
        ProgressStatus.REACHED, None, ONE_YEAR_ON,
    )  # fmt: skip
    # Reaching the goal early does not move the pace needed: still the straight line.
    assert result.expected_value == pytest.approx(EXPECTED_AFTER_A_YEAR)


def test_a_goal_still_held_keeps_the_date_it_was_first_reached():
    first = datetime.date(2026, 9, 30)
    result = progress(_target(), _figure(ONE_YEAR_ON, 31.0), BASE, reached_since=first)
    assert (result.status, result.reached_on) == (ProgressStatus.REACHED, first)


def test_the_expected_value_follows_the_trajectory_along_a_series_that_passes_the_goal():
    # LZD-WALLET's case: 5,3 at the end of August, above the goal of 30 at the end of
    # September, deadline December 2028. "Verwacht nu" must not jump to 30 in September.
    target = _target(goal="30")
    base = _figure(datetime.date(2026, 2, 28), 2.0)
    days = [datetime.date(2026, 8, 31), datetime.date(2026, 9, 30), datetime.date(2026, 10, 31)]
    results = [
        progress(target, _figure(d, v), base) for d, v in zip(days, [5.3, 31.0, 32.0], strict=True)
    ]
    span = (DEADLINE - base.as_of).days
    line = [2.0 + 28.0 * (d - base.as_of).days / span for d in days]
    assert [r.expected_value for r in results] == pytest.approx(line)
    assert all(r.expected_value < 10 for r in results)
    assert [r.status for r in results] == [
        ProgressStatus.MODERATE, ProgressStatus.REACHED, ProgressStatus.REACHED,
    ]  # fmt: skip


def test_progress_on_track_at_or_above_the_straight_line():
    result = progress(_target(), _figure(ONE_YEAR_ON, EXPECTED_AFTER_A_YEAR), BASE)
    assert result.status == ProgressStatus.ON_TRACK
    assert result.expected_value == pytest.approx(EXPECTED_AFTER_A_YEAR)
    # At the baseline itself nothing is expected yet: on track.
    assert progress(_target(), BASE, BASE).status == ProgressStatus.ON_TRACK


def test_progress_moderate_from_half_of_the_needed_progress():
    needed = EXPECTED_AFTER_A_YEAR - 10.0
    at_half = progress(_target(), _figure(ONE_YEAR_ON, 10.0 + 0.5 * needed), BASE)
    below = progress(_target(), _figure(ONE_YEAR_ON, 10.0 + 0.49 * needed), BASE)
    assert at_half.status == ProgressStatus.MODERATE
    assert below.status == ProgressStatus.INSUFFICIENT


def test_progress_insufficient_when_standing_still():
    result = progress(_target(), _figure(ONE_YEAR_ON, 10.0), BASE)
    assert result.status == ProgressStatus.INSUFFICIENT
    assert result.projected_on is None  # no pace, no date


def test_progress_declining_below_the_baseline():
    result = progress(_target(), _figure(ONE_YEAR_ON, 9.9), BASE)
    assert result.status == ProgressStatus.DECLINING
    assert result.projected_on is None


@pytest.mark.parametrize(
    ("figure", "base"),
    [
        (_figure(ONE_YEAR_ON, 20.0, coverage=49.9), BASE),  # indicative: too few answers
        (_figure(ONE_YEAR_ON, 20.0), None),  # no baseline yet
        (_figure(ONE_YEAR_ON, None), BASE),  # a mean of no answers
    ],
    ids=["low-coverage", "no-baseline", "no-value"],
)
def test_progress_unknown(figure, base):
    result = progress(_target(), figure, base)
    assert (result.status, result.expected_value, result.projected_on) == (
        ProgressStatus.UNKNOWN, None, None,
    )  # fmt: skip


def test_progress_judged_from_exactly_the_indicative_boundary():
    assert progress(_target(), _figure(ONE_YEAR_ON, 20.0, coverage=50.0), BASE).status == (
        ProgressStatus.ON_TRACK
    )


def test_progress_projects_the_date_at_the_current_pace():
    # 10 -> 15 in 365 days: 5 per year; 15 more to go takes 3 years at that pace.
    figure = _figure(ONE_YEAR_ON, 15.0)
    result = progress(_target(), figure, BASE)
    assert result.status == ProgressStatus.MODERATE
    days = (ONE_YEAR_ON - BASE_DAY).days
    assert result.projected_on == ONE_YEAR_ON + datetime.timedelta(days=math.ceil(15 / (5 / days)))
    assert result.projected_on == datetime.date(2030, 1, 30)


def test_a_passed_deadline_without_the_goal_is_missed():
    late = _figure(datetime.date(2029, 3, 31), 29.0)
    result = progress(_target(), late, BASE)
    assert result.expected_value == 30.0  # from the deadline on, the goal itself
    assert (result.status, result.projected_on) == (ProgressStatus.MISSED, None)
    # On the deadline day itself it is still judged by pace.
    on_the_day = progress(_target(), _figure(DEADLINE, 29.0), BASE)
    assert on_the_day.status == ProgressStatus.MODERATE


def test_a_goal_reached_before_the_deadline_stays_reached_after_it():
    reached = datetime.date(2028, 6, 30)
    result = progress(
        _target(), _figure(datetime.date(2029, 3, 31), 30.5), BASE, reached_since=reached
    )
    assert (result.status, result.reached_on) == (ProgressStatus.REACHED, reached)


def test_progress_of_a_mean_score_target():
    target = _target(Measure.MEAN_SCORE, goal="3.0")
    base = _figure(BASE_DAY, 2.3)
    assert progress(target, _figure(ONE_YEAR_ON, 2.6), base).status == ProgressStatus.ON_TRACK
    assert progress(target, _figure(ONE_YEAR_ON, 3.0), base).status == ProgressStatus.REACHED


def test_progress_of_milestones():
    reached = _target(Measure.MILESTONE, goal="100", reached_on=datetime.date(2026, 5, 28))
    open_ = _target(Measure.MILESTONE, goal="100")
    milestone = lambda day, value: Figure(day, value, 100.0, 50, 50)  # noqa: E731
    assert progress(reached, milestone(ONE_YEAR_ON, 100.0), None).status == ProgressStatus.REACHED
    done = progress(reached, milestone(ONE_YEAR_ON, 100.0), None)
    assert (done.expected_value, done.reached_on) == (None, datetime.date(2026, 5, 28))
    # Not "onbekend" (everything about it is known) and no "expected 100" before the deadline.
    before = progress(open_, milestone(ONE_YEAR_ON, 0.0), None)
    assert (before.status, before.expected_value) == (ProgressStatus.NOT_YET, None)
    after = progress(open_, milestone(datetime.date(2029, 1, 1), 0.0), None)
    assert (after.status, after.expected_value) == (ProgressStatus.MISSED, None)


def test_the_baseline_is_the_first_figure_with_answers():
    series = [
        Figure(datetime.date(2026, 1, 31), 0.0, 0.0, 50, 0),  # share_adopted without answers
        Figure(datetime.date(2026, 2, 28), 4.0, 10.0, 50, 5),
        Figure(datetime.date(2026, 3, 31), 8.0, 60.0, 50, 30),
    ]
    assert baseline(_target(), series) is series[1]
    assert baseline(_target(), series[:1]) is None


def test_quartiles_ignore_answers_without_a_score(route_targets):
    nba = route_targets[MEAN_SCORE]
    day, as_of = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
    for number in range(6):
        institution = Institution.objects.create(
            code=f"{80 + number}QQ", name=f"Instelling {number}", kind="roc",
            active_from=datetime.date(2020, 1, 1),
        )  # fmt: skip
        # Two institutions answered while the target still asked for a status.
        value = {"status": "gepland"} if number < 2 else {"score": Decimal(number - 1)}
        _answer(institution, nba, day, ENTRY_TIMES[0], **value)
    (figure,) = compute_series([nba], [as_of])[nba.pk]
    assert figure.value == 2.5  # the mean of the scores 1, 2, 3, 4
    quartiles = [figure.details[k] for k in ("min", "q1", "median", "q3", "max")]
    assert quartiles == [1.0, 1.0, 2.0, 3.0, 4.0]  # SQLite: [1.0, 1.0, 1.0, 1.0, 4.0]
