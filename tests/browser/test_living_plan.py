"""The route as a living plan in a real browser: sector staff record a milestone's delivery and
publish a route version; the new pages (milestone, "Wat loopt achter", versions and their
diff, the layer summary and filters) pass axe in Dutch and in English."""

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.helpers import ROLE_EMAILS, axe_failures, form_label, log_in, preload_axe
from themes.models import Milestone, MilestoneStatusChange, RouteVersion

pytestmark = pytest.mark.browser

PILOT = "LZD-RC-2026-1"
PAGES = [
    f"/mijlpalen/{PILOT}/",
    "/route/achterstand/?peildatum=2027-01-01",
    "/route/achterstand/?peildatum=2027-13-01",  # a refused date, with its error
    "/route/versies/",
    "/route/versies/1/2/",
    "/?laag=student",
    "/doelen/?laag=school",
    "/mijlpalen/?laag=docent",
    "/doelen/LZD-WALLET/",
]


def _context(browser, site: str, user, language: str) -> BrowserContext:
    """A browser context in ``language`` (the language switch's cookie: the portal ignores
    Accept-Language), with ``user``'s session when given (no login form in two languages)."""
    context = browser.new_context(locale="nl-NL")
    preload_axe(context)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": site}]
    if user is not None:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": site})
    context.add_cookies(cookies)
    return context


def test_staff_record_a_delivery_and_publish_a_version_in_the_browser(
    site, page: Page, sector_staff
):
    preload_axe(page.context)
    log_in(page, site, ROLE_EMAILS["sector_staff"])
    page.goto(f"{site}/mijlpalen/{PILOT}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mijlpaal {PILOT}")
    assert axe_failures(page, "milestone page with the form") == []

    # A change without a reason is refused and named at the field.
    page.get_by_label(form_label("Nieuwe status")).select_option("started")
    page.get_by_role("button", name="Status vastleggen").click()
    expect(page.get_by_text("Dit veld is vereist.")).to_be_visible()
    assert MilestoneStatusChange.objects.count() == 0
    assert axe_failures(page, "milestone form with an error") == []

    today = timezone.localdate()
    page.get_by_label(form_label("Nieuwe status")).select_option("started")
    page.get_by_label(form_label("Datum")).fill(today.isoformat())
    page.get_by_label(form_label("Reden")).fill("Proeftuin is begonnen met drie instellingen")
    page.get_by_role("button", name="Status vastleggen").click()
    page.wait_for_url(re.compile(rf"/mijlpalen/{PILOT}/"))
    expect(page.get_by_role("status")).to_contain_text("De status is vastgelegd: gestart")
    history = page.get_by_role("table").filter(has_text="Proeftuin is begonnen")
    expect(history).to_contain_text("gepland")
    expect(history).to_contain_text("gestart")
    change = MilestoneStatusChange.objects.get()
    assert (change.status, change.changed_on, change.recorded_by) == (
        "started",
        today,
        sector_staff,
    )
    assert Milestone.objects.get(code=PILOT).status == "started"

    page.goto(f"{site}/route/versies/")
    page.get_by_label(form_label("Toelichting")).fill("Vastgesteld na de netwerkdag")
    page.get_by_role("button", name="Versie publiceren").click()
    page.wait_for_url(re.compile(r"/route/versies/#versie-2"))
    expect(page.get_by_role("status")).to_contain_text("Versie 2 is gepubliceerd")
    assert RouteVersion.objects.get(number=2).published_by == sector_staff
    page.get_by_role("link", name="versie 1 → 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat veranderde van versie 1 naar 2")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_new_pages_pass_axe(site, browser, sector_staff, language):
    from themes.actions import do_publish_route_version, do_record_milestone_status

    do_record_milestone_status(
        milestone=Milestone.objects.get(code=PILOT), status="delayed",
        changed_on=datetime.date(2026, 11, 1), reason="Leverancier later", by=sector_staff,
        today=timezone.localdate(),
    )  # fmt: skip
    do_publish_route_version(note="Tweede versie", by=sector_staff)
    failures = []
    for who, user in (("anonymous", None), ("sector staff", sector_staff)):
        context = _context(browser, site, user, language)
        page = context.new_page()
        for path in PAGES:
            response = page.goto(site + path)
            assert response.status in (200, 400), f"{path}: {response.status}"
            assert page.evaluate("document.documentElement.lang") == language
            failures += axe_failures(page, f"{path} ({who}, {language})")
        context.close()
    assert failures == [], "\n".join(failures)
