"""No institution's own figures are public: a sector figure from fewer answers than the
minimum group size is withheld from everyone who may not see the answers themselves
(issue 10 "Privacy of small groups", issue 14 finding 1)."""

import datetime
import json

import pytest

from indicators.actions import recompute
from institutions.models import Answer, Institution
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture(autouse=True)
def _real_minimum(settings):
    settings.MIN_GROUP_SIZE = 3


@pytest.fixture
def five_institutions(institution_a, institution_b):
    extra = [
        Institution.objects.create(
            code=f"{n}CC",
            name=f"Vakcollege {n}",
            kind="vakinstelling",
            active_from=datetime.date(2020, 1, 1),
        )
        for n in (33, 44, 55)
    ]
    return [institution_a, institution_b, *extra]


def _score(institution, score, day=DAY):
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    return Answer.objects.create(institution=institution, target=nba, score=score, applies_on=day)


def _api_value(client, as_of=None):
    url = "/api/v1/targets/CYB-NBA-GEMIDDELD/" + (f"?as_of={as_of}" if as_of else "")
    data = client.get(url).json()
    return data["value"], data["status"]


def test_a_single_backdated_answer_is_not_readable_in_the_open_api(client, five_institutions):
    # The probe: a CIO's backdated answer was the only one in its month; the API gave it back.
    _score(five_institutions[0], "4.1", day=datetime.date(2025, 3, 10))
    recompute(today=TODAY)
    assert _api_value(client, "2025-06-30") == (None, "te_weinig_antwoorden")
    page = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/?peildatum=2025-06-30")
    html = page.content.decode()
    assert "te weinig antwoorden" in html and "4,1" not in html


def test_two_answers_are_withheld_and_three_are_shown(client, five_institutions):
    _score(five_institutions[0], "2.0")
    _score(five_institutions[1], "3.0")
    recompute(today=TODAY)
    assert _api_value(client) == (None, "te_weinig_antwoorden")
    series = client.get("/api/v1/targets/CYB-NBA-GEMIDDELD/series/").json()["series"]
    assert all(point["value"] is None for point in series)
    html = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    assert "te weinig antwoorden" in html and "2,5" not in html

    _score(five_institutions[2], "3.5")
    recompute(today=TODAY)
    value, status = _api_value(client)
    assert value == 2.8 and status != "te_weinig_antwoorden"  # 8.5 / 3, rounded


def test_one_save_that_makes_the_group_large_enough_reveals_nothing_by_difference(
    client, five_institutions
):
    """Before the save the figure was withheld, so "after minus before" has nothing to
    subtract: the new answer cannot be worked out from two published figures."""
    _score(five_institutions[0], "2.0")
    _score(five_institutions[1], "3.0")
    recompute(today=TODAY)
    before, _status = _api_value(client)
    _score(five_institutions[2], "4.4")
    recompute(today=TODAY)
    after, _status = _api_value(client)
    assert before is None and after is not None


def test_public_values_are_rounded_as_the_pages_show_them(client, five_institutions):
    for institution, score in zip(five_institutions, ["2.0", "3.0", "2.6"], strict=False):
        _score(institution, score)
    recompute(today=TODAY)
    value, _status = _api_value(client)
    assert value == 2.5  # 2.5333... is not published: one decimal, as on the pages


def test_the_lowest_and_highest_score_are_never_public(client, five_institutions, council):
    for institution, score in zip(
        five_institutions, ["2.1", "2.8", "3.0", "3.3", "4.1"], strict=True
    ):
        _score(institution, score)
    recompute(today=TODAY)
    public = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    assert "Spreiding" not in public  # 5 answers: too few for quartiles of 3 each
    assert "laagste" not in public and "4,1" not in public
    client.force_login(council)
    seen_by_council = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    assert "laagste 2,1, kwartielen 2,8 – 3,0 – 3,3, hoogste 4,1 (NBA-niveau)" in seen_by_council


def test_staff_see_every_figure_and_the_cached_dashboard_does_not_leak_it(
    client, five_institutions, sector_staff
):
    _score(five_institutions[0], "2.0")
    _score(five_institutions[1], "3.0")
    recompute(today=TODAY)
    client.force_login(sector_staff)
    staff_html = client.get("/dashboard/").content.decode()
    assert "2,5 NBA-niveau" in staff_html
    client.logout()
    public_html = client.get("/dashboard/").content.decode()
    assert "2,5 NBA-niveau" not in public_html
    assert "te weinig antwoorden" in public_html


def test_a_cio_sees_small_groups_withheld_in_the_comparison(client, five_institutions, cio_a):
    _score(five_institutions[0], "2.0")
    _score(five_institutions[1], "3.0")
    recompute(today=TODAY)
    client.force_login(cio_a)
    html = client.get("/instellingen/11AA/vergelijking/").content.decode()
    assert "te weinig antwoorden" in html
    assert "2,5 NBA-niveau" not in html


def test_the_charts_of_a_withheld_series_carry_no_values(client, five_institutions):
    _score(five_institutions[0], "2.0")
    recompute(today=TODAY)
    html = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    start = html.index('data-plotly="') + len('data-plotly="')
    chart = json.loads(html[start : html.index('"', start)].replace("&quot;", '"'))
    assert all(y is None for y in chart["data"][0]["y"])
