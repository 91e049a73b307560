"""Shared checks for the browser tests: console/CSP capture, axe, layout."""

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import BrowserContext, Page

# Screenshots go outside the repository: /tmp/routekaart-shots/ on Linux.
SHOTS_DIR = Path(tempfile.gettempdir()) / "routekaart-shots"

# tests/conftest.py gives every person of the cast this password.
PASSWORD = "a-long-test-password"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Refused to")


@dataclass
class ConsoleLog:
    """Every console error and uncaught page error of one page (all its navigations)."""

    errors: list[str] = field(default_factory=list)

    def csp_errors(self) -> list[str]:
        return [e for e in self.errors if any(marker in e for marker in CSP_MARKERS)]

    def clear(self) -> None:
        self.errors.clear()


def watch_console(page: Page) -> ConsoleLog:
    log = ConsoleLog()

    def on_console(message):
        if message.type == "error":
            location = message.location or {}
            log.errors.append(f"{message.text} [{location.get('url', '?')}]")

    page.on("console", on_console)
    page.on("pageerror", lambda error: log.errors.append(f"pageerror: {error}"))
    return log


def assert_no_csp_errors(log: ConsoleLog, where: str) -> None:
    csp = log.csp_errors()
    assert not csp, f"CSP violations on {where}:\n" + "\n".join(csp)


def assert_no_console_errors(log: ConsoleLog, where: str) -> None:
    assert not log.errors, f"Console errors on {where}:\n" + "\n".join(log.errors)


def assert_accessible(page: Page, where: str) -> None:
    """axe-core, WCAG 2.0/2.1 A and AA rules; the report names each rule and element."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {where}:\n"
        + results.generate_report()
    )


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return page.evaluate("Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def screenshot(page: Page, name: str) -> Path:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SHOTS_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def form_label(text: str) -> re.Pattern:
    """A form label as Django renders it: the text and its label suffix (":")."""
    return re.compile(rf"^{re.escape(text)}:?$")


def log_in(page: Page, site: str, email: str) -> None:
    """Through the real login form; Django sends the person on to /instellingen/..."""
    page.goto(site + "/account/login/")
    page.get_by_label(form_label("E-mailadres")).fill(email)
    page.get_by_label(form_label("Wachtwoord")).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(re.compile(r"/instellingen/"))


# tests/conftest.py's cast: the e-mail address each role logs in with.
ROLE_EMAILS = {
    "cio_a": "cio@a.example",
    "viewer_a": "viewer@a.example",
    "cio_b": "cio@b.example",
    "sector_staff": "staf@sector.example",
    "council": "raad@mboraad.example",
    "administrator": "beheer@sector.example",
}
AXE_SCRIPT = Path(__import__("axe_playwright_python").__file__).parent / "axe.min.js"


def preload_axe(context: BrowserContext) -> None:
    """axe-core in every page of the context from the start: no injection per check."""
    context.add_init_script(path=str(AXE_SCRIPT))


def axe_failures(page: Page, where: str) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page, one text per rule (empty: none).

    Uses the copy of axe that preload_axe put in the context: our CSP (script-src 'self')
    would block injecting it afterwards with add_script_tag."""
    assert page.evaluate("() => typeof window.axe !== 'undefined'"), "call preload_axe first"
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    violations = page.evaluate("options => axe.run(document, options)", options)["violations"]
    return [
        f"axe on {where}: {v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"  {node['target']}: {node['failureSummary']}" for node in v["nodes"][:5])
        for v in violations
    ]
