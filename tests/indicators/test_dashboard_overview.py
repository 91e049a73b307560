"""The dashboard at a glance: a summary per theme, sparklines, the order by how far behind,
route targets apart from the programme's, and every number with its unit (issue 10)."""

import datetime
import html
import json
import re

import pytest

from indicators.actions import recompute
from indicators.models import ProgressStatus, Snapshot
from institutions.models import Answer
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)


@pytest.fixture
def figures(institution_a, institution_b):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    for day, status_a in [
        (datetime.date(2026, 2, 10), "gepland"),
        (datetime.date(2026, 9, 5), "gerealiseerd"),
    ]:
        Answer.objects.create(
            institution=institution_a, target=wallet, status=status_a, applies_on=day
        )
    Answer.objects.create(
        institution=institution_b,
        target=wallet,
        status="gepland",
        applies_on=datetime.date(2026, 2, 10),
    )
    Answer.objects.create(
        institution=institution_a, target=nba, score="2.0", applies_on=datetime.date(2026, 2, 10)
    )
    Answer.objects.create(
        institution=institution_b, target=nba, score="2.2", applies_on=datetime.date(2026, 2, 10)
    )
    recompute(today=TODAY)
    return wallet, nba  # fmt: skip


def _row(html: str, code: str) -> str:
    start = html.index(f'<code class="muted">{code}</code>')
    return html[start : html.index("</tr>", start)]


def test_every_value_goal_and_expected_value_has_its_unit(client, figures):
    html = client.get("/dashboard/").content.decode()
    wallet = _row(html, "LZD-WALLET")
    # Now 50,0% (one of two realised), goal 30%, expected on the straight line: all in %.
    assert "50,0%" in wallet and "30%" in wallet
    assert re.search(r"\d+,\d%</td>", wallet.split("30%")[1])  # the expected value
    nba = _row(html, "CYB-NBA-GEMIDDELD")
    assert "2,1 NBA-niveau" in nba and "3,0 NBA-niveau" in nba


def test_the_expected_value_is_on_the_trajectory_not_the_goal_once_reached(figures):
    wallet, _nba = figures
    september = Snapshot.objects.get(target=wallet, as_of=datetime.date(2026, 9, 30))
    assert september.status == ProgressStatus.REACHED
    assert september.reached_on == datetime.date(2026, 9, 30)
    assert september.expected_value < 30.0
    later = Snapshot.objects.get(target=wallet, as_of=datetime.date(2026, 10, 31))
    assert later.reached_on == datetime.date(2026, 9, 30)  # reached in September, still held


def test_an_incremental_recompute_carries_the_date_the_goal_was_reached(figures, institution_b):
    wallet, _nba = figures
    Answer.objects.create(
        institution=institution_b, target=wallet, status="gepland",
        applies_on=datetime.date(2026, 11, 2),
    )  # fmt: skip
    recompute(target_ids=[wallet.pk], from_date=datetime.date(2026, 11, 2), today=TODAY)
    november = Snapshot.objects.get(target=wallet, as_of=datetime.date(2026, 11, 30))
    assert november.reached_on == datetime.date(2026, 9, 30)


def test_milestone_targets_say_reached_or_not_and_coverage_does_not_apply(client, figures):
    html = client.get("/dashboard/").content.decode()
    open_ = SectorTarget.objects.filter(
        measure="milestone", reached_on__isnull=True, deadline__gt=TODAY
    ).first()
    row = _row(html, open_.code)
    assert "0,0%" not in row and "onbekend" not in row and "<polyline" not in row
    assert "nog niet behaald" in row and "n.v.t." in row
    reached = SectorTarget.objects.filter(measure="milestone", reached_on__isnull=False).first()
    row = _row(html, reached.code)
    assert "behaald" in row and "gerealiseerd" in row and "100,0" not in row


def test_programme_targets_whose_deadline_passed_are_missed_not_insufficient(client, figures):
    html = client.get("/dashboard/").content.decode()
    passed = SectorTarget.objects.filter(
        programme__isnull=False, deadline__lt=TODAY, reached_on__isnull=True
    )
    assert passed.exists()
    for target in passed:
        row = _row(html, target.code)
        assert "niet gehaald" in row and "streefdatum" in row and "verstreken" in row
        assert "onvoldoende voortgang" not in row and "100,0" not in row


def test_route_and_programme_targets_stand_apart_with_a_summary_per_theme(client, figures):
    html = client.get("/dashboard/").content.decode()
    route = html.index("Sectordoelen van de route")
    programme = html.index("Doelen van het programma Digitaal Bekwaam MBO")
    assert route < programme
    assert html.index("LZD-WALLET") < programme
    assert html.index(SectorTarget.objects.filter(programme__isnull=False).first().code) > programme
    summary = html[route : html.index("</table>", route)]
    assert "Aantal sectordoelen per voortgang" in summary
    assert "Leren zonder drempels" in summary and "Totaal" in summary
    # The totals row adds up to the number of route targets.
    total = int(re.search(r"<tfoot>.*<strong>(\d+)</strong></td></tr></tfoot>", summary, re.S)[1])
    assert total == SectorTarget.objects.filter(programme__isnull=True).count()


def test_each_target_with_a_series_has_a_sparkline(client, figures):
    html = client.get("/dashboard/").content.decode()
    assert '<polyline points="' in _row(html, "LZD-WALLET")


def test_sorted_by_how_far_behind(client, figures):
    html = client.get("/dashboard/?sort=achterstand").content.decode()
    assert "Gesorteerd op achterstand" in html
    # Missed programme targets first, the reached wallet among the last of the known ones.
    section = html[: html.index("Doelen van het programma")]
    order = re.findall(r'<code class="muted">([A-Z0-9-]+)</code>', section)
    assert order.index("CYB-NBA-GEMIDDELD") < order.index("LZD-WALLET")


DUTCH_MONTHS = {"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"}


def test_the_target_page_is_titled_by_the_target_and_its_charts_are_dutch(client, figures):
    html = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    assert f'<h1 lang="nl">{wallet.title}</h1>' in html
    assert "Voortgang van LZD-WALLET" not in html
    assert "<code>LZD-WALLET</code>" in html  # the code as a secondary label
    charts = html.split("data-plotly=")[1:]
    assert charts and all("deadline" not in chart for chart in charts)
    assert "streefdatum" in charts[0]
    ticks = re.findall(r"(\w+) (20\d\d)", charts[0].split("ticktext")[1].split("]")[0])
    assert ticks and all(month in DUTCH_MONTHS for month, _year in ticks)  # month ticks in Dutch
    assert ticks[-1][1] == "2028"  # the labels run on to the deadline
    assert "%b" not in html  # plotly.js's own (English) month names are not used


def test_dates_in_tables_are_dutch(client, figures):
    html = client.get("/dashboard/doelen/LZD-WALLET/").content.decode()
    assert "30 sep 2026" in html and "Sep 2026" not in html


def test_the_trajectory_chart_labels_the_years_up_to_the_deadline():
    """The axis runs to the deadline (Dec 2028); its labels must not stop at the last figure."""
    from indicators.charts import _through

    days = [datetime.date(2026, 10, 31), datetime.date(2026, 11, 30), datetime.date(2026, 12, 3)]
    extended = _through(datetime.date(2028, 12, 31), days)
    assert extended[:3] == days
    assert extended[3] == datetime.date(2027, 1, 31)
    assert extended[-1] == datetime.date(2028, 12, 31)
    assert extended == sorted(set(extended))  # one tick candidate per month end, in order
    assert _through(datetime.date(2026, 11, 30), days[:2]) == days[:2]


@pytest.mark.parametrize("code", ["LZD-WALLET", "CYB-NBA-GEMIDDELD", "CYB-NBA-INDIVIDUEEL"])
def test_every_chart_is_a_figure_plotly_accepts(client, figures, code):
    """plotly (Python) checks each property against plotly.js's schema: a misspelt key, which
    plotly.js would silently ignore, raises here."""
    import plotly.graph_objects as go

    page = client.get(f"/dashboard/doelen/{code}/").content.decode()
    charts = [json.loads(html.unescape(a)) for a in re.findall(r'data-plotly="([^"]*)"', page)]
    assert charts
    for chart in charts:
        go.Figure(chart)


def test_the_status_counts_say_they_count_every_target_on_the_page(client, figures):
    """The counts above the sections add up the route's targets and the programme's, which
    each section's table counts apart: the counts say so, so they are not read as a table's."""
    html = client.get("/dashboard/").content.decode()
    label = html.index("Alle doelen op deze pagina, per voortgang:")
    assert label < html.index('class="status-counts"') < html.index("Sectordoelen van de route")
