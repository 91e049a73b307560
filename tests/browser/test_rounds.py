"""A reporting round end to end in Chromium: sector staff create a round, see it open, send a
reminder by hand, approve one institution and close the round; the CIO then sees the round on
the status page and is refused when editing an answer the closed round locks. axe-core runs on
every page of the flow."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from institutions.models import Answer
from rounds.models import ReminderSent, Round, RoundReview
from tests.browser.helpers import (
    assert_accessible,
    assert_no_csp_errors,
    form_label,
    log_in,
    screenshot,
    watch_console,
)
from themes.models import SectorTarget

pytestmark = pytest.mark.browser

TARGETS = ("LZD-WALLET", "CYB-NBA-GEMIDDELD")
WALLET_ROW = "#target-leren-zonder-drempels-LZD-WALLET"


def _failures_of(check, *args) -> list[str]:
    try:
        check(*args)
    except AssertionError as error:
        return [str(error)]
    return []


def _answer_both(institution) -> None:
    today = timezone.localdate()
    Answer.objects.create(
        institution=institution, target=SectorTarget.objects.get(code=TARGETS[0]),
        status="gepland", applies_on=today,
    )  # fmt: skip
    Answer.objects.create(
        institution=institution, target=SectorTarget.objects.get(code=TARGETS[1]),
        score=2, applies_on=today,
    )  # fmt: skip


def test_staff_run_a_round_and_the_cio_meets_its_lock(
    site, page: Page, sector_staff, cio_a, cio_b, institution_a, institution_b
):
    page.set_default_timeout(10_000)
    log = watch_console(page)
    axe: list[str] = []
    today = timezone.localdate()
    _answer_both(institution_b)  # B has answered both targets today: complete once the round opens

    # --- Staff create a round for two targets, opening today.
    log_in(page, site, "staf@sector.example")
    page.get_by_role("link", name="Rondes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportagerondes")
    axe += _failures_of(assert_accessible, page, "the round list")
    page.get_by_role("link", name="Nieuwe ronde").click()
    axe += _failures_of(assert_accessible, page, "the new round form")
    page.get_by_label(form_label("Naam")).fill("Winter 2026")
    page.get_by_label(form_label("Opent op")).fill(today.isoformat())
    page.get_by_label(form_label("Sluitdatum")).fill((today + datetime.timedelta(10)).isoformat())
    page.get_by_label(form_label("Ledenvergadering")).fill(
        (today + datetime.timedelta(40)).isoformat()
    )
    boxes = page.locator("input[name=targets]")
    expect(boxes.first).to_be_checked()  # every answerable target by default
    for index in range(boxes.count()):
        box = boxes.nth(index)
        label = page.locator(f"label[for='{box.get_attribute('id')}']").inner_text()
        if not label.startswith(TARGETS):
            box.uncheck()
    page.get_by_role("button", name="Ronde aanmaken").click()

    # --- The round page: open, B complete, A not.
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapportageronde Winter 2026")
    expect(page.locator(".lead")).to_contain_text("Status: open.")
    expect(page.locator("main")).to_contain_text("Verwacht: 2 instellingen · compleet: 1")
    round = Round.objects.get(name="Winter 2026")
    assert set(round.targets.values_list("code", flat=True)) == set(TARGETS)
    axe += _failures_of(assert_accessible, page, "the round page")
    screenshot(page, "rounds-round-page")

    # --- A reminder by hand to A: preview, then send.
    page.get_by_role("link", name="ROC Proefwijk", exact=True).click()
    axe += _failures_of(assert_accessible, page, "the institution's round page")
    page.get_by_role("link", name="Herinnering bekijken en versturen").click()
    expect(page.locator("dl")).to_contain_text("cio@a.example")
    axe += _failures_of(assert_accessible, page, "the reminder preview")
    page.get_by_role("button", name="Herinnering versturen").click()
    expect(page.locator(".messages")).to_contain_text("Herinnering verstuurd aan cio@a.example.")
    assert [m.to for m in mail.outbox] == [["cio@a.example"]]
    assert ReminderSent.objects.get().status == "sent"

    # --- Approve B.
    page.get_by_role("link", name="Terug naar ronde Winter 2026").click()
    page.get_by_role("link", name="AOC Schetsburg", exact=True).click()
    page.get_by_label("goedgekeurd").check()
    page.get_by_role("button", name="Beoordeling opslaan").click()
    expect(page.locator(".messages")).to_contain_text("Goedgekeurd")
    assert RoundReview.objects.get(institution=institution_b).decision == "approved"
    axe += _failures_of(assert_accessible, page, "the institution's page after approval")

    # --- Close the round.
    page.get_by_role("link", name="Terug naar ronde Winter 2026").click()
    page.get_by_role("button", name="Ronde sluiten").click()
    expect(page.locator(".lead")).to_contain_text("Status: gesloten.")
    axe += _failures_of(assert_accessible, page, "the closed round page")

    # --- The CIO of A: the banner, and the lock when saving an answer dated in the round.
    page.context.clear_cookies()
    log_in(page, site, "cio@a.example")
    banner = page.locator(".round-banner")
    expect(banner).to_contain_text("Rapportageronde Winter 2026")
    expect(banner).to_contain_text("Gesloten op")
    expect(banner).to_contain_text("0 van 2 gevraagde doelen beantwoord")
    axe += _failures_of(assert_accessible, page, "the status page with a closed round")
    wallet = page.locator(WALLET_ROW)
    wallet.get_by_role("link", name=re.compile(r"^(Invullen|Wijzigen)\b")).click()
    wallet.get_by_label(form_label("Status")).select_option("gerealiseerd")
    wallet.get_by_role("button", name="Opslaan", exact=True).click()
    expect(wallet).to_contain_text("Ronde 'Winter 2026' is gesloten op")
    expect(wallet).to_contain_text("Vraag het sectorteam om heropening.")
    axe += _failures_of(assert_accessible, page, "the refused answer")
    screenshot(page, "rounds-refused-answer")
    assert not Answer.objects.filter(institution=institution_a).exists()

    assert_no_csp_errors(log, "the round flow")
    assert not axe, "\n".join(axe)
