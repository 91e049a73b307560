"""Figures are judged against the goal in force on their date, and name the route version.

The wallet's goal is 30 in version 1 and 40 in version 2, published on 15 April 2026. Eight
institutions: two have the wallet in February (25%), a third from mid-June (37.5%).
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from indicators.actions import recompute
from indicators.models import ProgressStatus, Snapshot
from indicators.series import figures_as_of
from tests.builders import wallet_adoption
from themes.actions import do_publish_route_version
from themes.models import RouteVersion, SectorTarget

pytestmark = pytest.mark.django_db

WALLET = "LZD-WALLET"
TODAY = datetime.date(2026, 6, 30)
BASE_DAY, BASE_VALUE = datetime.date(2026, 2, 28), 25.0
DEADLINE = datetime.date(2028, 12, 31)
CHANGE_PUBLISHED = datetime.datetime(2026, 4, 15, 11, tzinfo=datetime.UTC)
BEFORE = [datetime.date(2026, 2, 28), datetime.date(2026, 3, 31)]
AFTER = [datetime.date(2026, 4, 30), datetime.date(2026, 5, 31), TODAY]


def _expected(goal: float, day: datetime.date) -> float:
    """The pace needed: the straight line from the baseline to ``goal`` at the deadline."""
    return BASE_VALUE + (goal - BASE_VALUE) * (day - BASE_DAY).days / (DEADLINE - BASE_DAY).days


@pytest.fixture
def wallet_answers(db):
    return wallet_adoption("7A")[0]


def _snapshots() -> dict[datetime.date, Snapshot]:
    return {
        s.as_of: s
        for s in Snapshot.objects.filter(target__code=WALLET).select_related("route_version")
    }


def _publish_40(by=None) -> RouteVersion:
    wallet = SectorTarget.objects.get(code=WALLET)
    wallet.goal_value = Decimal("40")
    wallet.save()
    return do_publish_route_version(note="Wallet naar 40%", by=by, now=CHANGE_PUBLISHED)


def test_a_goal_changed_from_30_to_40_changes_only_the_figures_from_its_publication(
    wallet_answers,
):
    recompute(today=TODAY)
    before = _snapshots()
    v1 = RouteVersion.objects.get(number=1)
    assert {s.route_version for s in before.values()} == {v1}
    assert before[TODAY].value == pytest.approx(37.5)
    assert before[TODAY].status == ProgressStatus.REACHED  # 37.5% against 30%
    for day in BEFORE + AFTER:
        assert before[day].expected_value == pytest.approx(_expected(30, day))

    v2 = _publish_40()
    recompute(today=TODAY)
    after = _snapshots()
    for day in BEFORE:
        # Before the publication: still judged against 30, and saying so.
        assert after[day].route_version == v1
        assert after[day].expected_value == pytest.approx(before[day].expected_value)
        assert after[day].status == before[day].status
    for day in AFTER:
        assert after[day].route_version == v2
        assert after[day].expected_value == pytest.approx(_expected(40, day))
    assert after[TODAY].status == ProgressStatus.ON_TRACK  # 37.5% against 40%, ahead of pace
    assert after[TODAY].value == before[TODAY].value  # the figure itself is the answers'


def test_the_stored_figures_keep_their_version_until_they_are_recomputed(wallet_answers):
    recompute(today=TODAY)
    before = _snapshots()
    _publish_40()
    kept = _snapshots()
    assert {day: (s.expected_value, s.status, s.route_version_id) for day, s in kept.items()} == {
        day: (s.expected_value, s.status, s.route_version_id) for day, s in before.items()
    }


def test_a_figure_for_any_date_is_judged_against_the_goal_in_force_then(wallet_answers):
    recompute(today=TODAY)
    v2 = _publish_40()
    recompute(today=TODAY)
    wallet = SectorTarget.objects.get(code=WALLET)
    early_day, late_day = datetime.date(2026, 3, 20), datetime.date(2026, 5, 20)
    early = figures_as_of([wallet], early_day)[wallet.pk][1]
    late = figures_as_of([wallet], late_day)[wallet.pk][1]
    assert early.route_version_id == RouteVersion.objects.get(number=1).id
    assert early.expected_value == pytest.approx(_expected(30, early_day))
    assert late.route_version_id == v2.id
    assert late.expected_value == pytest.approx(_expected(40, late_day))
    # A stored date names the version its snapshot recorded.
    assert figures_as_of([wallet], TODAY)[wallet.pk][1].route_version_id == v2.id


def test_a_publication_is_seen_at_once_by_a_cached_figure_for_a_date(wallet_answers):
    recompute(today=TODAY)  # the stored baseline; 20 May itself has no snapshot
    wallet = SectorTarget.objects.get(code=WALLET)
    day = datetime.date(2026, 5, 20)
    assert figures_as_of([wallet], day)[wallet.pk][1].expected_value == pytest.approx(
        _expected(30, day)
    )
    _publish_40()  # no recompute: the cached figure for this date must not be served again
    assert figures_as_of([wallet], day)[wallet.pk][1].expected_value == pytest.approx(
        _expected(40, day)
    )


def test_the_target_page_says_which_version_the_figure_used(client, wallet_answers):
    recompute(today=TODAY)
    _publish_40()
    recompute(today=TODAY)
    html = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    assert 'Berekend met <a href="/route/versies/#versie-2">routeversie 2</a>' in html
    assert "(gepubliceerd op 15 april 2026)" in html
    exact = client.get("/dashboard/doelen/LZD-WALLET/?peildatum=2026-03-20").content.decode()
    notice = exact[exact.index('class="notice"') :]
    assert 'Berekend met <a href="/route/versies/#versie-1">routeversie 1</a>' in notice
    assert "(gepubliceerd op 5 januari 2026)" in notice


def test_the_dashboard_says_which_version_its_figures_used(client, wallet_answers):
    recompute(today=TODAY)
    html = client.get("/dashboard/").content.decode()
    assert 'Berekend met <a href="/route/versies/#versie-1">routeversie 1</a>' in html
    _publish_40()
    recompute(today=TODAY)
    html = client.get("/dashboard/").content.decode()
    assert 'Berekend met <a href="/route/versies/#versie-2">routeversie 2</a>' in html
    # One sentence, its full stop right after the date (no stray space before it).
    assert "(gepubliceerd op 15 april 2026)</span>.</p>" in html


def test_the_target_page_shows_the_goal_its_figure_was_judged_against(client, wallet_answers):
    """Staff edit the live goal to 50% and do not publish: the figure was judged against
    version 2's 40%, so the page shows 40% beside it and names the unpublished 50% apart."""
    _publish_40()
    recompute(today=TODAY)
    wallet = SectorTarget.objects.get(code=WALLET)
    wallet.goal_value, wallet.deadline = Decimal("50"), datetime.date(2027, 12, 31)
    wallet.save()
    html = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    facts = html[html.index('class="facts key-figures"') : html.index("</dl>")]
    assert "(doel 40%, uiterlijk 31 december 2028)" in facts
    assert (
        "De route noemt nu doel 50%, uiterlijk 31 december 2027; de cijfers rekenen daarmee "
        "zodra die versie van de route is gepubliceerd." in facts
    )
    # The explanation works from the same goal and deadline.
    explanation = html[html.index('class="explanation"') :]
    assert "40%" in explanation and "31 december 2028" in explanation
    assert "50%" not in explanation
    # Published, and figured up to the day of publication: they agree again, with no note.
    published = do_publish_route_version(note="Wallet naar 50%", by=None)
    recompute(today=timezone.localdate(published.published_at))
    html = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    assert "(doel 50%, uiterlijk 31 december 2027)" in html
    assert "De route noemt nu doel" not in html
