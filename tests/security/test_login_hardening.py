"""Login hardening: failed logins are rate limited per (e-mail address, IP address) with
django-axes, sessions start fresh at login and end at logout and at a password change or reset,
and production stores passwords and cookies the safe way."""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import global_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.db.models import F
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/account/login/"
PASSWORD = "a-long-test-password"
BASE_DIR = Path(__file__).resolve().parents[2]


def _login(client, username="cio@a.example", password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _fail(client, times, username="cio@a.example", **extra):
    return [_login(client, username, "wrong-password", **extra).status_code for _ in range(times)]


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_address_out_even_with_the_right_password(client, cio_a):
    assert _fail(client, 4) == [200, 200, 200, 200]
    assert _fail(client, 1) == [429]  # the fifth failure locks
    response = _login(client)
    assert response.status_code == 429
    assert not _logged_in(client)
    html = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in html
    assert "15 minuten geblokkeerd" in html
    assert 'href="/account/password_reset/"' in html


def test_an_unknown_address_gets_the_same_lockout_page(client, cio_a):
    _fail(client, 5, username="cio@a.example")
    known = _login(client)
    _fail(client, 5, username="niemand@example.org")
    unknown = _login(client, "niemand@example.org")
    assert known.status_code == unknown.status_code == 429

    def page(response):  # the page without the per-response CSRF token
        return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())

    assert page(known) == page(unknown)
    assert "niemand@example.org" not in page(unknown)


def test_the_lockout_holds_only_for_that_address_from_that_ip(client, cio_a, cio_b):
    _fail(client, 5)
    assert _login(client).status_code == 429
    # The same person from another address: not locked (a victim cannot be locked out
    # everywhere by someone typing their address).
    elsewhere = Client()
    assert _login(elsewhere, REMOTE_ADDR="192.0.2.7").status_code == 302
    # Another person from the locked address: not locked either.
    colleague = Client()
    assert _login(colleague, "cio@b.example").status_code == 302


def test_the_address_is_counted_whatever_its_case_or_spaces(client, cio_a):
    for typed in ("CIO@a.example", " cio@A.EXAMPLE", "Cio@a.example ", "cio@a.example"):
        _login(client, typed, "wrong-password")
    assert _login(client, " CIO@A.example", "wrong-password").status_code == 429
    assert _login(client).status_code == 429
    assert AccessAttempt.objects.get().username == "cio@a.example"


def test_login_works_again_after_the_cool_off(client, cio_a):
    _fail(client, 5)
    assert _login(client).status_code == 429
    # Fifteen minutes and a second later (axes compares the attempt's time with the cool-off).
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(minutes=15, seconds=1)
    )
    assert _login(client).status_code == 302
    assert _logged_in(client)


def test_not_yet_after_fourteen_minutes(client, cio_a):
    _fail(client, 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=14))
    assert _login(client).status_code == 429


def test_a_successful_login_resets_the_count(client, cio_a):
    _fail(client, 4)
    assert _login(client).status_code == 302
    client.post("/account/logout/")
    assert _fail(client, 4) == [200] * 4  # a fresh count: four more are allowed
    assert _login(client).status_code == 302


def test_the_limit_and_cool_off_come_from_the_settings(client, cio_a, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=3)
    assert _fail(client, 2) == [200, 429]
    assert "3 minuten geblokkeerd" in _login(client).content.decode()


def test_behind_the_proxy_the_address_the_proxy_saw_counts(client, cio_a, settings):
    """The client writes the left part of X-Forwarded-For itself: varying it does not dodge
    the lockout; the entry our proxy appended does."""
    settings.BEHIND_PROXY = True
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for spoofed in range(5):
        _login(
            client,
            password="wrong-password",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{spoofed}, 203.0.113.9",
            **proxy,
        )
    locked = _login(client, HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.9", **proxy)
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    other_client = _login(Client(), HTTP_X_FORWARDED_FOR="203.0.113.10", **proxy)
    assert other_client.status_code == 302


# --- Sessions ------------------------------------------------------------------------------------


def test_the_session_key_changes_at_login(client, cio_a):
    anonymous_key = client.session.session_key  # creates and stores an anonymous session
    assert anonymous_key and SessionStore().exists(anonymous_key)
    assert _login(client).status_code == 302
    assert client.session.session_key != anonymous_key
    assert not SessionStore().exists(anonymous_key)


def test_logout_ends_the_session_in_the_store(client, cio_a):
    _login(client)
    key = client.session.session_key
    assert SessionStore().exists(key)
    client.post("/account/logout/")
    assert not SessionStore().exists(key)
    assert client.get("/instellingen/11AA/").status_code == 302


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(cio_a):
    here, elsewhere = Client(), Client()
    _login(here)
    _login(elsewhere, REMOTE_ADDR="192.0.2.8")
    assert elsewhere.get("/instellingen/11AA/").status_code == 200
    response = here.post(
        "/account/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "een-ander-lang-wachtwoord",
            "new_password2": "een-ander-lang-wachtwoord",
        },
    )
    assert response.status_code == 302
    assert here.get("/instellingen/11AA/").status_code == 200
    gone = elsewhere.get("/instellingen/11AA/")
    assert gone.status_code == 302 and gone["Location"].startswith(LOGIN)


def test_a_password_reset_ends_every_session(client, cio_a):
    logged_in = Client()
    _login(logged_in)
    assert logged_in.get("/instellingen/11AA/").status_code == 200
    client.post("/account/password_reset/", {"email": "cio@a.example"})
    link = re.search(r"http://testserver(/account/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "een-nieuw-lang-wachtwoord"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert logged_in.get("/instellingen/11AA/").status_code == 302


# --- Production settings -------------------------------------------------------------------------


def test_passwords_are_hashed_with_djangos_default_pbkdf2():
    """The test suite swaps in a fast hasher per test (conftest); production keeps Django's
    default list, whose first entry hashes new passwords."""
    import roadmap.settings

    assert global_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    )
    assert not hasattr(roadmap.settings, "PASSWORD_HASHERS")


def test_production_cookies_are_secure_http_only_and_same_site():
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE",
        "AXES_FAILURE_LIMIT",
        "AXES_LOCKOUT_PARAMETERS",
    ]
    script = (
        "import json, django.conf.global_settings as g, roadmap.settings as s; "
        f"print(json.dumps({{n: getattr(s, n, getattr(g, n, None)) for n in {names!r}}}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SESSION_", "CSRF_"))}
    result = subprocess.run(  # noqa: S603 (our own interpreter and a fixed script)
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "roadmap.settings", "DEBUG": "false",
             "SECRET_KEY": "k" * 50},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["AXES_FAILURE_LIMIT"] == 5
    assert values["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]


def test_cookies_carry_the_flags_on_the_wire(client, cio_a, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client.get(LOGIN)
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    _login(client, secure=True)
    session = client.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
