"""Institutions still needed for a share target, and when at the current pace."""

import datetime
from decimal import Decimal

import pytest

from indicators.actions import recompute
from institutions.models import Answer, Institution
from themes.models import SectorTarget
from themes.needed import quarter, still_needed, still_needed_for_targets

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


@pytest.mark.django_db
def test_from_the_stored_figures_on_the_target_page_and_in_the_api(client):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    institutions = [
        Institution.objects.create(
            code=f"{n:02d}XX",
            name=f"Instelling {n}",
            kind="roc",
            region="Noord",
            active_from=datetime.date(2020, 1, 1),
        )
        for n in range(10)
    ]
    for n, institution in enumerate(institutions):
        Answer.objects.create(
            institution=institution, target=wallet, applies_on=datetime.date(2026, 2, 1),
            status="gerealiseerd" if n == 0 else "gepland",
        )  # fmt: skip
    Answer.objects.create(
        institution=institutions[1], target=wallet, applies_on=datetime.date(2026, 8, 1),
        status="gerealiseerd",
    )  # fmt: skip
    recompute()
    found = still_needed_for_targets([wallet])[wallet.pk]
    # 30% of 10: 3 needed, 2 adopted.
    assert (found.active, found.adopted, found.goal_count, found.needed) == (10, 2, 3, 1)
    assert found.pace_per_year and found.pace_per_year > 0 and found.expected_quarter
    html = client.get("/doelen/LZD-WALLET/").content.decode()
    assert "nog 1 instelling" in html and f"in dit tempo in {found.expected_quarter}" in html
    api = client.get("/api/v1/targets/LZD-WALLET/").json()["institutions_needed"]
    assert (api["needed"], api["goal_count"], api["expected_quarter"]) == (
        1, 3, found.expected_quarter
    )  # fmt: skip
    listed = client.get("/api/v1/targets/", {"limit": 100}).json()["results"]
    by_code = {t["code"]: t for t in listed}
    assert by_code["LZD-WALLET"]["institutions_needed"]["needed"] == 1
    assert by_code["CYB-NBA-GEMIDDELD"]["institutions_needed"] is None  # not a share target
