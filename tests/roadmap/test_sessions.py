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
