"""Dashboards and the API's figures: what they show after answers and a recompute."""

import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone

from indicators.actions import recompute
from institutions.models import Answer, Institution
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 15)


@pytest.fixture
def figures(institution_a, institution_b):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    Answer.objects.create(
        institution=institution_a, target=wallet, status="gerealiseerd", applies_on=DAY
    )
    Answer.objects.create(
        institution=institution_b, target=wallet, status="gepland", applies_on=DAY
    )
    Answer.objects.create(institution=institution_a, target=nba, score="2.0", applies_on=DAY)
    Answer.objects.create(institution=institution_b, target=nba, score="3.0", applies_on=DAY)
    recompute()
    return wallet, nba


def test_the_overview_shows_each_target_against_its_goal(
    client, figures, django_assert_max_num_queries
):
    # 10, and 4 for the layers: the filter's choices, the targets' layers, the layers, and the
    # milestones per layer and status.
    with django_assert_max_num_queries(14):
        response = client.get("/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "50,0%" in html  # one of two institutions realised the wallet
    assert "Cijfers berekend op" in html
    # Sector level only: no institution names for anonymous visitors.
    assert "ROC Proefwijk" not in html and "Niet (recent) gemeld" not in html


def test_the_overview_query_count_does_not_grow_with_institutions(
    client, figures, django_assert_max_num_queries
):
    Institution.objects.bulk_create(
        [
            Institution(
                code=f"{n:02d}QQ",
                name=f"Extra {n}",
                kind="roc",
                active_from=datetime.date(2020, 1, 1),
            )
            for n in range(30, 90)
        ]
    )
    recompute()
    with django_assert_max_num_queries(14):  # see the test above
        assert client.get("/dashboard/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/dashboard/doelen/LZD-WALLET/").status_code == 200


def test_staff_see_who_has_not_reported(client, figures, sector_staff, institution_a):
    Institution.objects.create(
        code="33CC",
        name="Vakcollege Stil",
        kind="vakinstelling",
        active_from=datetime.date(2020, 1, 1),
    )
    client.force_login(sector_staff)
    html = client.get("/dashboard/").content.decode()
    assert "Niet (recent) gemeld" in html
    assert "Vakcollege Stil" in html


def test_filters_live_in_the_url_and_htmx_gets_the_fragment(client, figures):
    response = client.get(
        "/dashboard/", {"theme": "cyberweerbaarheid"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-results"')
    assert "CYB-NBA-GEMIDDELD" in html and "LZD-WALLET" not in html
    reached = client.get("/dashboard/", {"status": "gerealiseerd"}).content.decode()
    assert "DBO-NETWERK" in reached and "CYB-NBA-GEMIDDELD" not in reached


def test_the_target_page_has_charts_and_the_numbers_as_a_table(client, figures, sector_staff):
    html = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    assert html.count('class="plotly-chart"') == 3  # series, statuses, coverage
    assert "De cijfers als tabel" in html
    assert "50,0" in html
    nba = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    assert nba.count('class="plotly-chart"') == 2
    # Two scores: too few for public quartiles (tests/indicators/test_privacy.py); staff see
    # the spread with its unit.
    assert "kwartielen" not in nba
    client.force_login(sector_staff)
    nba = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    assert "laagste 2,0, kwartielen 2,0 – 2,0 – 3,0, hoogste 3,0 (NBA-niveau)" in nba


def test_an_exact_figure_for_any_date(client, figures):
    html = client.get("/dashboard/doelen/LZD-WALLET/", {"peildatum": "2026-03-01"}).content.decode()
    assert "Op 1 maart 2026:" in html
    assert "dekking 0%" in html  # the answers apply from 15 March


def test_the_method_page_is_in_english_when_english_is_chosen(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/methode/").content.decode()
    assert '<div class="prose" lang="en">' in html
    assert "The sector figures come from the answers" in html
    assert "De sectorcijfers komen" not in html
    assert f"fewer than {settings.MIN_GROUP_SIZE} answers" in html


def test_the_method_page_explains_every_status(client):
    html = client.get("/methode/").content.decode()
    for status in (
        "gerealiseerd",
        "op koers",
        "matige voortgang",
        "onvoldoende voortgang",
        "achteruitgang",
        "onbekend",
    ):
        assert status in html


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        ("nl", ["Welke streefwaarde telt", "versie van de route", "nog nodig", "In dit tempo"]),
        ("en", ["Which goal counts", "version of the route", "still needed", "At this pace"]),
    ],
)
def test_the_method_page_says_which_goal_counts_and_what_is_still_needed(
    client, settings, language, texts
):
    """The figures pages name a route version and the institutions still needed: the method
    says what both mean, in each language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/methode/").content.decode()
    for text in texts:
        assert text in html


def test_the_api_carries_the_figures_and_any_as_of_date(client, figures):
    body = client.get("/api/v1/targets/LZD-WALLET/").json()
    assert body["value"] == pytest.approx(50.0)
    assert body["coverage"] == pytest.approx(100.0)
    assert body["as_of"] == timezone.localdate().isoformat()
    assert body["computed_at"]
    before = client.get("/api/v1/targets/LZD-WALLET/", {"as_of": "2026-03-01"}).json()
    assert before["value"] == 0.0 and before["coverage"] == 0.0 and before["status"] == "onbekend"
    series = client.get("/api/v1/targets/LZD-WALLET/series/").json()["series"]
    assert series[0]["date"] == "2026-01-31"
    march = next(point for point in series if point["date"] == "2026-03-31")
    assert march["value"] == pytest.approx(50.0)
    assert client.get("/api/v1/targets/", {"as_of": "gisteren"}).status_code == 400


def test_the_api_list_and_the_dashboard_show_the_same_numbers(client, figures):
    listed = {t["code"]: t for t in client.get("/api/v1/targets/").json()["results"]}
    assert listed["CYB-NBA-GEMIDDELD"]["value"] == pytest.approx(2.5)
    # Nobody answered the individual NBA target: a floor of 0% with 0% coverage, status unknown.
    individual = listed["CYB-NBA-INDIVIDUEEL"]
    assert (individual["value"], individual["coverage"], individual["status"]) == (
        0.0,
        0.0,
        "onbekend",
    )
    dashboard = client.get("/dashboard/").content.decode()
    assert "2,5 NBA-niveau" in dashboard


def test_the_cio_comparison_keeps_other_institutions_anonymous(
    client, figures, cio_a, sector_staff
):
    client.force_login(cio_a)
    html = client.get("/dashboard/vergelijking/11AA/").content.decode()
    assert "gerealiseerd" in html
    assert "AOC Schetsburg" not in html
    client.force_login(sector_staff)
    assert "AOC Schetsburg" in client.get("/dashboard/vergelijking/11AA/").content.decode()


def test_the_comparisons_first_address_redirects_for_bookmarks(client, cio_a):
    client.force_login(cio_a)
    response = client.get("/instellingen/11AA/vergelijking/?peildatum=2026-03-31")
    assert response.status_code == 301
    assert response["Location"] == "/dashboard/vergelijking/11AA/?peildatum=2026-03-31"


def test_the_cached_results_table_follows_every_recompute(
    client, figures, institution_b, django_assert_num_queries
):
    wallet, _nba = figures
    assert "50,0%" in client.get("/dashboard/").content.decode()
    # Served again from the cache: only the figures' version, the last run, the filter's
    # theme and layer choices and the milestone counts (one query) are read; no target or
    # snapshot query.
    with django_assert_num_queries(5):
        assert "50,0%" in client.get("/dashboard/").content.decode()
    Answer.objects.create(
        institution=institution_b, target=wallet, status="gerealiseerd", applies_on=DAY
    )
    recompute()
    assert "100,0%" in client.get("/dashboard/").content.decode()


def test_the_cached_table_is_kept_per_filter_and_language(client, figures):
    everything = client.get("/dashboard/").content.decode()
    one_theme = client.get("/dashboard/?theme=cyberweerbaarheid").content.decode()
    assert "LZD-WALLET" in everything and "LZD-WALLET" not in one_theme
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch's choice
    english = client.get("/dashboard/").content.decode()
    assert "Sectordoel</th>" in everything and "Sectordoel</th>" not in english


def test_the_dashboard_counts_milestones_per_theme_and_status(client):
    from themes.models import Milestone

    html = client.get("/dashboard/").content.decode()
    section = html[html.index('id="counts-heading"') :]
    section = section[: section.index("</section>")]
    total = Milestone.objects.count()
    assert total and f'<td class="num">{total}</td>' not in section  # per theme, not one row
    rows = re.findall(r"<tr>\s*<th scope=\"row\"[^>]*>(.*?)</th>(.*?)</tr>", section, re.S)
    totals = [int(re.findall(r">(\d+)<", cells)[5]) for _name, cells in rows]
    assert sum(totals) == total
    assert "/route/achterstand/" in html


def test_the_dashboard_says_its_figures_count_every_answer(client, figures):
    """Issue 11: the live figures count all answers; only a round's assembly pack may count
    approved ones alone, and it says so itself."""
    html = client.get("/dashboard/").content.decode()
    assert "Ze tellen alle antwoorden, goedgekeurd of niet." in html
