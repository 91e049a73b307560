"""The council's assembly pack end to end in Chromium, and the rounds' staff pages in English.

1. The council freezes a closed round's figures from /rapportages/vergaderstukken/, the test
   plays the worker (reports.assembly.freeze_pack, what the Celery task wraps), the pack page
   picks up the finished pack by itself, and the PDF and the workbook that download hold the
   round's figures.
   axe-core runs on the list, the pack in progress and the finished pack; a CIO is refused.
2. Sector staff with the English language cookie: every rounds page is axe-clean, has an English
   main heading and none of its own Dutch labels left in <main>.
"""

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, timezone, translation
from openpyxl import load_workbook
from playwright.sync_api import BrowserContext, Page, expect

from accounts.models import AuditEvent
from institutions.models import Answer
from reports import assembly
from reports.models import AssemblyPack
from rounds.models import Round
from tests.browser.helpers import (
    ROLE_EMAILS,
    assert_no_csp_errors,
    axe_failures,
    form_label,
    log_in,
    preload_axe,
    watch_console,
)
from themes.models import SectorTarget

pytestmark = pytest.mark.browser

WALLET = "LZD-WALLET"  # a status target: the share of institutions that realised it
NBA = "CYB-NBA-GEMIDDELD"  # a score target
ROUND_NAME = "Najaar proef"
SHEETS = ["Samenvatting", "Sinds vorige vergadering", "Sectordoelen", "Mijlpalen", "Instellingen"]
ENGLISH_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _packs_in_tmp(settings, tmp_path):
    # freeze_pack stores the PDF and the workbook under MEDIA_ROOT.
    settings.MEDIA_ROOT = tmp_path


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _closed_round(name: str = ROUND_NAME) -> Round:
    """Ran from 60 to 30 days ago, closed 29 days ago; its assembly is in 20 days."""
    round = Round.objects.create(
        name=name, opens_on=_days(-60), closes_on=_days(-30), assembly_on=_days(20)
    )
    round.targets.set(SectorTarget.objects.filter(code__in=[WALLET, NBA]))
    round.closed_at = timezone.now() - datetime.timedelta(days=29)
    round.save()
    return round


def _answers(institution_a, institution_b) -> None:
    """Dated in the round: A realised the wallet and scored the NBA, B only plans the wallet."""
    wallet, nba = SectorTarget.objects.get(code=WALLET), SectorTarget.objects.get(code=NBA)
    Answer.objects.create(
        institution=institution_a, target=wallet, status="gerealiseerd", applies_on=_days(-45)
    )
    Answer.objects.create(institution=institution_a, target=nba, score=3, applies_on=_days(-44))
    Answer.objects.create(
        institution=institution_b, target=wallet, status="gepland", applies_on=_days(-40)
    )


def _pdf_text(path: Path) -> str:
    """The PDF's text as poppler reads it, whitespace collapsed (lines break anywhere)."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext missing: apt-get install poppler-utils"
    result = subprocess.run(  # noqa: S603 - poppler on a file this test downloaded
        [pdftotext, "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return " ".join(result.stdout.split())


def _dutch_date(day: datetime.date) -> str:
    with translation.override("nl"):
        return formats.date_format(day, "j F Y")


def _english_date(day: datetime.date) -> str:
    # Spelled out here rather than with Django's formats: the test must not share the code
    # under test's translation of the month.
    return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


def test_the_council_freezes_a_round_and_downloads_its_assembly_pack(
    site, page: Page, council, cio_a, institution_a, institution_b, sent_jobs
):
    page.set_default_timeout(15_000)
    preload_axe(page.context)
    log = watch_console(page)
    axe: list[str] = []
    round = _closed_round()
    _answers(institution_a, institution_b)
    assembly_day = _dutch_date(round.assembly_on)

    # --- The list: no pack yet, the closed round offered in the form.
    log_in(page, site, ROLE_EMAILS["council"])
    page.goto(site + "/rapportages/vergaderstukken/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Vergaderstukken voor de ledenvergadering"
    )
    expect(page.locator("main table")).to_contain_text("Nog geen vergaderstukken.")
    axe += axe_failures(page, "the assembly list without packs")
    choice = page.get_by_label(form_label("Ronde"))
    expect(choice.locator("option")).to_have_text(
        [f"{ROUND_NAME} (ledenvergadering {assembly_day})"]
    )
    choice.select_option(str(round.pk))
    page.get_by_role("button", name="Cijfers bevriezen en vergaderstuk maken").click()

    # --- The pack page while the figures are being frozen: one job queued, no download yet.
    page.wait_for_url(re.compile(rf"/rapportages/vergaderstukken/{round.pk}/$"))
    pack = AssemblyPack.objects.get(round=round)
    assert (pack.state, pack.requested_by) == (AssemblyPack.State.QUEUED, council)
    assert sent_jobs == [(assembly.FREEZE_TASK, (pack.pk,))]
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Vergaderstuk ledenvergadering {assembly_day}"
    )
    expect(page.locator(".messages")).to_contain_text(
        f"De cijfers van ronde '{ROUND_NAME}' worden bevroren"
    )
    expect(page.locator("#pack-state [role=status]")).to_contain_text(
        "De cijfers worden bevroren en het vergaderstuk wordt gemaakt."
    )
    expect(page.get_by_role("link", name=re.compile("^Download"))).to_have_count(0)
    axe += axe_failures(page, "the pack page in progress")

    # --- The worker freezes the pack; the page polls (htmx) and shows it without a reload.
    assembly.freeze_pack(pack.pk)
    page.evaluate("window.__sameDocument = true")
    expect(page.get_by_role("link", name="Download (PDF)")).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    expect(page.locator("#pack-state[hx-get]")).to_have_count(0)  # the polling has stopped
    main = page.locator("main")
    expect(main.get_by_role("heading", name="Sinds de vorige vergadering")).to_be_visible()
    expect(main).to_contain_text("Dit is het eerste vergaderstuk")
    expect(main).to_contain_text("2 instellingen gaven in deze ronde antwoord.")
    wallet_row = main.locator("table.overview tr").filter(has_text=WALLET)
    expect(wallet_row).to_contain_text("(2/2)")  # A and B answered, of two active institutions
    axe += axe_failures(page, "the finished pack (swapped in)")
    page.reload()
    expect(page.locator(".lead")).to_contain_text("Cijfers bevroren op")
    axe += axe_failures(page, "the finished pack page")

    # --- The PDF: the stored Dutch file, with the round and "since the last assembly".
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download (PDF)").click()
    pdf = download_info.value
    assert pdf.suggested_filename == f"routekaart-vergaderstuk-{round.assembly_on}.pdf"
    pdf_path = Path(pdf.path())
    pack.refresh_from_db()
    with pack.pdf.open("rb") as stored:  # in Dutch: the frozen record itself, not a rewrite
        assert pdf_path.read_bytes() == stored.read()
    text = _pdf_text(pdf_path)
    assert f"Vergaderstuk ledenvergadering {assembly_day}" in text
    assert ROUND_NAME in text
    assert "Sinds de vorige vergadering" in text
    assert "Dit is het eerste vergaderstuk" in text
    assert "Cijfers op basis van alle antwoorden" in text
    assert WALLET in text and NBA in text

    # --- The workbook: its five sheets, the summary, the targets and who answered.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download (Excel)").click()
    xlsx = download_info.value
    assert xlsx.suggested_filename == f"routekaart-vergaderstuk-{round.assembly_on}.xlsx"
    # Playwright stores the download without an extension, which openpyxl refuses by name.
    workbook = load_workbook(io.BytesIO(Path(xlsx.path()).read_bytes()))
    assert workbook.sheetnames == SHEETS
    summary = {r[0]: r[1] for r in workbook["Samenvatting"].iter_rows(min_row=4, values_only=True)}
    assert summary["Ronde"] == ROUND_NAME
    assert summary["Vergeleken met"] == "geen eerder vergaderstuk"
    assert summary["Instellingen verwacht"] == 2
    targets = {
        row[1]: row for row in workbook["Sectordoelen"].iter_rows(min_row=2, values_only=True)
    }
    assert targets[WALLET][8:10] == (2, 2)  # answered, active
    assert targets[NBA][8:10] == (1, 2)
    assert targets[NBA][2] == 3  # A's score, the only one
    institutions = list(workbook["Instellingen"].iter_rows(min_row=2, values_only=True))
    assert institutions == [("AOC Schetsburg", "22BB", 1), ("ROC Proefwijk", "11AA", 2)]
    exports = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, actor=council)
    assert sorted(exports.values_list("detail", flat=True)) == [
        pdf.suggested_filename,
        xlsx.suggested_filename,
    ]

    # --- Back on the list: the pack is done and no closed round is left to freeze.
    page.get_by_role("link", name="Alle vergaderstukken").click()
    row = page.locator("main table tbody tr").filter(has_text=ROUND_NAME)
    expect(row).to_contain_text("klaar")
    expect(
        page.get_by_role("button", name="Cijfers bevriezen en vergaderstuk maken")
    ).to_have_count(0)
    axe += axe_failures(page, "the assembly list with a finished pack")
    assert_no_csp_errors(log, "the assembly pack flow")

    # --- A CIO may not see the pack nor download it.
    page.context.clear_cookies()
    log_in(page, site, ROLE_EMAILS["cio_a"])
    for path in (
        f"/rapportages/vergaderstukken/{round.pk}/",
        f"/rapportages/vergaderstukken/{round.pk}.pdf",
    ):
        response = page.goto(site + path)
        assert response.status == 403, f"{path}: {response.status}"

    assert not axe, "\n".join(axe)


# --- English -----------------------------------------------------------------------------------


def _english_context(browser, site: str, user) -> BrowserContext:
    """The language switch's cookie set to English (the portal ignores Accept-Language) and the
    user's session (no login form needed)."""
    context = browser.new_context(locale="nl-NL")
    preload_axe(context)
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": site},
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site},
        ]
    )
    return context


# The text of <main> and its accessible names (aria-label: read out, not shown), without what is
# Dutch on purpose and marked so: a reminder going out in Dutch carries lang="nl".
MAIN_TEXT_JS = """() => {
  const main = document.querySelector("main").cloneNode(true);
  main.querySelectorAll("[lang]:not([lang^=en])").forEach(el => el.remove());
  const names = [...main.querySelectorAll("[aria-label]")].map(el => el.getAttribute("aria-label"));
  return [main.innerText, ...names].join("\\n");
}"""


def test_the_rounds_pages_are_in_english_and_pass_axe(
    site, browser, sector_staff, cio_a, institution_a, institution_b
):
    closed = _closed_round()
    _answers(institution_a, institution_b)
    pack = AssemblyPack.objects.create(round=closed, requested_by=sector_staff)
    assembly.freeze_pack(pack.pk)
    # An open round: the detail page then has its close button and reminders to send, and
    # institution A (with a CIO to remind) is not complete.
    open_round = Round.objects.create(
        name="Winter proef", opens_on=_days(-5), closes_on=_days(10), assembly_on=_days(40)
    )
    open_round.targets.set(SectorTarget.objects.filter(code__in=[WALLET, NBA]))
    institution = f"/beheer/rondes/{open_round.pk}/instellingen/{institution_a.code}/"

    # Per page: its English main heading, and Dutch texts of its own labels that must be gone.
    pages = [
        (
            "/beheer/rondes/",
            "Reporting rounds",
            ["Rapportagerondes", "Nieuwe ronde", "Opent op", "Sluitdatum", "Ledenvergadering",
             "gesloten", "Tabel"],
        ),
        (
            "/beheer/rondes/nieuw/",
            "New reporting round",
            ["Nieuwe rapportageronde", "Naam", "Opent op", "Sluitdatum", "Gevraagde sectordoelen",
             "Cijfers voor de ledenvergadering", "alle antwoorden", "Ronde aanmaken"],
        ),
        (
            f"/beheer/rondes/{open_round.pk}/",
            "Reporting round Winter proef",
            ["Rapportageronde", "Alle rapportagerondes", "Opent op", "sluitdatum", "Vergaderstuk",
             "Cijfers op basis van", "Ronde sluiten", "Per soort instelling",
             "Per regio", "Nog niet compleet", "Compleet: beoordelen", "Herinneringen",
             "bekijken en versturen", "Verwacht", "Nog geen herinneringen verstuurd"],
        ),
        (
            institution,
            "ROC Proefwijk (11AA)",
            ["Terug naar ronde", "doelen beantwoord", "Statuspagina van de instelling",
             "Gevraagde doelen", "In deze ronde", "verouderd", "Beoordeling", "Nog niet beoordeeld",
             "goedgekeurd", "teruggestuurd", "Opmerking voor de instelling", "Heropenen",
             "De ronde is open", "Herinnering bekijken", "Nog geen herinneringen"],
        ),
        (
            institution + "herinnering/",
            "Preview the reminder",
            ["Herinnering bekijken", "Terug naar", "Zo gaat de herinnering", "Bericht in het",
             "Onderwerp", "Herinnering versturen"],
        ),
        (
            "/rapportages/vergaderstukken/",
            "Packs for the members' assembly",
            ["Vergaderstukken", "Nieuw vergaderstuk", "Er is geen gesloten ronde",
             "Gemaakte vergaderstukken", "Ledenvergadering", "Bevroren op", "klaar",
             "Cijfers op basis van"],
        ),
        (
            f"/rapportages/vergaderstukken/{closed.pk}/",
            f"Assembly pack, members' assembly of {_english_date(closed.assembly_on)}",
            ["Alle vergaderstukken", "Vergaderstuk", "Ronde ", "Cijfers bevroren op",
             "Cijfers op basis van", "Sinds de vorige vergadering", "Dit is het eerste",
             "Respons in de ronde", "Verwacht:", "gaven in deze ronde antwoord", "Sectordoelen op",
             "Waarde", "Streefwaarde", "Voortgang", "Dekking", "Bijgestelde voortgang",
             "De sectorstaf heeft geen", "Mijlpalen over de opleverdatum", "op te leveren",
             _dutch_date(closed.assembly_on)],
        ),
    ]  # fmt: skip

    context = _english_context(browser, site, sector_staff)
    page = context.new_page()
    page.set_default_timeout(10_000)
    failures: list[str] = []
    for path, heading, dutch in pages:
        response = page.goto(site + path)
        assert response.status == 200, f"{path}: {response.status}"
        assert page.evaluate("document.documentElement.lang") == "en", path
        h1 = " ".join(page.get_by_role("heading", level=1).inner_text().split())
        if h1 != heading:
            failures.append(f"{path}: the main heading is {h1!r}, not {heading!r}")
        text = page.evaluate(MAIN_TEXT_JS)
        left = [word for word in dutch if word in text]
        if left:
            failures.append(f"{path}: Dutch left in <main>: {left}")
        failures += axe_failures(page, f"{path} (English)")
    context.close()
    assert not failures, "\n".join(failures)
