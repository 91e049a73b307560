"""The reporting rate per round: expected, reported, on time, late, never; by kind and region;
and each institution's completeness (answered / stale / missing)."""

import datetime

import pytest
from django.utils import timezone

from institutions.models import Answer, Institution
from rounds import queries
from tests.rounds.conftest import days

pytestmark = pytest.mark.django_db


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _answer(institution, target, applies_on, entered_on=None, **value):
    value = value or ({"status": "gepland"} if target.code == "LZD-WALLET" else {"score": 2})
    return Answer.objects.create(
        institution=institution, target=target, applies_on=applies_on,
        entered_at=_at(entered_on or applies_on), **value,
    )  # fmt: skip


@pytest.fixture
def cast(closed_round, wallet, nba, institution_a, institution_b):
    """In the closed round (deadline 30 days ago, closed 29 days ago):
    A (ROC, Noord) complete on time; B (AOC, Zuid) complete one day late; C (ROC, Zuid) one of
    two targets, the other stale; D (ROC, Noord) nothing at all; E stopped before the round
    (not expected)."""
    c = Institution.objects.create(
        code="33CC", name="ROC Ontwerpdijk", kind="roc", region="Zuid",
        active_from=datetime.date(2020, 1, 1),
    )  # fmt: skip
    d = Institution.objects.create(
        code="44DD", name="ROC Modelmond", kind="roc", region="Noord",
        active_from=datetime.date(2020, 1, 1),
    )  # fmt: skip
    Institution.objects.create(
        code="55EE", name="ROC Gefuseerd", kind="roc", region="Noord",
        active_from=datetime.date(2020, 1, 1), active_to=days(-90),
    )  # fmt: skip
    _answer(institution_a, wallet, days(-50))
    _answer(institution_a, nba, days(-40))
    _answer(institution_a, nba, days(-30))  # a second answer changes nothing
    _answer(institution_b, wallet, days(-45))
    _answer(institution_b, nba, days(-29))  # the day after the deadline: late
    _answer(c, wallet, days(-44))
    _answer(c, nba, days(-100))  # before the round: stale
    _answer(d, wallet, days(-10))  # after the round's window: does not count
    return {"c": c, "d": d}


def _counts(row):
    return {k: row[k] for k in ("expected", "reported", "on_time", "late", "never")}


def test_the_rate_counts_on_time_late_and_never(cast, closed_round, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        rate = queries.reporting_rate(closed_round)
    assert _counts(rate["total"]) == {
        "expected": 4, "reported": 2, "on_time": 1, "late": 1, "never": 2,
    }  # fmt: skip
    assert rate["total"]["rate"] == 50
    assert len(rate["by_kind"]) == 2 and len(rate["by_region"]) == 2  # one row per group
    by_kind = {row["kind"]: _counts(row) for row in rate["by_kind"]}
    assert by_kind == {
        "aoc": {"expected": 1, "reported": 1, "on_time": 0, "late": 1, "never": 0},
        "roc": {"expected": 3, "reported": 1, "on_time": 1, "late": 0, "never": 2},
    }
    by_region = {row["region"]: _counts(row) for row in rate["by_region"]}
    assert by_region == {
        "Noord": {"expected": 2, "reported": 1, "on_time": 1, "late": 0, "never": 1},
        "Zuid": {"expected": 2, "reported": 1, "on_time": 0, "late": 1, "never": 1},
    }


def test_the_incomplete_list_and_completeness(cast, closed_round, institution_a, institution_b):
    incomplete = {i.code: (i.answered, i.stale, i.missing) for i in
                  queries.incomplete_institutions(closed_round)}  # fmt: skip
    assert incomplete == {"33CC": (1, 1, 0), "44DD": (0, 0, 2)}
    assert queries.completeness(closed_round, cast["c"]) == queries.Completeness(
        targets=2, answered=1, stale=1, missing=0
    )
    assert queries.completeness(closed_round, institution_a).complete


def test_a_late_answer_completes_an_open_round_late(open_round, institution_a, wallet, nba):
    """While a round stays open past its deadline, answers still come in: they count as late."""
    open_round.closes_on = days(-2)
    open_round.save()
    _answer(institution_a, wallet, days(-5))
    _answer(institution_a, nba, days(0))
    rate = queries.reporting_rate(open_round)
    assert _counts(rate["total"]) == {
        "expected": 1, "reported": 1, "on_time": 0, "late": 1, "never": 0,
    }  # fmt: skip


def test_the_current_rounds_of_an_institution(open_round, closed_round, institution_a):
    banners = queries.round_banners(institution_a)
    assert [b.round.name for b in banners] == ["Winter"]
    assert banners[0].days_left == 10
    assert banners[0].completeness.missing == 2
