"""Dutch first: English only when the person chose it with the language switch, never because
the browser asks for it (Accept-Language)."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def _lang(response) -> str:
    html = response.content.decode()
    start = html.index('<html lang="') + len('<html lang="')
    return html[start : html.index('"', start)]


def _choose(client, language: str):
    return client.post("/i18n/setlang/", {"language": language, "next": "/"}, **ENGLISH_BROWSER)


def test_an_english_browser_gets_the_dutch_portal(client):
    response = client.get("/", **ENGLISH_BROWSER)
    assert _lang(response) == "nl"
    assert response["Content-Language"] == "nl"
    assert "De route" in response.content.decode()
    # The language follows the cookie, not the header: caches must not key on the header.
    assert "Accept-Language" not in response.get("Vary", "")
    assert "Cookie" in response["Vary"]


def test_the_switch_chooses_english_and_the_choice_stays(client):
    response = _choose(client, "en")
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 30 * 24 * 60 * 60  # kept beyond the browser session
    for url in ("/", "/doelen/", "/dashboard/"):
        page = client.get(url, **ENGLISH_BROWSER)
        assert _lang(page) == "en", url
    assert "The route" in client.get("/").content.decode()


def test_choosing_dutch_again_gives_dutch(client):
    _choose(client, "en")
    _choose(client, "nl")
    assert _lang(client.get("/", **ENGLISH_BROWSER)) == "nl"


def test_an_unknown_language_in_the_cookie_gives_dutch(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert _lang(client.get("/", **ENGLISH_BROWSER)) == "nl"
