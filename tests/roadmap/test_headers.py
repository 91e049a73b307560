"""Security headers on every page, and no caching of anything behind the login.

The pages come from the authorisation table, so a new page is covered the moment it is added
there.
"""

import pytest

from roadmap.middleware import PERMISSIONS_POLICY_DENIED
from tests.test_authorization import GET_TABLE, LOGIN, ROLES

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = sorted(
    name for name, (_path, expected) in GET_TABLE.items() if expected["anonymous"] == 200
)
# Everything that needs a login shows someone's data: an institution's answers, a report, a
# token, the audit log. Browsers and proxies must not keep a copy. (Pages that only redirect, or
# whose sample path is a 404 for everyone, have no content to cache.)
PRIVATE_PAGES = sorted(
    name
    for name, (_path, expected) in GET_TABLE.items()
    if expected["anonymous"] in {LOGIN, 401} and 200 in expected.values()
)


@pytest.fixture
def people(request, roles, institution_a, institution_b):
    return {role: request.getfixturevalue(role) for role in ROLES[1:]}


def assert_permissions_policy(response, where: str) -> None:
    """The browser features the portal never uses are denied to it and to any frame."""
    header = response.get("Permissions-Policy", "")
    policy = dict(part.strip().split("=", 1) for part in header.split(",") if part.strip())
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics",
                    "interest-cohort", *PERMISSIONS_POLICY_DENIED):  # fmt: skip
        assert policy.get(feature) == "()", f"{where}: {feature} not denied in {header!r}"


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_sends_the_security_headers(client, name):
    path, _expected = GET_TABLE[name]
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert_permissions_policy(response, path)
    if response["Content-Type"].startswith("text/html"):
        directives = dict(
            part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
        )
        for directive in ("default-src", "script-src", "style-src"):
            assert "unsafe-inline" not in directives.get(directive, ""), directive
            assert "unsafe-eval" not in directives.get(directive, ""), directive
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("name", PRIVATE_PAGES)
def test_no_page_behind_the_login_is_cached(client, people, name):
    path, expected = GET_TABLE[name]
    role = next(role for role in ROLES[1:] if expected[role] == 200)
    client.force_login(people[role])
    response = client.get(path)
    assert response.status_code == 200, f"{path} as {role}"
    cache_control = response.get("Cache-Control", "")
    assert "no-store" in cache_control, f"{path}: {cache_control}"
    assert_permissions_policy(response, f"{path} as {role}")


@pytest.mark.parametrize("name", sorted(GET_TABLE))
def test_every_page_of_the_table_sends_the_permissions_policy_whatever_its_answer(client, name):
    """Redirects to the login, 401s and 404s too: the header is on every response."""
    path, _expected = GET_TABLE[name]
    assert_permissions_policy(client.get(path), path)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/targets/?limit=1", "/api/v1/targets/?offset=x", "/api/schema/", "/geen-pagina/",
     "/favicon.ico"],
)  # fmt: skip
def test_api_answers_and_errors_send_the_permissions_policy(client, path):
    assert_permissions_policy(client.get(path), path)


def test_static_files_send_the_permissions_policy(client, settings):
    # WhiteNoise answers static files before the view layer; in production from STATIC_ROOT,
    # here from the finders.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/js/routekaart.js")
    assert response.status_code == 200
    assert_permissions_policy(response, "/static/js/routekaart.js")


def test_hsts_is_sent_on_https_in_production(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_public_pages_stay_cacheable_for_anonymous_visitors(client):
    """The open data is public; only logged-in responses are marked private."""
    assert "no-store" not in client.get("/dashboard/").get("Cache-Control", "")


def test_an_api_client_with_a_token_gets_no_cacheable_answers(client, cio_a, institution_a):
    from accounts.tokens import issue_api_token

    token = issue_api_token(cio_a)
    response = client.get("/api/v1/institutions/11AA/answers/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
