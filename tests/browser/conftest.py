"""Browser tests: Playwright drives the system Chromium against Django's live server.

Every test in this folder is skipped (not failed) when Chromium or the browser extras are
missing, so `make test` passes on a machine without a browser. Install Chromium with
`apt-get install chromium`; Playwright's own browser download is not used.
"""

import importlib.util
import io
import os
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django then refuses ORM calls
# from that thread (the data fixture below) unless this is set.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Chromium writes its profile, crash reports and caches under XDG folders: keep them out of $HOME.
_XDG_DIR = Path(tempfile.gettempdir()) / "routekaart-browser-tests"
os.environ.setdefault("XDG_CONFIG_HOME", str(_XDG_DIR / "config"))
os.environ.setdefault("XDG_CACHE_HOME", str(_XDG_DIR / "cache"))

CHROMIUM = Path(os.environ.get("ROUTEKAART_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_DIR = Path(__file__).resolve().parent


def _why_no_browser() -> str | None:
    if not CHROMIUM.exists():
        return "Chromium not installed: apt-get install chromium"
    for module in ("playwright", "pytest_playwright", "axe_playwright_python"):
        if importlib.util.find_spec(module) is None:
            return f"{module} not installed: make install-dev (the 'browser' extra)"
    return None


def pytest_collection_modifyitems(config, items):
    # This hook sees every collected item of the session, not only this folder's.
    reason = _why_no_browser()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """Overrides pytest-playwright's fixture: the system Chromium, headless."""
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A Dutch browser (Accept-Language nl-NL), as the portal's users have.

    Chromium's default is en-US, and LocaleMiddleware would then serve the English interface.
    The `new_context` fixture applies these arguments too; `browser.new_context()` does not.
    """
    return {**browser_context_args, "locale": "nl-NL"}


@pytest.fixture
def without_route_data():
    """Request this in a test that needs no route in the database (saves loading it)."""


@pytest.fixture(autouse=True)
def route_data(request, transactional_db):
    """The whole route in the database for every browser test.

    The live server needs `transactional_db`, which empties every table after each test, so the
    route loaded once per session by tests/conftest.py is gone from the second test on.
    """
    if "without_route_data" in request.fixturenames:
        return
    from django.core.management import call_command

    from themes.models import Theme

    if not Theme.objects.exists():
        call_command("load_roadmap", verbosity=0, stdout=io.StringIO())


@pytest.fixture
def site(live_server) -> str:
    """The live server's base URL without a trailing slash."""
    return live_server.url.rstrip("/")


@pytest.fixture(autouse=True)
def sent_jobs(monkeypatch) -> list[tuple[str, tuple]]:
    """Background jobs, with their arguments, are recorded here instead of queued in the
    filesystem broker under var/ (the live server commits, so every save or report request
    would leave a message there). Every room sends through roadmap.lib.jobs.send_task_safely,
    called on the module, so this one patch sees them all."""
    sent: list[tuple[str, tuple]] = []

    def record(task_name: str, *args, **options) -> bool:
        sent.append((task_name, args))
        return True

    monkeypatch.setattr("roadmap.lib.jobs.send_task_safely", record)
    return sent
