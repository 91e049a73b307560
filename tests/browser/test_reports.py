"""A council member makes a progress report in the browser, follows it and downloads it."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from institutions.models import Answer
from reports import actions
from reports.models import Report
from tests.browser.helpers import assert_accessible, assert_no_csp_errors, log_in, watch_console
from themes.models import SectorTarget

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _reports_in_tmp(settings, tmp_path):
    # The test plays the worker: the job is recorded (conftest's sent_jobs) and run below.
    settings.MEDIA_ROOT = tmp_path


def test_council_makes_a_report_follows_its_progress_and_downloads_it(
    site, page: Page, council, institution_a
):
    Answer.objects.create(
        institution=institution_a,
        target=SectorTarget.objects.get(code="LZD-WALLET"),
        status="gerealiseerd",
        applies_on=datetime.date(2026, 3, 15),
    )
    log = watch_console(page)
    page.set_default_timeout(15_000)
    log_in(page, site, council.username)

    page.goto(site + "/rapportages/")
    assert_accessible(page, "/rapportages/")
    page.get_by_label("CSV").check()
    page.get_by_label(re.compile("Peildatum")).fill("2026-06-30")
    page.get_by_label(re.compile("Vergelijken met")).fill("2026-03-31")
    page.get_by_role("button", name="Maak de rapportage").click()
    page.wait_for_url(re.compile(r"/rapportages/\d+/$"))

    report = Report.objects.get()
    assert report.state == "queued"
    expect(page.locator("progress")).to_be_visible()
    assert_accessible(page, "report in progress")

    actions.generate_report(report.pk)  # what the worker does
    # The page polls (htmx, every second) and shows the download without a reload.
    page.evaluate("window.__sameDocument = true")
    expect(page.get_by_text("De rapportage is klaar.")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download")).click()
    download = download_info.value
    assert download.suggested_filename == "routekaart-voortgang-sector-2026-06-30.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    assert text.startswith(
        "Code,Sectordoel,Thema,Peildatum,Waarde,Eenheid,Streefwaarde,Streefdatum"
    )
    wallet = [line for line in text.splitlines() if line.startswith("LZD-WALLET,")]
    assert any(",Leren zonder drempels,2026-06-30,100.0,%," in line for line in wallet), wallet

    page.goto(site + "/rapportages/")
    expect(page.get_by_role("link", name="Downloaden")).to_be_visible()
    assert_accessible(page, "Mijn rapportages with a finished report")
    assert_no_csp_errors(log, "reports")
