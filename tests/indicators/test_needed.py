"""Institutions still needed for a share target, read from the stored figures (indicators.needed):
on the target's figures page, in the open API, against the goal in force on the figure's date,
and only where the figure's counts are public. The arithmetic: tests/themes/test_needed.py."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings

from indicators.actions import recompute
from indicators.needed import still_needed_for_targets
from institutions.models import Institution
from reports.tables import build_report_data
from tests.builders import adopt_wallet, institutions, wallet_adoption
from themes.actions import do_publish_route_version

pytestmark = pytest.mark.django_db

WALLET = "LZD-WALLET"
CHANGE_PUBLISHED = datetime.datetime(2026, 4, 15, 11, tzinfo=datetime.UTC)
EARLY, LATE = datetime.date(2026, 3, 31), datetime.date(2026, 6, 30)


def test_from_the_stored_figures_on_the_figures_page_and_in_the_api(client):
    ten = institutions(10, "X", region="Noord")
    wallet = adopt_wallet(
        ten, adopted_first=1, first_day=datetime.date(2026, 2, 1),
        later=ten[1:2], later_day=datetime.date(2026, 8, 1),
    )  # fmt: skip
    recompute()
    found = still_needed_for_targets([wallet])[wallet.pk]
    # 30% of 10: 3 needed, 2 adopted.
    assert (found.active, found.adopted, found.goal_count, found.needed) == (10, 2, 3, 1)
    assert found.pace_per_year and found.pace_per_year > 0 and found.expected_quarter
    # The block is on the figures' page; the route's page links there.
    html = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    assert "Nog nodig" in html
    assert "nog 1 instelling" in html and f"in dit tempo in {found.expected_quarter}" in html
    route = client.get("/doelen/LZD-WALLET/").content.decode()
    assert "nog 1 instelling" not in route and "in dit tempo" not in route
    assert (
        'Hoeveel instellingen nog nodig zijn, ziet u bij <a href="/dashboard/doelen/LZD-WALLET/">'
        "de cijfers van dit doel</a>." in route
    )
    # Not a share target: no such link.
    assert "Hoeveel instellingen" not in client.get("/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    api = client.get("/api/v1/targets/LZD-WALLET/").json()["institutions_needed"]
    assert (api["needed"], api["goal_count"], api["expected_quarter"]) == (
        1, 3, found.expected_quarter
    )  # fmt: skip
    listed = client.get("/api/v1/targets/", {"limit": 100}).json()["results"]
    by_code = {t["code"]: t for t in listed}
    assert by_code["LZD-WALLET"]["institutions_needed"]["needed"] == 1
    assert by_code["CYB-NBA-GEMIDDELD"]["institutions_needed"] is None  # not a share target
    # In English the page writes the quarter the English way; the API's code stays "K".
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    english_quarter = found.expected_quarter.replace("-K", "-Q")
    assert "1 more institution" in english and f"at this pace in {english_quarter}" in english
    assert (
        client.get("/api/v1/targets/LZD-WALLET/").json()["institutions_needed"]["expected_quarter"]
        == found.expected_quarter
    )
    # Where the field stands in the JSON: after the route's fields, before the figures.
    keys = list(by_code["LZD-WALLET"])
    assert keys[keys.index("milestones") + 1 : keys.index("milestones") + 3] == [
        "institutions_needed", "value",
    ]  # fmt: skip


@pytest.fixture
def wallet_30_then_40():
    """Eight institutions, two with the wallet from February and a third from mid-June. The
    wallet's goal is 30 in version 1 (5 January) and 40 in version 2 (15 April); afterwards its
    live goal is edited to 50 without publishing."""
    wallet, _institutions = wallet_adoption("Y")
    wallet.goal_value = Decimal("40")
    wallet.save()
    do_publish_route_version(note="Wallet naar 40%", by=None, now=CHANGE_PUBLISHED)
    wallet.goal_value = Decimal("50")
    wallet.deadline = datetime.date(2027, 12, 31)
    wallet.save()
    return wallet


def test_it_counts_against_the_goal_in_force_on_the_figures_date(client, wallet_30_then_40):
    wallet = wallet_30_then_40
    recompute(today=EARLY)
    early = still_needed_for_targets([wallet])[wallet.pk]
    # Version 1 on 31 March: 30% of 8 is 2.4, so 3; 2 adopted. Not the live 50% (4).
    assert (early.as_of, early.goal_count, early.adopted, early.needed) == (EARLY, 3, 2, 1)
    assert early.deadline == datetime.date(2028, 12, 31)  # version 1's, not the live 2027

    recompute(today=LATE)
    late = still_needed_for_targets([wallet])[wallet.pk]
    # Version 2 on 30 June: 40% of 8 is 3.2, so 4; 3 adopted.
    assert (late.as_of, late.goal_count, late.adopted, late.needed) == (LATE, 4, 3, 1)
    api = client.get("/api/v1/targets/LZD-WALLET/").json()["institutions_needed"]
    assert (api["as_of"], api["goal_count"], api["needed"]) == (LATE.isoformat(), 4, 1)


def test_a_small_group_shows_no_count_to_the_public_but_staff_see_it(
    client, settings, sector_staff, wallet_30_then_40
):
    """Eight answers with a small-group size of 10: the public figure goes without its counts
    (indicators.privacy.public_details), and so without the count that is still needed."""
    settings.SMALL_GROUP_SIZE = 10
    recompute(today=LATE)
    wallet = wallet_30_then_40
    assert still_needed_for_targets([wallet]) == {}
    assert still_needed_for_targets([wallet], public=False)[wallet.pk].needed == 1
    assert client.get("/api/v1/targets/LZD-WALLET/").json()["institutions_needed"] is None
    assert "Nog nodig" not in client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    client.force_login(sector_staff)
    assert "nog 1 instelling" in client.get("/dashboard/doelen/LZD-WALLET/").content.decode()


def test_the_schema_documents_the_field_on_the_targets_with_figures(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    field = components["TargetFigures"]["properties"]["institutions_needed"]
    assert "StillNeeded" in str(field) and field.get("readOnly") is True
    assert {"needed", "goal_count", "expected_quarter", "in_time"} <= set(
        components["StillNeeded"]["properties"]
    )


def test_the_figures_projected_date_is_the_day_the_last_needed_institution_adopts():
    """30% of 19 is 5.7: the goal is reached with the 6th institution (31.6%), so the date the
    figure reaches its goal at this pace and the date "nog nodig" names are one date, not the
    day a continuous line would cross 30% three weeks earlier."""
    nineteen = institutions(19, "Q")
    wallet = adopt_wallet(
        nineteen, adopted_first=1, first_day=datetime.date(2026, 2, 15),
        later=nineteen[1:3], later_day=datetime.date(2026, 5, 15),
    )  # fmt: skip
    recompute(today=datetime.date(2026, 6, 30))
    latest = wallet.snapshots.order_by("-as_of").first()
    needed = still_needed_for_targets([wallet])[wallet.pk]
    assert (needed.adopted, needed.goal_count, needed.needed) == (3, 6, 3)
    # Two more from February to June (122 days): three more take 183 days.
    assert needed.expected_on == datetime.date(2026, 6, 30) + datetime.timedelta(days=183)
    assert latest.projected_on == needed.expected_on


def test_when_an_institution_stops_the_page_and_the_report_still_name_one_date():
    """One of twenty stops in April: the share moves without anyone adopting, so a pace
    counted in institutions and the figure's pace differ. "In dit tempo" names the figure's
    projected date, on the page (from the snapshot) and in a report (from its figure)."""
    twenty = institutions(20, "S")
    wallet = adopt_wallet(
        twenty, adopted_first=1, first_day=datetime.date(2026, 2, 15),
        later=twenty[1:2], later_day=datetime.date(2026, 5, 15),
    )  # fmt: skip
    Institution.objects.filter(pk=twenty[-1].pk).update(active_to=datetime.date(2026, 4, 30))
    as_of = datetime.date(2026, 6, 30)
    recompute(today=as_of)
    latest = wallet.snapshots.order_by("-as_of").first()
    needed = still_needed_for_targets([wallet])[wallet.pk]
    assert latest.projected_on is not None and needed.needed == 4  # 30% of 19: 6, 2 adopted
    assert needed.expected_on == latest.projected_on
    row = build_report_data(as_of=as_of, theme_codes=["leren-zonder-drempels"]).targets
    wallet_row = row[row["target"] == WALLET].iloc[0]
    assert wallet_row["needed_expected_on"] == wallet_row["projected_on"] == latest.projected_on
