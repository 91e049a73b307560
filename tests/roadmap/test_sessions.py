"""Sessions end after a period of inactivity, and have an absolute lifetime."""

import time
from unittest import mock

import pytest

pytestmark = pytest.mark.django_db


def test_an_idle_session_is_ended(client, cio_a, settings):
    client.force_login(cio_a)
    assert client.get("/instellingen/11AA/").status_code == 200
    later = time.time() + settings.SESSION_IDLE_TIMEOUT + 5
    with mock.patch("roadmap.middleware.time.time", return_value=later):
        response = client.get("/instellingen/11AA/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_an_active_session_stays(client, cio_a, settings):
    client.force_login(cio_a)
    client.get("/instellingen/11AA/")
    start = time.time()
    for step in range(1, 4):  # every 20 minutes: never 30 idle
        with mock.patch("roadmap.middleware.time.time", return_value=start + step * 20 * 60):
            assert client.get("/instellingen/11AA/").status_code == 200


def test_the_absolute_lifetime_is_set(settings):
    assert settings.SESSION_COOKIE_AGE == 10 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def test_the_absolute_lifetime_holds_however_active_the_person_is(client, cio_a, settings):
    """Django's own expiry slides with every session save; the portal's does not."""
    client.force_login(cio_a)
    client.get("/instellingen/11AA/")
    start = time.time()
    step = 20 * 60  # a request every 20 minutes: never idle for 30
    for n in range(1, settings.SESSION_COOKIE_AGE // step):  # up to 9 h 40 min
        with mock.patch("roadmap.middleware.time.time", return_value=start + n * step):
            assert client.get("/instellingen/11AA/").status_code == 200, f"after {n * 20} min"
    after_ten_hours = start + settings.SESSION_COOKIE_AGE + 60
    with mock.patch("roadmap.middleware.time.time", return_value=after_ten_hours):
        response = client.get("/instellingen/11AA/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
