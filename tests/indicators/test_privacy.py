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
    html = client.get("/dashboard/vergelijking/11AA/").content.decode()
    assert "te weinig antwoorden" in html
    assert "2,5 NBA-niveau" not in html


def test_the_charts_of_a_withheld_series_carry_no_values(client, five_institutions):
    _score(five_institutions[0], "2.0")
    recompute(today=TODAY)
    html = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    start = html.index('data-plotly="') + len('data-plotly="')
    chart = json.loads(html[start : html.index('"', start)].replace("&quot;", '"'))
    assert all(y is None for y in chart["data"][0]["y"])


# --- Differencing (issue 14, finding 1): one save between two published figures ---------------

SCALE_WIDTH = 5.0  # the NBA scale, 0 to 5


@pytest.fixture
def real_small_group(settings):
    settings.SMALL_GROUP_SIZE = 10


def _institutions(count: int) -> list[Institution]:
    return [
        Institution.objects.create(
            code=f"{n:02d}DD", name=f"Vakschool {n}", kind="vakinstelling",
            active_from=datetime.date(2020, 1, 1),
        )
        for n in range(count)
    ]  # fmt: skip


def _published(client, code="CYB-NBA-GEMIDDELD") -> dict:
    return client.get(f"/api/v1/targets/{code}/").json()


def _range_left_for_the_new_answer(before: dict, after: dict, n: int) -> tuple[float, float]:
    """What a reader can work out from two published means, n and n + 1 answers, and the steps
    they are rounded to: after * (n + 1) - before * n, with each figure anywhere in its step."""
    low = (n + 1) * (after["value"] - after["rounded_to"] / 2) - n * (
        before["value"] + before["rounded_to"] / 2
    )
    high = (n + 1) * (after["value"] + after["rounded_to"] / 2) - n * (
        before["value"] - before["rounded_to"] / 2
    )
    return low, high


@pytest.mark.usefixtures("real_small_group")
@pytest.mark.parametrize("group", [3, 4, 6, 9])
def test_in_a_small_group_one_save_cannot_be_read_off_two_published_figures(client, group):
    """The probe's sum: with one decimal, 3 published scores and then 4 gave the fourth to
    within 0.35 of a level. Now the range left is wider than the whole scale."""
    schools = _institutions(group + 1)
    scores = ["2.0", "3.0", "4.4", "1.5", "2.5", "3.5", "4.0", "1.0", "2.2"]
    for school, score in zip(schools[:group], scores, strict=False):
        _score(school, score)
    recompute(today=TODAY)
    before = _published(client)
    _score(schools[group], "4.8")
    recompute(today=TODAY)
    after = _published(client)
    assert before["rounded_to"] > 0.1  # from 9 to 10 answers, "after" is one decimal again
    low, high = _range_left_for_the_new_answer(before, after, group)
    assert low <= 4.8 <= high
    assert high - low >= SCALE_WIDTH


@pytest.mark.usefixtures("real_small_group")
def test_a_large_group_is_published_to_one_decimal(client):
    for school, score in zip(_institutions(10), ["2.0", "3.0"] * 5, strict=True):
        _score(school, score)
    recompute(today=TODAY)
    published = _published(client)
    assert (published["value"], published["rounded_to"]) == (2.5, 0.1)


@pytest.mark.usefixtures("real_small_group")
def test_a_small_group_is_rounded_coarsely_on_the_page_and_in_the_charts(client):
    for school, score in zip(_institutions(4), ["2.0", "3.0", "4.4", "2.9"], strict=True):
        _score(school, score)
    recompute(today=TODAY)  # mean 3.075; one answer moves it by up to 5 / 4: a step of 2
    published = _published(client)
    assert (published["value"], published["rounded_to"]) == (4.0, 2.0)
    html = client.get("/dashboard/doelen/CYB-NBA-GEMIDDELD/").content.decode()
    assert "≈&nbsp;4,0 NBA-niveau" in html
    assert "Afgerond op 2,0 NBA-niveau: minder dan 10 instellingen antwoordden" in html
    assert "3,1" not in html and "3,08" not in html
    start = html.index('data-plotly="') + len('data-plotly="')
    chart = json.loads(html[start : html.index('"', start)].replace("&quot;", '"'))
    assert {y for y in chart["data"][0]["y"] if y is not None} == {4.0}
    dashboard = client.get("/dashboard/").content.decode()
    assert "≈&nbsp;4,0 NBA-niveau" in dashboard and "3,1 NBA-niveau" not in dashboard


@pytest.mark.usefixtures("real_small_group")
def test_a_small_groups_counts_per_status_are_not_public(client, council):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    schools = _institutions(5)
    for school, status in zip(
        schools,
        ["gerealiseerd", "gerealiseerd", "in_uitvoering", "gepland", "gepland"],
        strict=True,
    ):
        Answer.objects.create(institution=school, target=wallet, status=status, applies_on=DAY)
    recompute(today=TODAY)
    # 2 of 5 active adopted: 40%; each adopter moves the share by 20 points, so a step of 50.
    published = _published(client, "LZD-WALLET")
    assert (published["value"], published["rounded_to"]) == (50.0, 50.0)
    html = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    bars = [
        json.loads(chunk.split('"', 1)[0].replace("&quot;", '"'))
        for chunk in html.split('data-plotly="')[1:]
    ]
    statuses = bars[1]["data"]
    # Zeros before the first answer (a figure from no answers reveals no one), none after.
    assert all(not y for trace in statuses[:-1] for y in trace["y"])
    assert all(trace["y"][-1] is None for trace in statuses[:-1])
    client.force_login(council)
    assert _published(client, "LZD-WALLET")["value"] == 50.0  # the API is open data for all
    seen = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    assert "40,0%" in seen
