"""A CIO at work in a real browser: log in, answer two targets in place (htmx, mouse and keyboard),
hit a validation error, confirm a theme, read the history; without JavaScript; a conflict between
two editors; a viewer who may only look. axe-core runs on every page and state of the flow, and
the console must show no Content-Security-Policy violation anywhere.

Loading the route costs a few seconds per test function, so each function covers a whole flow.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Locator, Page, expect

from institutions.models import Answer, Membership
from tests.browser.helpers import (
    PASSWORD,
    ConsoleLog,
    assert_accessible,
    assert_no_csp_errors,
    form_label,
    log_in,
    watch_console,
)

pytestmark = pytest.mark.browser

STATUS_PATH = "/instellingen/11AA/"
WALLET_ROW = "#target-leren-zonder-drempels-LZD-WALLET"
NBA_ROW = "#target-cyberweerbaarheid-CYB-NBA-GEMIDDELD"
NBA_ERROR = "De score moet tussen 0,0 en 5,0 liggen."
NOJS_FORM = "/instellingen/11AA/doelen/LZD-WALLET/bewerken/?theme=leren-zonder-drempels"
CONFLICT = "Iemand anders heeft dit antwoord intussen gewijzigd."


def _log_in(page: Page, site: str, email: str) -> None:
    page.set_default_timeout(10_000)
    log_in(page, site, email)


def _edit_link(row: Locator) -> Locator:
    # The link's accessible name carries the target code ("Invullen LZD-WALLET").
    return row.get_by_role("link", name=re.compile(r"^(Invullen|Wijzigen)\b"))


def _scroll_to(page: Page, row: Locator) -> float:
    """Put the row near the top of the viewport (mid-page, so a jump would show); return scrollY."""
    row.evaluate("el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 150)")
    page.wait_for_function("() => window.scrollY > 0")
    return page.evaluate("() => window.scrollY")


def _same_document_and_scroll(page: Page, scroll_y: float, where: str) -> None:
    assert page.evaluate("() => window.__marker") == 1, f"{where}: the page was reloaded"
    now = page.evaluate("() => window.scrollY")
    assert abs(now - scroll_y) <= 5, f"{where}: scrollY moved from {scroll_y} to {now}"


def _tab_until(page: Page, target: Locator, *, key: str = "Tab", limit: int = 12) -> None:
    """Press Tab until ``target`` has the focus (a date input takes one Tab per part)."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press(key)
    expect(target).to_be_focused()


def _second_editor(institution) -> None:
    """Another editor of the institution (the CIO's deputy), with the shared test password."""
    user = get_user_model().objects.create_user(
        username="adjunct@a.example", email="adjunct@a.example", password=PASSWORD,
        first_name="Adjunct",
    )  # fmt: skip
    Membership.objects.create(user=user, institution=institution, role=Membership.Role.EDITOR)


def _failures_of(check, *args) -> list[str]:
    try:
        check(*args)
    except AssertionError as error:
        return [str(error)]
    return []


def test_cio_answers_two_targets_in_place_hits_a_validation_error_and_confirms_a_theme(
    site, page: Page, cio_a, institution_a, sent_jobs
):
    log = watch_console(page)
    axe_failures: list[str] = []

    # --- Log in through the form; the CIO lands on the status page of 11AA.
    _log_in(page, site, "cio@a.example")
    expect(page).to_have_url(site + STATUS_PATH)
    expect(page.get_by_role("heading", level=1)).to_contain_text("ROC Proefwijk")
    page.wait_for_function("() => window.htmx !== undefined")
    axe_failures += _failures_of(assert_accessible, page, "the status page")
    assert not Answer.objects.filter(institution=institution_a).exists()

    # --- LZD-WALLET with the mouse: the form opens and saves in place.
    page.evaluate("() => { window.__marker = 1; }")
    wallet = page.locator(WALLET_ROW)
    expect(wallet).to_contain_text("Nog niet ingevuld.")
    scroll_y = _scroll_to(page, wallet)
    _edit_link(wallet).click()
    status = wallet.get_by_label(form_label("Status"))
    expect(status).to_be_visible()
    _same_document_and_scroll(page, scroll_y, "opening the LZD-WALLET form")
    for label in ("Geldt per", "Toelichting", "Link naar onderbouwing"):
        expect(wallet.get_by_label(form_label(label))).to_be_visible()
    axe_failures += _failures_of(assert_accessible, page, "the status page with an open form")
    status.select_option("gerealiseerd")
    wallet.get_by_label(form_label("Toelichting")).fill(
        "Eduwallet in gebruik bij twee opleidingen."
    )
    wallet.get_by_role("button", name="Opslaan", exact=True).click()
    expect(wallet.get_by_role("status")).to_have_text("Opgeslagen.")
    expect(wallet.locator(".answer-value .value")).to_have_text("gerealiseerd")
    expect(wallet).to_contain_text("Eduwallet in gebruik bij twee opleidingen.")
    _same_document_and_scroll(page, scroll_y, "saving LZD-WALLET")
    saved = Answer.objects.get(institution=institution_a, target__code="LZD-WALLET")
    assert (saved.status, saved.source, saved.entered_by) == ("gerealiseerd", "web", cio_a)
    assert [name for name, _ in sent_jobs] == [
        "indicators.recompute_pending"
    ]  # the dashboards catch up

    # --- CYB-NBA-GEMIDDELD with the keyboard only.
    nba = page.locator(NBA_ROW)
    scroll_y = _scroll_to(page, nba)
    nba.locator("h4 a").focus()  # the target's own link, just before "Invullen"
    page.keyboard.press("Tab")
    expect(_edit_link(nba)).to_be_focused()
    page.keyboard.press("Enter")
    score = nba.get_by_label(re.compile(r"^Score"))
    expect(score).to_be_visible()
    expect(score).to_be_focused()  # htmx focuses [autofocus] when the swap settles
    page.keyboard.type("2,7")
    _tab_until(page, nba.get_by_role("button", name="Opslaan", exact=True))
    page.keyboard.press("Enter")
    expect(nba.get_by_role("status")).to_have_text("Opgeslagen.")
    expect(nba.locator(".answer-value .value")).to_have_text("2,7")
    _same_document_and_scroll(page, scroll_y, "saving CYB-NBA-GEMIDDELD by keyboard")
    nba_answer = Answer.objects.get(institution=institution_a, target__code="CYB-NBA-GEMIDDELD")
    assert str(nba_answer.score) == "2.7"

    # --- A score out of range: an inline error on the field, nothing saved.
    count = Answer.objects.count()
    _edit_link(nba).click()
    expect(score).to_have_value("2,7")
    score.fill("7")
    nba.get_by_role("button", name="Opslaan", exact=True).click()
    expect(nba.locator(".has-error")).to_contain_text(NBA_ERROR)
    expect(score).to_have_attribute("aria-invalid", "true")
    described_by = score.get_attribute("aria-describedby") or ""
    error_ids = [i for i in described_by.split() if i.endswith("_error")]
    assert error_ids, f"the score's error is not tied to it: aria-describedby={described_by!r}"
    expect(page.locator(f"[id='{error_ids[0]}']")).to_contain_text(NBA_ERROR)
    _same_document_and_scroll(page, scroll_y, "the validation error")
    assert Answer.objects.count() == count
    axe_failures += _failures_of(assert_accessible, page, "the status page with a field error")
    nba.get_by_role("link", name="Annuleren", exact=True).click()
    expect(nba.locator(".answer-value .value")).to_have_text("2,7")

    # --- "Niets veranderd bij Leren zonder drempels": a plain form post and a message.
    confirmations = Answer.objects.filter(source="confirmation").count()
    page.get_by_role("button", name="Niets veranderd bij Leren zonder drempels").click()
    message = page.locator(".messages .notice-success")
    expect(message).to_have_text(re.compile(r"^1 antwoorden bevestigd als nog steeds geldig"))
    expect(page).to_have_url(site + STATUS_PATH)
    assert page.evaluate("() => window.__marker") is None  # a real page load this time
    assert Answer.objects.filter(source="confirmation").count() == confirmations + 1
    assert Answer.objects.filter(source="confirmation").get().target.code == "LZD-WALLET"

    # --- The wallet's history lists both answers, newest first.
    page.locator(WALLET_ROW).get_by_role("link", name=re.compile(r"^Geschiedenis")).click()
    expect(page).to_have_url(site + "/instellingen/11AA/doelen/LZD-WALLET/geschiedenis/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschiedenis van LZD-WALLET")
    items = page.locator("#timeline .timeline-item")
    expect(items).to_have_count(Answer.objects.filter(target__code="LZD-WALLET").count())
    expect(items.first).to_contain_text("(bevestigd ongewijzigd)")
    expect(items.last).to_contain_text("(portaal)")
    expect(items.last).to_contain_text("gerealiseerd")
    axe_failures += _failures_of(assert_accessible, page, "the history page")

    assert not axe_failures, "\n\n".join(axe_failures)
    assert_no_csp_errors(log, "the CIO's pages")
    assert not [e for e in log.errors if e.startswith("pageerror")], log.errors


def test_without_javascript_with_a_conflict_and_as_a_viewer(
    site, new_context, cio_a, viewer_a, institution_a
):
    logs: list[tuple[str, ConsoleLog]] = []

    # --- Without JavaScript the "Invullen" link opens a full-page form.
    nojs = new_context(java_script_enabled=False).new_page()
    logs.append(("the CIO without JavaScript", watch_console(nojs)))
    _log_in(nojs, site, "cio@a.example")
    expect(nojs).to_have_url(site + STATUS_PATH)
    _edit_link(nojs.locator(WALLET_ROW)).click()
    expect(nojs).to_have_url(site + NOJS_FORM)
    expect(nojs.get_by_role("heading", level=1)).to_have_text("Antwoord op LZD-WALLET")
    nojs.get_by_label(form_label("Status")).select_option("gepland")
    nojs.get_by_role("button", name="Opslaan", exact=True).click()
    # Back on the status page, at the row just saved.
    nojs.wait_for_url(site + STATUS_PATH + "#target-leren-zonder-drempels-LZD-WALLET")
    expect(nojs.locator(".messages")).to_contain_text("Antwoord op LZD-WALLET opgeslagen.")
    expect(nojs.locator(WALLET_ROW).locator(".answer-value .value")).to_have_text("gepland")
    assert Answer.objects.get(target__code="LZD-WALLET").status == "gepland"

    # --- Two editors open the same form; the second save is refused and shows the first.
    _second_editor(institution_a)
    first = new_context().new_page()
    second = new_context().new_page()
    for who, page in ((cio_a.email, first), ("adjunct@a.example", second)):
        logs.append((who, watch_console(page)))
        _log_in(page, site, who)
        page.wait_for_function("() => window.htmx !== undefined")
        _edit_link(page.locator(NBA_ROW)).click()
        expect(page.locator(NBA_ROW).get_by_label(re.compile(r"^Score"))).to_be_visible()
    first_row, second_row = first.locator(NBA_ROW), second.locator(NBA_ROW)
    first_row.get_by_label(re.compile(r"^Score")).fill("3,1")
    first_row.get_by_role("button", name="Opslaan", exact=True).click()
    expect(first_row.get_by_role("status")).to_have_text("Opgeslagen.")
    second_row.get_by_label(re.compile(r"^Score")).fill("1,5")
    second_row.get_by_role("button", name="Opslaan", exact=True).click()
    alert = second_row.get_by_role("alert")
    expect(alert).to_contain_text(CONFLICT)
    expect(alert.locator("strong").last).to_have_text("3,1")
    expect(alert).to_contain_text("Het huidige antwoord van cio is")
    assert [str(a.score) for a in Answer.objects.filter(target__code="CYB-NBA-GEMIDDELD")] == [
        "3.1"
    ]
    assert_accessible(second, "the status page with a conflict")
    # Saving again is a deliberate choice: it replaces the first answer.
    second_row.get_by_role("button", name="Opslaan", exact=True).click()
    expect(second_row.get_by_role("status")).to_have_text("Opgeslagen.")
    expect(second_row.locator(".answer-value .value")).to_have_text("1,5")
    assert Answer.objects.filter(target__code="CYB-NBA-GEMIDDELD").count() == 2
    # The full-page form of the no-JS flow (axe needs JavaScript, so checked here).
    first.goto(site + NOJS_FORM)
    expect(first.get_by_role("heading", level=1)).to_have_text("Antwoord op LZD-WALLET")
    assert_accessible(first, "the full-page answer form")

    # --- A viewer sees the answers but no way to change them.
    viewer = new_context().new_page()
    logs.append(("viewer", watch_console(viewer)))
    _log_in(viewer, site, viewer_a.email)
    expect(viewer).to_have_url(site + STATUS_PATH)
    expect(viewer.locator(".lead")).to_have_text(
        "De antwoorden van deze instelling per sectordoel."
    )
    expect(viewer.locator(WALLET_ROW).locator(".answer-value .value")).to_have_text("gepland")
    expect(viewer.locator(NBA_ROW).locator(".answer-value .value")).to_have_text("1,5")
    expect(viewer.get_by_role("link", name=re.compile(r"^(Invullen|Wijzigen)\b"))).to_have_count(0)
    expect(viewer.get_by_role("button", name=re.compile(r"^Niets veranderd"))).to_have_count(0)
    expect(viewer.locator("form.answer-form")).to_have_count(0)
    assert_accessible(viewer, "the status page for a viewer")

    for who, log in logs:
        assert_no_csp_errors(log, f"the pages of {who}")


@pytest.fixture
def nba_target_only(without_route_data):
    """Just the NBA target under its theme: enough for one row, and no route to load."""
    import datetime

    from themes.models import SectorTarget, Theme

    if SectorTarget.objects.filter(code="CYB-NBA-GEMIDDELD").exists():
        return  # the first test of a session still sees the route tests/conftest.py loaded
    theme = Theme.objects.create(
        code="cyberweerbaarheid", abbreviation="CYB", name="Cyberweerbaarheid", purpose="-"
    )
    target = SectorTarget.objects.create(
        code="CYB-NBA-GEMIDDELD", title="Gemiddeld NBA volwassenheidsniveau 3.0",
        measure="mean_score", goal_value=3, unit="NBA-niveau", score_min=0, score_max=5,
        deadline=datetime.date(2029, 12, 31),
    )  # fmt: skip
    target.themes.add(theme)


def test_keyboard_focus_moves_into_the_opened_form(
    site, page: Page, nba_target_only, cio_a, institution_a
):
    """Keyboard only: Tab to "Invullen", Enter, type, Tab to "Opslaan", Enter."""
    _log_in(page, site, "cio@a.example")
    page.wait_for_function("() => window.htmx !== undefined")
    nba = page.locator(NBA_ROW)
    nba.locator("h4 a").focus()
    page.keyboard.press("Tab")
    expect(_edit_link(nba)).to_be_focused()
    page.keyboard.press("Enter")
    score = nba.get_by_label(re.compile(r"^Score"))
    expect(score).to_be_visible()
    expect(score).to_be_focused()  # htmx focuses [autofocus] when the swap settles
    page.keyboard.type("2,7")
    _tab_until(page, nba.get_by_role("button", name="Opslaan", exact=True))
    page.keyboard.press("Enter")
    expect(nba.get_by_role("status")).to_have_text("Opgeslagen.")
    assert str(Answer.objects.get(target__code="CYB-NBA-GEMIDDELD").score) == "2.7"


def test_score_label_uses_the_dutch_decimal_comma(
    site, page: Page, nba_target_only, cio_a, institution_a
):
    _log_in(page, site, "cio@a.example")
    page.wait_for_function("() => window.htmx !== undefined")
    nba = page.locator(NBA_ROW)
    _edit_link(nba).click()
    label = nba.locator("label", has_text="Score")
    expect(label).to_be_visible()
    assert label.inner_text().strip() == "Score (0,0–5,0):"


def test_language_switch_names_each_language_in_itself(site, page: Page, without_route_data):
    page.goto(site + "/account/login/")
    options = page.locator("#language-select option")
    expect(options).to_have_count(2)
    assert options.all_inner_texts() == ["Nederlands", "English"]
