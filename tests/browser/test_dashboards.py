"""The dashboards in a real browser, after answers of two institutions and a recompute: the public
sector overview with its htmx filters, a target's Plotly charts (drawn under the strict CSP) with
their table alternative, the as-of form, the method page, and the per-institution comparison as a
CIO (anonymous) and as sector staff (named). axe-core runs on every page.

Loading the route costs a few seconds per test function, so each function covers several pages.
"""

import datetime
import re
from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from indicators.actions import recompute
from indicators.models import Snapshot
from indicators.overview import SUMMARY_STATUSES
from institutions.models import Answer
from tests.browser.helpers import (
    assert_accessible,
    assert_no_csp_errors,
    log_in,
    watch_console,
)
from themes.models import SectorTarget, Theme

pytestmark = pytest.mark.browser

EARLY = datetime.date(2026, 2, 10)
DAY = datetime.date(2026, 3, 15)
CHART_TITLES = {
    "series": "Voortgang naar het doel",
    "statuses": "Status van de instellingen",
    "coverage": "Dekking: instellingen die antwoordden",
}


@pytest.fixture
def figures(institution_a, institution_b):
    """11AA and 22BB answer the wallet and the NBA score; then the snapshots are computed.

    On 1 March 2026 only 11AA had answered the wallet ("gepland"): 0% adopted, coverage 50%.
    Now 11AA has realised it and 22BB plans it: 50% adopted, full coverage.
    """
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    create = Answer.objects.create
    create(institution=institution_a, target=wallet, status="gepland", applies_on=EARLY)
    create(institution=institution_a, target=wallet, status="gerealiseerd", applies_on=DAY)
    create(institution=institution_b, target=wallet, status="gepland", applies_on=DAY)
    create(institution=institution_a, target=nba, score="2.0", applies_on=DAY)
    create(institution=institution_b, target=nba, score="3.0", applies_on=DAY)
    recompute()
    return wallet, nba


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"


def _failures_of(check, *args) -> list[str]:
    try:
        check(*args)
    except AssertionError as error:
        return [str(error)]
    return []


def _dashboard_rows(targets) -> int:
    """A target under two themes has a row in each theme's table."""
    return sum(t.themes.count() for t in targets)


def _check_counts(page: Page, targets) -> None:
    """The status counts add up the latest snapshot of each shown target, per status."""
    latest = Snapshot.objects.latest("as_of").as_of
    snapshots = {s.target_id: s for s in Snapshot.objects.filter(as_of=latest)}
    expected = Counter(snapshots[t.pk].status for t in targets)
    # The statuses that occur, in the summary's order, each with its count.
    counts = page.locator("ul.status-counts > li")
    present = [s for s in SUMMARY_STATUSES if expected.get(s.value)]
    expect(counts).to_have_count(len(present))
    for index, status in enumerate(present):
        item = counts.nth(index)
        expect(item.locator(".progress-status")).to_have_text(str(status.label))
        expect(item.locator("strong")).to_have_text(str(expected[status.value]))


def _chart_titles(page: Page) -> list[str]:
    # SVG text has no innerText: read textContent.
    titles = page.locator("div.plotly-chart .gtitle")
    return [t.strip() for t in titles.evaluate_all("els => els.map(e => e.textContent)")]


def _wait_for_charts(page: Page, count: int) -> None:
    charts = page.locator("div.plotly-chart")
    expect(charts).to_have_count(count)
    for index in range(count):
        # Drawn by static/js/routekaart.js with the vendored Plotly: an SVG per chart.
        expect(charts.nth(index).locator("svg.main-svg").first).to_be_attached()
        expect(charts.nth(index)).to_have_attribute("data-plotly-drawn", "1")


def test_public_dashboards_filters_charts_and_method(site, page: Page, figures):
    wallet, nba = figures
    log = watch_console(page)
    failures: list[str] = []

    # --- The overview: counts per status and a row per target and theme.
    _open(page, site + "/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Voortgang van de sector")
    expect(page.locator("main")).to_contain_text("Cijfers berekend op")
    every_target = list(SectorTarget.objects.all())
    _check_counts(page, every_target)
    rows = page.locator("#dashboard-results table.dashboard-table tbody tr")
    expect(rows).to_have_count(_dashboard_rows(every_target))
    wallet_row = rows.filter(has=page.locator("code", has_text=re.compile(r"^LZD-WALLET$")))
    expect(wallet_row).to_have_count(1)
    expect(wallet_row.locator("td").nth(1)).to_contain_text("50,0%")
    expect(wallet_row.locator("td").nth(7)).to_contain_text("100% (2/2)")
    # Sector level only: nobody's name for an anonymous visitor.
    expect(page.locator("main")).not_to_contain_text("ROC Proefwijk")
    expect(page.locator("main")).not_to_contain_text("AOC Schetsburg")
    failures += _failures_of(assert_accessible, page, "/dashboard/")

    # --- The filters swap the results with htmx and put the filter in the URL.
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.__marker = 1; }")
    theme = Theme.objects.get(code="cyberweerbaarheid")
    in_theme = list(SectorTarget.objects.filter(themes=theme))
    page.get_by_label("Thema", exact=True).select_option(label=theme.name)
    expect(page).to_have_url(re.compile(r"[?&]theme=cyberweerbaarheid(&|$)"))
    expect(rows).to_have_count(_dashboard_rows(in_theme))
    shown_themes = set(page.locator("#dashboard-results h3").all_inner_texts())
    assert theme.name in shown_themes, shown_themes
    assert shown_themes <= {th.name for t in in_theme for th in t.themes.all()}, shown_themes
    _check_counts(page, in_theme)
    nba_row = rows.filter(has=page.locator("code", has_text=re.compile(r"^CYB-NBA-GEMIDDELD$")))
    expect(nba_row.locator("td").nth(1)).to_contain_text("2,5 NBA-niveau")

    page.get_by_label("Thema", exact=True).select_option("")
    page.get_by_label("Voortgang", exact=True).select_option("gerealiseerd")
    expect(page).to_have_url(re.compile(r"[?&]status=gerealiseerd(&|$)"))
    reached = [t for t in every_target if t.snapshots.latest("as_of").status == "gerealiseerd"]
    assert reached, "no target is reached: the filter would show nothing"
    expect(rows).to_have_count(_dashboard_rows(reached))
    shown = set(page.locator("#dashboard-results tbody td:first-child code").all_inner_texts())
    assert shown == {t.code for t in reached}, shown
    assert page.evaluate("() => window.__marker") == 1, "the filters reloaded the page"
    expect(page.locator("#dashboard-results")).to_have_count(1)  # swapped, not nested

    # --- The wallet's figures: three charts drawn under the CSP, and the numbers as a table.
    log.clear()
    _open(page, site + "/dashboard/doelen/LZD-WALLET/")
    expect(page.get_by_role("heading", level=1)).to_have_text(wallet.title)
    _wait_for_charts(page, 3)
    assert _chart_titles(page) == list(CHART_TITLES.values())
    series = list(Snapshot.objects.filter(target=wallet).order_by("as_of"))
    table = page.locator("details table.data-table")
    expect(table.locator("tbody tr")).to_have_count(len(series))
    expect(table.locator("tbody tr").last.locator("td").first).to_have_text("50,0%")
    march = table.locator("tbody tr", has=page.locator('time[datetime="2026-03-31"]'))
    expect(march.locator("td").first).to_have_text("50,0%")
    expect(march.locator("td").last).to_have_text("2/2")
    february = table.locator("tbody tr", has=page.locator('time[datetime="2026-02-28"]'))
    expect(february.locator("td").first).to_have_text("0,0%")
    expect(february.locator("td").last).to_have_text("1/2")
    expect(page.locator(".key-figures")).to_contain_text("2 van 2 instellingen antwoordden")
    failures += _failures_of(assert_accessible, page, "/dashboard/doelen/LZD-WALLET/")
    failures += _failures_of(assert_no_csp_errors, log, "/dashboard/doelen/LZD-WALLET/")
    inline_styles = page.locator("head style, body style").count()
    assert inline_styles == 0, f"Plotly injected {inline_styles} <style> element(s)"

    # --- The as-of form: the exact figure on any date.
    page.get_by_label(re.compile(r"^Peildatum:?$")).fill("2026-03-01")
    page.get_by_role("button", name="Toon cijfer op deze datum").click()
    expect(page).to_have_url(re.compile(r"\?peildatum=2026-03-01$"))
    exact = page.locator("main .notice[role=status]")
    expect(exact).to_contain_text("Op 1 maart 2026:")
    expect(exact.locator("strong")).to_have_text("0,0%")
    expect(exact).to_contain_text("dekking 50% (1 van 2)")
    _wait_for_charts(page, 3)

    # --- The NBA score: a mean, so no status distribution.
    log.clear()
    _open(page, site + "/dashboard/doelen/CYB-NBA-GEMIDDELD/")
    _wait_for_charts(page, 2)
    assert _chart_titles(page) == [CHART_TITLES["series"], CHART_TITLES["coverage"]]
    expect(page.locator(".key-figures")).to_contain_text("2,5 NBA-niveau")
    # Two scores: too few for public quartiles (each would be one institution's score).
    expect(page.locator(".key-figures")).not_to_contain_text("kwartielen")
    rows_nba = page.locator("details table.data-table tbody tr")
    expect(rows_nba).to_have_count(Snapshot.objects.filter(target=nba).count())
    failures += _failures_of(assert_accessible, page, "/dashboard/doelen/CYB-NBA-GEMIDDELD/")
    failures += _failures_of(assert_no_csp_errors, log, "/dashboard/doelen/CYB-NBA-GEMIDDELD/")

    # --- How the figures are computed.
    log.clear()
    _open(page, site + "/methode/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zo rekenen we")
    failures += _failures_of(assert_accessible, page, "/methode/")
    failures += _failures_of(assert_no_csp_errors, log, "/methode/")

    assert not failures, "\n\n".join(failures)


def test_comparison_is_anonymous_for_a_cio_and_named_for_sector_staff(
    site, page: Page, new_context, figures, cio_a, sector_staff
):
    log = watch_console(page)
    comparison = "/dashboard/vergelijking/11AA/"

    # --- The CIO sees the own answers next to the sector, and no other institution.
    log_in(page, site, cio_a.email)
    _open(page, site + comparison)
    expect(page.get_by_role("heading", level=1)).to_have_text("ROC Proefwijk tegen de sector")
    rows = page.locator("table.data-table tbody tr")

    def row(code: str):
        return rows.filter(has=page.locator("code", has_text=re.compile(rf"^{code}$")))

    expect(row("LZD-WALLET").locator("td").nth(1)).to_contain_text("gerealiseerd")
    expect(row("LZD-WALLET").locator("td").nth(2)).to_contain_text("50,0%")
    distribution = row("LZD-WALLET").locator("td").nth(3)
    expect(distribution).to_contain_text("gepland: 1")
    expect(distribution).to_contain_text("gerealiseerd: 1")
    expect(row("CYB-NBA-GEMIDDELD").locator("td").nth(1)).to_contain_text("2,0")
    expect(row("CYB-NBA-GEMIDDELD").locator("td").nth(3)).not_to_contain_text("kwartielen")
    expect(page.locator("main")).not_to_contain_text("AOC Schetsburg")
    expect(page.locator("main details")).to_have_count(0)
    assert_accessible(page, f"{comparison} as the CIO")

    # --- Sector staff see who stands where, inside "Per instelling".
    staff = new_context().new_page()
    staff_log = watch_console(staff)
    log_in(staff, site, sector_staff.email)
    expect(staff).to_have_url(site + "/instellingen/")  # staff land on the overview
    _open(staff, site + comparison)
    wallet = staff.locator("table.data-table tbody tr").filter(
        has=staff.locator("code", has_text=re.compile(r"^LZD-WALLET$"))
    )
    details = wallet.locator("details")
    expect(details.locator("summary")).to_have_text(re.compile(r"^Per instelling"))
    details.locator("summary").click()
    names = sorted(details.locator("li").all_inner_texts())
    assert names == ["AOC Schetsburg: gepland", "ROC Proefwijk: gerealiseerd"], names
    assert_accessible(staff, f"{comparison} as sector staff, details open")

    assert_no_csp_errors(log, "the CIO's comparison")
    assert_no_csp_errors(staff_log, "the staff's comparison")


def test_as_of_notice_names_the_progress_status(site, page: Page, figures):
    # No need to wait for Plotly here: the notice is in the HTML.
    page.goto(site + "/dashboard/doelen/LZD-WALLET/?peildatum=2026-03-01", wait_until="commit")
    exact = page.locator("main .notice[role=status]")
    expect(exact).to_contain_text("Op 1 maart 2026:")
    text = exact.locator("p").first.inner_text()  # the next line names the route version
    assert "onvoldoende_voortgang" not in text, text
    assert text.strip().endswith("onvoldoende voortgang (verwacht 0,0%)."), text


def test_comparison_names_the_answer_statuses(site, page: Page, figures, cio_a):
    log_in(page, site, cio_a.email)
    _open(page, site + "/dashboard/vergelijking/11AA/")
    wallet = page.locator("table.data-table tbody tr").filter(
        has=page.locator("code", has_text=re.compile(r"^LZD-WALLET$"))
    )
    text = wallet.locator("td").nth(3).inner_text()
    assert "_" not in text, text
    assert "niet gestart: 0" in text and "in uitvoering: 0" in text, text
