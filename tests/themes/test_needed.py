"""Institutions still needed for a share target, and when at the current pace: the arithmetic
(themes.needed). Read from the figures: tests/indicators/test_needed.py."""

import datetime
from decimal import Decimal

import pytest

from themes.needed import quarter, still_needed

DEADLINE = datetime.date(2028, 12, 31)
NOW = datetime.date(2026, 12, 31)


def test_ceil_of_goal_times_active_minus_adopted_and_the_quarter_at_this_pace():
    # 30% of 51 is 15.3: 16 institutions. 8 adopted, 4 of them in the last year.
    result = still_needed(
        goal_percent=Decimal("30"), active=51, adopted=8, as_of=NOW, deadline=DEADLINE,
        base_adopted=4, base_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    assert (result.goal_count, result.needed) == (16, 8)
    assert result.pace_per_year == pytest.approx(4.0, abs=0.02)
    # 8 more at 4 per 365 days: 730 days on, and 2028 has 29 February.
    assert result.expected_on == datetime.date(2028, 12, 30)
    assert result.expected_quarter == "2028-K4" and result.in_time is True


def test_already_reached_needs_none_and_has_no_date():
    result = still_needed(
        goal_percent=Decimal("30"), active=50, adopted=15, as_of=NOW, deadline=DEADLINE,
        base_adopted=2, base_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    assert (result.goal_count, result.needed, result.reached) == (15, 0, True)
    assert result.expected_on is None and result.in_time is None


def test_no_pace_gives_no_date():
    flat = still_needed(
        goal_percent=Decimal("30"), active=50, adopted=5, as_of=NOW, deadline=DEADLINE,
        base_adopted=5, base_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    assert flat.needed == 10 and flat.pace_per_year == 0 and flat.expected_on is None
    no_base = still_needed(
        goal_percent=Decimal("30"), active=50, adopted=5, as_of=NOW, deadline=DEADLINE
    )
    assert no_base.pace_per_year is None and no_base.expected_quarter is None
    going_back = still_needed(
        goal_percent=Decimal("30"), active=50, adopted=3, as_of=NOW, deadline=DEADLINE,
        base_adopted=5, base_on=datetime.date(2026, 1, 1),
    )  # fmt: skip
    assert going_back.expected_on is None and going_back.in_time is None


def test_too_slow_is_after_the_deadline_and_an_exact_goal_needs_no_rounding_up():
    slow = still_needed(
        goal_percent=Decimal("100"), active=40, adopted=10, as_of=NOW, deadline=DEADLINE,
        base_adopted=9, base_on=datetime.date(2025, 12, 31),
    )  # fmt: skip
    assert slow.needed == 30 and slow.in_time is False
    assert slow.expected_quarter == quarter(slow.expected_on) and slow.expected_on.year > 2050
    assert (
        still_needed(
            goal_percent=Decimal("20"), active=50, adopted=0, as_of=NOW, deadline=DEADLINE
        ).goal_count
        == 10
    )
