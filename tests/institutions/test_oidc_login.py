"""Single sign-on end to end, against a real OpenID Connect provider on 127.0.0.1.

oidc-provider-mock runs a real provider (authlib) in a thread: the portal's init view sends the
browser there, the test fills in the provider's login form over HTTP, and the callback goes back
through Django's test client, which exchanges the code at the provider's token endpoint, checks
the ID token's signature against the provider's JWKS and reads the userinfo endpoint, all over
real HTTP. Nothing is mocked on the portal's side.
"""

import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import pytest
import requests
import werkzeug.serving
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.oidc import RoutekaartOIDCBackend, clear_discovery_cache

# The provider's own authlib warns about its own deprecated calls on every token it issues.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")

BACKEND = "accounts.oidc.RoutekaartOIDCBackend"
ENDPOINTS = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
    "OIDC_OP_ISSUER",
)


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A running OpenID Connect provider on a free loopback port; yields its issuer URL."""
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                if _http().get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the OIDC test provider did not start")
            time.sleep(0.05)
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _http() -> requests.Session:
    """The browser's side of the conversation with the provider (no proxies from the env)."""
    session = requests.Session()
    session.trust_env = False
    return session


@pytest.fixture
def oidc(settings, provider, monkeypatch) -> Iterator[str]:
    """Sign-on switched on, with the endpoints read from the provider's discovery document."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # the portal's own calls to the provider
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "routekaart-test"
    settings.OIDC_RP_CLIENT_SECRET = "routekaart-test-secret"
    settings.OIDC_OP_DISCOVERY_URL = provider
    for name in ENDPOINTS:
        setattr(settings, name, "")
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend", BACKEND]
    clear_discovery_cache()
    yield provider
    clear_discovery_cache()


@pytest.fixture
def oidc_endpoints(settings, oidc) -> str:
    """Sign-on with explicitly configured endpoints and no discovery."""
    metadata = _http().get(f"{oidc}/.well-known/openid-configuration", timeout=5).json()
    settings.OIDC_OP_DISCOVERY_URL = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = metadata["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = metadata["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = metadata["jwks_uri"]
    return oidc


def sign_on(client, provider, *, sub, claims, next_url=None, tamper_state=False):
    """Walk the whole flow as a browser would; returns the response of the portal's callback."""
    browser = _http()
    # The provider's person (its claims), as the provider's admin would set them up.
    browser.put(f"{provider}/users/{sub}", json=claims, timeout=5).raise_for_status()

    start = client.get(reverse("oidc_authentication_init"), {"next": next_url} if next_url else {})
    assert start.status_code == 302
    authorize_url = start["Location"]
    assert authorize_url.startswith(f"{provider}/oauth2/authorize?")
    request = parse_qs(urlsplit(authorize_url).query)
    assert request["redirect_uri"] == ["http://testserver/oidc/callback/"]
    assert request["scope"] == ["openid email profile"]

    form = browser.get(authorize_url, timeout=5)
    assert form.status_code == 200
    assert 'name="sub"' in form.text
    consent = browser.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert consent.status_code == 302, consent.text

    back = urlsplit(consent.headers["Location"])
    assert (back.scheme, back.netloc, back.path) == ("http", "testserver", "/oidc/callback/")
    params = {key: values[0] for key, values in parse_qs(back.query).items()}
    assert params["state"] == request["state"][0]
    assert params["code"]
    if tamper_state:
        params["state"] = params["state"][::-1] + "x"
    return client.get(back.path, params)


def _session_user_id(client):
    return client.session.get("_auth_user_id")


def test_a_cio_signs_on_by_email_and_lands_on_their_institution(client, cio_a, oidc):
    accounts = get_user_model().objects.count()
    response = sign_on(
        client, oidc, sub="surf-cio-a",
        claims={
            "email": "CIO@A.example", "email_verified": True,
            "given_name": "Cora", "family_name": "Instelling",
        },
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == reverse("institutions:home")
    assert _session_user_id(client) == str(cio_a.pk)
    assert client.session["_auth_user_backend"] == BACKEND
    assert get_user_model().objects.count() == accounts  # matched, not created

    landing = client.get(response["Location"], follow=True)
    assert landing.status_code == 200
    assert landing.redirect_chain[-1][0] == "/instellingen/11AA/"
    assert landing.wsgi_request.user == cio_a

    cio_a.refresh_from_db()
    assert (cio_a.first_name, cio_a.last_name) == ("Cora", "Instelling")  # names follow


def test_an_unknown_email_gets_an_account_without_any_role(client, institution_a, oidc_endpoints):
    # No email_verified claim at all: accepted (SURFconext sends none).
    claims = {"email": "nieuw@c.example", "given_name": "Nina", "family_name": "Nieuw"}
    response = sign_on(client, oidc_endpoints, sub="eduid-nieuw", claims=claims)

    assert response.status_code == 302
    user = get_user_model().objects.get(username="nieuw@c.example")
    assert _session_user_id(client) == str(user.pk)
    assert user.email == "nieuw@c.example"
    assert (user.first_name, user.last_name) == ("Nina", "Nieuw")
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.has_usable_password()
    assert not user.memberships.exists()
    assert not user.groups.exists()

    landing = client.get(response["Location"], follow=True)
    assert landing.status_code == 200
    assert landing.request["PATH_INFO"] == "/mijn/"
    assert "nog niet aan een instelling gekoppeld" in landing.content.decode()


@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/instellingen/11AA/antwoorden.csv", "/instellingen/11AA/antwoorden.csv"),
        ("https://elders.example/", "/mijn/"),  # off-site: ignored
    ],
)
def test_sign_on_returns_to_what_the_person_came_for(client, cio_a, oidc, next_url, landing):
    response = sign_on(
        client, oidc, sub="surf-cio-a-next",
        claims={"email": "cio@a.example", "email_verified": True},
        next_url=next_url,
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == landing
    assert _session_user_id(client) == str(cio_a.pk)


def test_a_tampered_state_is_refused(client, cio_a, oidc):
    response = sign_on(
        client, oidc, sub="surf-cio-a-tamper",
        claims={"email": "cio@a.example", "email_verified": True},
        tamper_state=True,
    )  # fmt: skip

    assert response.status_code == 400
    assert _session_user_id(client) is None
    assert not client.get(reverse("institutions:home")).wsgi_request.user.is_authenticated


def test_an_unverified_email_is_refused(client, cio_a, oidc):
    accounts = get_user_model().objects.count()
    response = sign_on(
        client, oidc, sub="surf-unverified",
        claims={"email": "cio@a.example", "email_verified": False},
    )  # fmt: skip

    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert _session_user_id(client) is None
    assert get_user_model().objects.count() == accounts


def test_the_sign_on_views_are_absent_while_it_is_off(client, settings):
    settings.OIDC_ENABLED = False
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    callback = client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": "s"})
    assert callback.status_code == 404


def test_the_backend_takes_no_part_in_password_logins(rf, oidc, cio_a):
    request = rf.post("/account/login/?code=c&state=s")
    backend = RoutekaartOIDCBackend()
    assert backend.authenticate(request, username="cio@a.example", password="x") is None
