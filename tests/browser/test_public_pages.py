"""The public pages in a real browser: content, accessibility (axe), CSP, htmx, keyboard, phone.

Loading the route into the database takes a few seconds per test function (the live server's
transactional database is emptied after each test), so each function covers several pages.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    assert_accessible,
    assert_no_csp_errors,
    horizontal_overflow,
    screenshot,
    watch_console,
)
from themes.models import Line, Milestone, Partner, SectorTarget, Theme

pytestmark = pytest.mark.browser

THEME_CODES = [
    "doorlopend-het-beste-onderwijs",
    "leren-zonder-drempels",
    "data-ai",
    "cyberweerbaarheid",
    "samen-transformeren",
    "digitale-soevereiniteit",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
THEME_PAGE = "/thema/leren-zonder-drempels/"
WALLET_TARGET = (
    "30% van de mbo-instellingen heeft een wallet en bijbehorende voorzieningen geadopteerd."
)


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"


def _check_overview(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("De digitaliseringsroute van het mbo")
    cards = page.locator(".theme-card")
    expect(cards).to_have_count(6)
    hrefs = [cards.nth(i).locator("h3 a").get_attribute("href") for i in range(6)]
    assert hrefs == [f"/thema/{code}/" for code in THEME_CODES]
    names = [cards.nth(i).locator("h3").inner_text().strip() for i in range(6)]
    assert names == list(Theme.objects.values_list("name", flat=True))
    # Targets at a glance: the wallet target on its theme's card, linking to its page.
    lzd = cards.nth(THEME_CODES.index("leren-zonder-drempels"))
    expect(lzd.locator('.target-glance a[href="/doelen/LZD-WALLET/"]')).to_have_count(1)
    glance_links = page.locator(".target-glance a")
    assert glance_links.count() >= SectorTarget.objects.filter(programme__isnull=True).count()
    # The theme without targets says so.
    sov = cards.nth(THEME_CODES.index("digitale-soevereiniteit"))
    expect(sov.locator(".target-glance")).to_have_count(0)
    expect(sov).to_contain_text("nog geen sectordoelen vastgesteld")


def _check_theme(page: Page, code: str) -> None:
    theme = Theme.objects.get(code=code)
    expect(page.get_by_role("heading", level=1)).to_have_text(theme.name)
    expect(page.locator(".breadcrumbs [aria-current=page]")).to_have_text(theme.name)
    line_count = Line.objects.filter(theme=theme).count()
    if code == "digitale-soevereiniteit":
        assert line_count == 0
        expect(page.locator("table")).to_have_count(0)
        expect(page.locator("#table-heading + p")).to_contain_text(
            "Voor dit thema staan in deze versie van de route nog geen lijnen"
        )
        return
    table = page.locator("table.route-table")
    expect(table).to_have_count(1)
    expect(table.locator("caption")).to_have_text(
        f"{theme.name}: mijlpalen per jaar en sectordoelen per lijn"
    )
    target_year = "2030" if code == "cyberweerbaarheid" else "2028"
    expect(table.locator("thead th")).to_have_text(
        ["Lijn", "2026", "2027", "2028", f"Sectordoelen {target_year}"]
    )
    expect(table.locator("tbody tr")).to_have_count(line_count)
    expect(table.locator("tbody th[scope=row]")).to_have_text(
        list(Line.objects.filter(theme=theme).order_by("order").values_list("name", flat=True))
    )
    milestones = Milestone.objects.filter(line__theme=theme).count()
    expect(table.locator("li.milestone")).to_have_count(milestones)
    if code == "leren-zonder-drempels":
        _check_wallet_row(page)


def _check_wallet_row(page: Page) -> None:
    row = page.locator("table.route-table tbody tr").filter(
        has=page.locator("th", has_text="Resultaten en credentials")
    )
    expect(row).to_have_count(1)
    expect(row.locator('td[data-label="2026"]')).to_contain_text("Pilot Eduwallet in de proeftuin")
    expect(row.locator('td[data-label="2027"]')).not_to_contain_text("Pilot Eduwallet")
    targets = row.locator('td[data-label="Sectordoelen 2028"]')
    expect(targets.get_by_role("link", name=WALLET_TARGET)).to_have_attribute(
        "href", "/doelen/LZD-WALLET/"
    )


def _check_target_list(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Sectordoelen")
    current = page.get_by_role("navigation", name="Hoofdmenu").locator("[aria-current=page]")
    expect(current).to_have_text("Sectordoelen")
    total = SectorTarget.objects.count()
    expect(page.locator(".lead")).to_contain_text(f"{total} meetbare doelen")
    expect(page.locator("table.data-table tbody tr")).to_have_count(total)
    expect(page.get_by_role("link", name=WALLET_TARGET)).to_have_attribute(
        "href", "/doelen/LZD-WALLET/"
    )


def _check_wallet_target(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Sectordoel LZD-WALLET")
    expect(page.locator("blockquote.target-text")).to_have_text(WALLET_TARGET)
    themes = page.locator(".facts dt:text-is('Thema') + dd a")
    expect(themes).to_have_text(["Leren zonder drempels"])


def _check_two_theme_target(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Sectordoel DBO-CTL")
    themes = page.locator(".facts dt:text-is('Thema') + dd a")
    expect(themes).to_have_text(["Doorlopend het beste onderwijs", "Samen transformeren"])
    expect(themes.first).to_have_attribute("href", "/thema/doorlopend-het-beste-onderwijs/")
    expect(themes.last).to_have_attribute("href", "/thema/samen-transformeren/")


def _check_milestone_list(page: Page) -> None:
    total = Milestone.objects.count()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijlpalen")
    expect(page.locator("#results-heading")).to_have_text(f"{total} mijlpalen")
    expect(page.locator("#results tbody tr")).to_have_count(total)
    for label in ("Thema", "Jaar", "Status", "Partner"):
        expect(page.get_by_label(label, exact=True)).to_have_count(1)
    expect(page.get_by_role("button", name="Filter")).to_be_visible()


def _check_partners(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners en waar zij actief zijn")
    expect(page.locator(".partner-list > li h2")).to_have_count(Partner.objects.count())
    expect(page.locator("#partner-npuls h2")).to_have_text("Npuls")


def _check_programme(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Digitaal Bekwaam MBO")
    budget = page.locator("table.budget")
    expect(budget).to_have_count(1)
    expect(budget.locator("thead th").first).to_have_text("Regel")
    years = budget.locator("thead th.num").all_inner_texts()
    assert len(years) >= 2 and all(re.fullmatch(r"20\d\d", y) for y in years), years
    assert budget.locator("tbody tr").count() >= 2
    expect(budget.locator("tbody tr.total")).not_to_have_count(0)


def _check_about(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Over Routekaart")
    expect(page.get_by_role("link", name="Documentatie van de API")).to_have_attribute(
        "href", "/api/docs/"
    )


def _failures_of(check, *args) -> list[str]:
    try:
        check(*args)
    except AssertionError as error:
        return [str(error)]
    return []


def test_every_public_page_shows_its_content_passes_axe_and_obeys_the_csp(site, page: Page):
    log = watch_console(page)
    pages = [
        ("/", _check_overview),
        *[(f"/thema/{code}/", lambda p, c=code: _check_theme(p, c)) for code in THEME_CODES],
        ("/doelen/", _check_target_list),
        ("/doelen/LZD-WALLET/", _check_wallet_target),
        ("/doelen/DBO-CTL/", _check_two_theme_target),
        ("/mijlpalen/", _check_milestone_list),
        ("/partners/", _check_partners),
        ("/programma/digitaal-bekwaam-mbo/", _check_programme),
        ("/over/", _check_about),
    ]
    failures = []
    for path, check in pages:
        log.clear()
        _open(page, site + path)
        check(page)
        # Collect every page's violations before failing: one run reports them all.
        failures += _failures_of(assert_accessible, page, path)
        failures += _failures_of(assert_no_csp_errors, log, path)
    assert not failures, "\n\n".join(failures)


def _open_api_docs(page: Page, site: str) -> None:
    _open(page, site + "/api/docs/")
    # Swagger UI is drawn by script from the schema: wait for its title element.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "Routekaart open data API", timeout=15_000
    )


def test_api_docs_render_swagger_ui_from_our_static_files(site, page: Page, without_route_data):
    # Third-party page: no axe run here (its violations are Swagger UI's own).
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    _open_api_docs(page, site)
    tags = page.locator(".swagger-ui .opblock-tag")
    expect(tags.first).to_be_visible()
    # The route's endpoints, whatever else the API grows.
    shown = {tag.strip().lower() for tag in tags.all_inner_texts()}
    assert {"themes", "lines", "milestones", "targets"} <= shown, shown
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    foreign = [url for url in requests if not url.startswith(site)]
    assert not foreign, f"/api/docs/ loads from other hosts: {foreign}"


def test_api_docs_obey_the_csp(site, page: Page, without_route_data):
    log = watch_console(page)
    _open_api_docs(page, site)
    assert_no_csp_errors(log, "/api/docs/")


def test_milestone_filter_updates_results_with_htmx_and_works_without_javascript(
    site, page: Page, new_context
):
    total = Milestone.objects.count()
    in_2027 = Milestone.objects.filter(year=2027).count()
    assert 0 < in_2027 < total

    # With JavaScript: htmx swaps #results and pushes the filtered URL; the page stays.
    log = watch_console(page)
    _open(page, site + "/mijlpalen/")
    page.wait_for_function("() => window.htmx !== undefined")
    expect(page.locator("#results-heading")).to_have_text(f"{total} mijlpalen")
    page.evaluate("() => { window.__sameDocument = true; }")
    page.get_by_label("Jaar", exact=True).select_option("2027")
    expect(page).to_have_url(re.compile(r"[?&]year=2027(&|$)"))
    expect(page.locator("#results-heading")).to_have_text(f"{in_2027} mijlpalen")
    expect(page.locator("#results tbody tr")).to_have_count(in_2027)
    assert set(page.locator("#results tbody tr td:first-child").all_inner_texts()) == {"2027"}
    assert page.evaluate("() => window.__sameDocument === true"), "the page was reloaded"
    expect(page.locator("#results")).to_have_count(1)  # swapped, not nested
    assert_no_csp_errors(log, "/mijlpalen/ after an htmx swap")

    # Without JavaScript: the same form is a plain GET form.
    theme = Theme.objects.get(code="leren-zonder-drempels")
    expected = Milestone.objects.filter(line__theme=theme, year=2026).count()
    assert 0 < expected < total
    nojs = new_context(java_script_enabled=False).new_page()
    _open(nojs, site + "/mijlpalen/")
    nojs.get_by_label("Thema", exact=True).select_option(label=theme.name)
    nojs.get_by_label("Jaar", exact=True).select_option("2026")
    nojs.get_by_role("button", name="Filter").click()
    nojs.wait_for_url(re.compile(r"theme=leren-zonder-drempels.*year=2026"))
    expect(nojs.locator("#results-heading")).to_have_text(f"{expected} mijlpalen")
    expect(nojs.locator("#results tbody tr")).to_have_count(expected)
    themes_shown = set(nojs.locator("#results tbody tr td:nth-child(3) a").all_inner_texts())
    assert themes_shown == {theme.name}
    # The chosen filters stay selected on the result page.
    expect(nojs.get_by_label("Jaar", exact=True)).to_have_value("2026")
    expect(nojs.get_by_label("Thema", exact=True)).to_have_value(theme.code)


def test_skip_link_and_language_switch(site, page: Page):
    _open(page, site + "/thema/leren-zonder-drempels/")

    # The first Tab lands on the skip link, which becomes visible; Enter moves focus to #main.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"skip link off-screen: {box}"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.locator("#main")).to_be_focused()

    # Language switch: English, and back on the same page.
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_label("Taal", exact=True).select_option("en")
    page.get_by_role("button", name="Wijzig").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.split("#")[0].endswith("/thema/leren-zonder-drempels/"), page.url
    expect(page.locator("#language-select")).to_have_value("en")


def test_phone_layout_has_no_horizontal_scroll_and_screenshots(site, new_context):
    desktop = new_context(viewport=DESKTOP).new_page()
    for path, name in (("/", "overview-desktop"), (THEME_PAGE, "theme-desktop")):
        _open(desktop, site + path)
        assert horizontal_overflow(desktop) == 0, f"{path} scrolls sideways on a desktop"
        screenshot(desktop, name)

    phone = new_context(viewport=PHONE).new_page()
    log = watch_console(phone)
    _open(phone, site + "/")
    expect(phone.locator(".theme-card")).to_have_count(6)
    screenshot(phone, "overview-phone")

    _open(phone, site + THEME_PAGE)
    # The table is stacked: one block per line, each cell labelled with its year.
    table = phone.locator("table.route-table")
    row = table.locator("tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    cell = table.locator('tbody td[data-label="2026"]').first
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") == '"2026"'
    box = table.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    # Nothing to scroll sideways inside the table's scroll box either.
    scroll = phone.locator(".table-scroll").first
    assert scroll.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    screenshot(phone, "theme-phone")

    # No sideways scrolling and no axe violations at phone width (the layout differs there).
    for path in (
        "/",
        THEME_PAGE,
        "/thema/cyberweerbaarheid/",
        "/doelen/",
        "/doelen/LZD-WALLET/",
        "/mijlpalen/",
        "/partners/",
        "/over/",
    ):
        _open(phone, site + path)
        assert horizontal_overflow(phone) <= 1, f"{path} scrolls sideways on a phone"
        if path in (THEME_PAGE, "/mijlpalen/"):
            assert_accessible(phone, f"{path} at {PHONE['width']}px")
    assert_no_csp_errors(log, "the phone pages")


def test_target_page_with_long_words_fits_a_phone(site, new_context):
    phone = new_context(viewport=PHONE).new_page()
    _open(phone, site + "/doelen/DBO-CTL/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sectordoel DBO-CTL")
    assert horizontal_overflow(phone) <= 1, "/doelen/DBO-CTL/ scrolls sideways on a phone"


def test_programme_page_passes_axe_at_phone_width(site, new_context):
    phone = new_context(viewport=PHONE).new_page()
    _open(phone, site + "/programma/digitaal-bekwaam-mbo/")
    expect(phone.locator("table.budget")).to_have_count(1)
    assert_accessible(phone, f"/programma/digitaal-bekwaam-mbo/ at {PHONE['width']}px")
