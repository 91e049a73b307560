"""Refusals and missing pages in the portal's own layout, saying why and where to go instead."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

pytestmark = pytest.mark.django_db


def _assert_portal_page(html: str) -> None:
    assert '<html lang="nl">' in html
    assert '<main id="main"' in html
    assert '<nav class="wrap main-nav"' in html
    assert html.count("<h1>") == 1


def test_a_cio_on_the_institution_overview_is_sent_to_their_own_status_page(client, cio_a):
    client.force_login(cio_a)
    response = client.get("/instellingen/")
    assert response.status_code == 403
    html = response.content.decode()
    _assert_portal_page(html)
    assert "Geen toegang" in html
    assert "voor de sectorstaf en de MBO Raad" in html
    assert '<a href="/instellingen/11AA/">De statuspagina van ROC Proefwijk</a>' in html


def test_a_viewer_who_may_not_edit_is_told_so(client, viewer_a):
    client.force_login(viewer_a)
    response = client.get("/instellingen/11AA/doelen/LZD-WALLET/bewerken/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "alleen lezen" in html
    assert 'href="/instellingen/11AA/"' in html


@pytest.mark.parametrize("url", ["/admin/", "/admin/themes/milestone/", "/admin/login/"])
def test_a_cio_in_the_admin_gets_a_portal_page_not_a_second_login(client, cio_a, url):
    client.force_login(cio_a)
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    _assert_portal_page(html)
    assert "Het beheer is voor de sectorstaf" in html
    assert 'name="password"' not in html
    assert '<a href="/instellingen/11AA/">De statuspagina van ROC Proefwijk</a>' in html


def test_the_council_in_the_admin_is_sent_to_the_overview(client, council):
    client.force_login(council)
    response = client.get("/admin/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Het beheer is voor de sectorstaf" in html
    assert '<a href="/instellingen/">Alle instellingen en hun meldingen</a>' in html


def test_staff_still_use_the_admin_and_anonymous_visitors_its_login(client, sector_staff):
    assert client.get("/admin/").url.startswith("/admin/login/")
    client.force_login(sector_staff)
    assert client.get("/admin/").status_code == 200


def test_a_missing_page_is_a_portal_page_with_a_way_on(client, cio_a):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    html = response.content.decode()
    _assert_portal_page(html)
    assert "Pagina niet gevonden" in html
    assert 'href="/account/login/?next=%2Fbestaat-niet%2F"' in html
    client.force_login(cio_a)
    html = client.get("/instellingen/99ZZ/").content.decode()
    assert 'href="/instellingen/11AA/"' in html


def test_the_error_page_shows_english_to_who_chose_it(client, cio_a):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.force_login(cio_a)
    html = client.get("/instellingen/").content.decode()
    assert "Access denied" in html
    assert "The status page of ROC Proefwijk" in html


def test_the_server_error_page_stands_alone():
    with translation.override("nl"):
        html = render_to_string("500.html")  # rendered by Django without a request
    assert "Er ging iets mis" in html
    assert '<main id="main"' in html
    assert "{%" not in html


def test_a_missing_page_stays_a_404_when_the_layout_cannot_be_rendered(client, settings):
    # DEBUG=false without collectstatic: every {% static %} fails, the 404 must not become a 500.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent-static-root"
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert response.content.decode() == "Pagina niet gevonden."
