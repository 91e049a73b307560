"""Single sign-on through OpenID Connect (SURFconext, eduID) on top of mozilla-django-oidc.

Sign-on proves who someone is, never what they may do: a person is matched to an account by the
e-mail address the provider vouches for, and every role still comes from Memberships and groups
that the sector staff grant in the portal. Claims never grant a role or staff rights.

- An existing account matches when the e-mail claim equals its e-mail address or its username,
  case-insensitively. Two matching accounts refuse the sign-on rather than guess.
- An unknown address gets a new account (username = e-mail address, names from ``given_name`` and
  ``family_name``, no usable password, no memberships, no staff rights). It lands on /mijn/,
  which says the account is not linked to an institution yet.
- The e-mail address must be verified: ``email_verified`` false refuses the sign-on. A provider
  that sends no ``email_verified`` at all is trusted: SURFconext passes the address the
  institution's own identity provider asserts and sends no such claim.
- Names follow the provider on every later sign-on.

The provider's endpoints come from the settings (``OIDC_OP_*_ENDPOINT``) or, for those left empty,
from its discovery document (``OIDC_OP_DISCOVERY_URL``), fetched at the first sign-on and cached;
nothing is fetched at start-up. The views answer 404 while ``OIDC_ENABLED`` is false, so the
always-installed URLs are harmless on an installation without sign-on.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

logger = logging.getLogger(__name__)

WELL_KNOWN = "/.well-known/openid-configuration"

# Setting name -> field of the discovery document (OpenID Connect Discovery 1.0, section 3).
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_ISSUER": "issuer",
}


class DiscoveryError(Exception):
    """The provider's discovery document could not be read or does not fit."""


_discovery_lock = threading.Lock()
_discovery_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def discovery_url(url: str) -> str:
    """The discovery document's URL; the issuer's URL alone is accepted too."""
    url = url.strip().rstrip("/")
    return url if url.endswith(WELL_KNOWN) else url + WELL_KNOWN


def provider_metadata(url: str) -> dict[str, Any]:
    """The provider's discovery document, cached for ``OIDC_OP_DISCOVERY_CACHE_SECONDS``.

    When a refresh fails the last good copy is used, so a provider that is briefly unreachable
    does not break sign-on for everybody.
    """
    url = discovery_url(url)
    now = time.monotonic()
    with _discovery_lock:
        cached = _discovery_cache.get(url)
        if cached and cached[0] > now:
            return cached[1]
        try:
            metadata = _fetch_metadata(url)
        except DiscoveryError:
            if cached:
                logger.warning(
                    "OIDC discovery refresh failed; using the cached copy", exc_info=True
                )
                return cached[1]
            raise
        max_age = getattr(settings, "OIDC_OP_DISCOVERY_CACHE_SECONDS", 3600)
        _discovery_cache[url] = (now + max_age, metadata)
        return metadata


def clear_discovery_cache() -> None:
    with _discovery_lock:
        _discovery_cache.clear()


def _fetch_metadata(url: str) -> dict[str, Any]:
    try:
        response = requests.get(
            url,
            timeout=getattr(settings, "OIDC_TIMEOUT", 10),
            verify=getattr(settings, "OIDC_VERIFY_SSL", True),
            proxies=getattr(settings, "OIDC_PROXY", None),
        )
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DiscoveryError(f"cannot read {url}: {exc}") from exc
    if not isinstance(metadata, dict):
        raise DiscoveryError(f"{url} is not a JSON object")
    missing = [field for field in _DISCOVERED.values() if not metadata.get(field)]
    if missing:
        raise DiscoveryError(f"{url} lacks {', '.join(missing)}")
    # Discovery section 4.3: the issuer must be the URL the document was found under.
    if metadata["issuer"].rstrip("/") + WELL_KNOWN != url:
        raise DiscoveryError(f"{url} names another issuer: {metadata['issuer']!r}")
    return metadata


def provider_setting(name: str) -> str:
    """An endpoint (or the issuer): the explicit setting wins, else the discovery document.

    Returns "" when neither is configured (only possible for the optional OIDC_OP_ISSUER; the
    settings refuse to start without the endpoints). Raises DiscoveryError when the discovery
    document is needed but cannot be read.
    """
    explicit = getattr(settings, name, "") or ""
    if explicit:
        return explicit
    url = getattr(settings, "OIDC_OP_DISCOVERY_URL", "") or ""
    if not url:
        if name == "OIDC_OP_ISSUER":
            return ""
        raise ImproperlyConfigured(f"Set {name} or OIDC_OP_DISCOVERY_URL")
    return provider_metadata(url)[_DISCOVERED[name]]


def _is_true(value: Any) -> bool:
    """Claims are JSON booleans, but some providers send the string "true"."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _audience(payload: dict[str, Any]) -> list[str]:
    aud = payload.get("aud", [])
    return [aud] if isinstance(aud, str) else list(aud)


class RoutekaartOIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the OIDC callback and maps the provider's person to a portal account."""

    def authenticate(self, request, **kwargs):
        # Only the OIDC callback view calls with exactly these keywords; never take part in a
        # password login, even one whose URL happens to carry ?code=&state=.
        if request is None or "nonce" not in kwargs or set(kwargs) - {"nonce", "code_verifier"}:
            return None
        if not settings.OIDC_ENABLED:
            return None
        if not request.GET.get("code") or not request.GET.get("state"):
            return None
        try:
            self.OIDC_OP_TOKEN_ENDPOINT = provider_setting("OIDC_OP_TOKEN_ENDPOINT")
            self.OIDC_OP_USER_ENDPOINT = provider_setting("OIDC_OP_USER_ENDPOINT")
            if self.OIDC_RP_IDP_SIGN_KEY is None:
                self.OIDC_OP_JWKS_ENDPOINT = provider_setting("OIDC_OP_JWKS_ENDPOINT")
            self.issuer = provider_setting("OIDC_OP_ISSUER")
        except DiscoveryError:
            logger.exception("OIDC sign-on refused: the provider's discovery document failed")
            return None
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException:
            logger.exception("OIDC sign-on refused: the provider did not answer as expected")
            return None

    def get_user(self, user_id):
        # ModelBackend's: a deactivated account's open sessions end too (mozilla-django-oidc's
        # own get_user skips the is_active check).
        return ModelBackend.get_user(self, user_id)

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for this token.

        mozilla-django-oidc matches on the token's ``kid`` and fails on a token without one.
        OpenID Connect Core 10.1 allows that when the provider's JWKS holds one signing key;
        then that key is used (and the signature still has to verify).
        """
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
            proxies=self.get_settings("OIDC_PROXY", None),
        )
        response.raise_for_status()
        alg = header.get("alg")
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig" and key.get("alg", alg) == alg
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("OIDC token names no key (kid) and the JWKS has several")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        """Signature, expiry and nonce (mozilla-django-oidc), plus audience and issuer.

        mozilla-django-oidc skips ``aud``; a token the provider issued to another client must not
        log anyone in here. ID tokens always carry ``aud`` and ``iss``.
        """
        payload = super().verify_token(token, **kwargs)
        if "aud" in payload and self.OIDC_RP_CLIENT_ID not in _audience(payload):
            raise SuspiciousOperation("OIDC token was issued to another client")
        issuer = getattr(self, "issuer", "")
        if issuer and "iss" in payload and payload["iss"].rstrip("/") != issuer.rstrip("/"):
            raise SuspiciousOperation("OIDC token comes from another issuer")
        return payload

    def verify_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            logger.warning("OIDC sign-on refused: the provider sent no e-mail address")
            return False
        if "email_verified" in claims and not _is_true(claims["email_verified"]):
            logger.warning("OIDC sign-on refused: e-mail address %s is not verified", email)
            return False
        return True

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(Q(email__iexact=email) | Q(username__iexact=email))

    def create_user(self, claims):
        email = self.UserModel.objects.normalize_email((claims.get("email") or "").strip())
        max_length = self.UserModel._meta.get_field("username").max_length
        if len(email) > max_length:
            raise SuspiciousOperation(f"e-mail address longer than {max_length} characters")
        user = self.UserModel.objects.create_user(
            username=email, email=email, **self._names(claims)
        )  # no password (unusable), no memberships, not staff: the sector staff link it later
        logger.info("OIDC sign-on created account %s (not linked to an institution)", email)
        return user

    def update_user(self, user, claims):
        changed = {
            field: value for field, value in self._names(claims).items()
            if getattr(user, field) != value
        }  # fmt: skip
        if changed:
            for field, value in changed.items():
                setattr(user, field, value)
            user.save(update_fields=list(changed))
        return user

    def _names(self, claims) -> dict[str, str]:
        """first_name/last_name from the claims that are present (and fit the columns)."""
        names = {}
        for field, claim in (("first_name", "given_name"), ("last_name", "family_name")):
            value = claims.get(claim)
            if isinstance(value, str) and value.strip():
                max_length = self.UserModel._meta.get_field(field).max_length
                names[field] = value.strip()[:max_length]
        return names


class RoutekaartOIDCAuthenticationRequestView(OIDCAuthenticationRequestView):
    """/oidc/authenticate/: sends the browser to the provider (404 while sign-on is off)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except DiscoveryError:
            logger.exception("OIDC sign-on unavailable: the provider's discovery document failed")
            return HttpResponseRedirect(settings.LOGIN_REDIRECT_URL_FAILURE)
        return super().get(request)


class RoutekaartOIDCCallbackView(OIDCAuthenticationCallbackView):
    """/oidc/callback/: the provider sends the browser back here (404 while sign-on is off)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404("Single sign-on is not configured")
        return super().get(request)
