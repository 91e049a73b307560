"""No working password-reset link reaches a log (ASVS V16.2.5, V14.2.1).

A reset link carries the person's uid and a token that sets their password. A link with a
stray character is a 404, and Django's ``django.request`` logger writes every 404 with its path
(in the message and in the ``request`` it attaches). The probe that found this read the token
back from the application log. Every handler therefore masks such links, not only gunicorn's
access log, whichever logger writes the record and however it carries the path.

The log is produced as in production: a fresh interpreter with ``DEBUG=false`` configures
logging from the settings (JSON on stdout), and what its real handlers write is checked.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from roadmap.lib.logging import RedactingFilter, redact

BASE_DIR = Path(__file__).resolve().parents[2]
UID, TOKEN = "MTIz", "cz1abc-0123456789abcdef0123456789abcdef"
# One stray character after the token: no URL matches, so Django answers 404 and logs it.
MISTYPED = f"/account/reset/{UID}/{TOKEN}/x"

PROBE = textwrap.dedent(
    f"""
    import logging

    import django

    django.setup()

    from django.core.servers.basehttp import WSGIRequestHandler
    from django.test import Client
    from gunicorn.config import Config

    from roadmap.gunicorn import RedactingLogger

    # 1. The mistyped link through the whole stack: django.request logs the 404.
    response = Client().get({MISTYPED!r})
    assert response.status_code == 404, response.status_code

    # 2. runserver's request line (django.server), as Django's own handler logs it.
    handler = WSGIRequestHandler.__new__(WSGIRequestHandler)
    handler.request = None
    handler.log_message('"%s" %s %s', "GET {MISTYPED} HTTP/1.1", "404", "179")

    # 3. Any other logger, with the link in an argument, in extra= and in a traceback.
    log = logging.getLogger("django.security.probe")
    log.warning("Refused %s", {MISTYPED!r}, extra={{"link": "https://h.example{MISTYPED}"}})
    try:
        raise ValueError("no such page: {MISTYPED}")
    except ValueError:
        logging.getLogger("institutions").exception("Could not serve the page")

    # 4. gunicorn's error log (its access log is masked in the format's atoms as well).
    config = Config()
    config.set("errorlog", "-")
    RedactingLogger(config).error("Invalid request line: GET %s HTTP/1.1", {MISTYPED!r})
    """
)


@pytest.fixture(scope="module")
def production_log(tmp_path_factory) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LOG_FORMAT"}}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "roadmap.settings",
        "PYTHONPATH": str(BASE_DIR),
        "DEBUG": "false",
        "SECRET_KEY": "probe-" + "k" * 60,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        # A 404 needs no table; an empty database keeps the probe away from the real one.
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('log') / 'empty.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_a_mistyped_reset_link_leaves_no_token_in_any_log(production_log):
    output = production_log.stdout + production_log.stderr
    assert TOKEN not in output
    assert f"/{UID}/" not in output
    assert "/account/reset/[redacted]/[redacted]/" in output


def test_the_404_is_still_logged_as_json_with_the_masked_path(production_log):
    entries = [json.loads(line) for line in production_log.stdout.splitlines() if line]
    not_found = next(e for e in entries if e["logger"] == "django.request")
    assert not_found["status_code"] == 404
    assert not_found["message"] == "Not Found: /account/reset/[redacted]/[redacted]/"
    assert "[redacted]" in not_found["request"]
    probe = next(e for e in entries if e["logger"] == "django.security.probe")
    assert probe["link"] == "https://h.example/account/reset/[redacted]/[redacted]/"
    failure = next(e for e in entries if e["logger"] == "institutions")
    assert "ValueError: no such page: /account/reset/[redacted]/[redacted]/" in failure["exception"]


def test_runserver_and_gunicorn_error_lines_are_masked_too(production_log):
    stderr = production_log.stderr
    assert '"GET /account/reset/[redacted]/[redacted]/ HTTP/1.1" 404 179' in stderr
    assert "Invalid request line: GET /account/reset/[redacted]/[redacted]/ HTTP/1.1" in stderr


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"/account/reset/{UID}/{TOKEN}/", "/account/reset/[redacted]/[redacted]/"),
        (MISTYPED, "/account/reset/[redacted]/[redacted]/"),
        (f"/account/reset/{UID}{TOKEN}/", "/account/reset/[redacted]/[redacted]/"),
        (f"<WSGIRequest: GET '/account/reset/{UID}/{TOKEN}'>",
         "<WSGIRequest: GET '/account/reset/[redacted]/[redacted]/'>"),
        (f"/account/reset/{UID}/{TOKEN}/?next=/", "/account/reset/[redacted]/[redacted]/?next=/"),
        ("/account/reset/done/", "/account/reset/done/"),
        ("/dashboard/?as_of=2026-01-01", "/dashboard/?as_of=2026-01-01"),
    ],
)  # fmt: skip
def test_redact_masks_everything_after_the_reset_prefix(text, masked):
    assert redact(text) == masked


def test_every_configured_handler_carries_the_filter(settings):
    handlers = settings.LOGGING["handlers"]
    assert handlers, "no handlers configured"
    for name, handler in handlers.items():
        assert "redact" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["redact"]["()"].endswith(RedactingFilter.__name__)
