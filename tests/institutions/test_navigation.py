"""The header names each role's own landing page: the council and staff have no institution."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _account_links(client) -> list[tuple[str, str]]:
    html = client.get("/").content.decode()
    account = html[
        html.index('<div class="account">') : html.index(
            "</div>", html.index('<div class="account">')
        )
    ]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', account)


def _main_nav(client) -> str:
    html = client.get("/").content.decode()
    return html[
        html.index('<nav class="wrap main-nav"') : html.index(
            "</nav>", html.index('<nav class="wrap main-nav"')
        )
    ]


def test_a_cio_goes_to_their_own_institution(client, cio_a):
    client.force_login(cio_a)
    assert _account_links(client)[0] == ("/instellingen/11AA/", "Mijn instelling")
    nav = _main_nav(client)
    assert "/admin/" not in nav and "Auditlog" not in nav


def test_an_editor_of_two_institutions_goes_to_the_chooser(client, institution_a, institution_b):
    from tests.conftest import _person

    delegate = _person(
        "delegate@x.example", memberships=[(institution_a, "editor"), (institution_b, "editor")]
    )
    client.force_login(delegate)
    assert _account_links(client)[0] == ("/mijn/", "Mijn instellingen")


@pytest.mark.parametrize("who", ["council", "sector_staff"])
def test_the_council_and_staff_go_to_all_institutions(client, request, who):
    client.force_login(request.getfixturevalue(who))
    links = _account_links(client)
    assert links[0] == ("/instellingen/", "Instellingen")
    assert "Mijn instelling" not in [label for _url, label in links]
    assert client.get("/mijn/").url == "/instellingen/"


def test_only_staff_see_the_admin_and_the_audit_log(client, council, sector_staff):
    client.force_login(council)
    nav = _main_nav(client)
    assert "/admin/" not in nav and "Auditlog" not in nav
    client.force_login(sector_staff)
    nav = _main_nav(client)
    assert 'href="/admin/"' in nav and 'href="/beheer/auditlog/"' in nav


def test_someone_without_a_role_is_not_offered_reports(client, roles):
    from tests.conftest import _person

    client.force_login(_person("nobody@x.example"))
    links = _account_links(client)
    assert links[0] == ("/mijn/", "Mijn instellingen")
    assert "/rapportages/" not in [url for url, _label in links]
