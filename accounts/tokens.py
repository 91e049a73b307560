"""API keys for the answers API: issued once, stored hashed, checked in constant time.

Replaces DRF's authtoken model, which keeps keys as issued (ASVS 5.0 V6.2 / V14: a stolen
database or backup must not hand out working keys).
"""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from accounts.models import ApiToken

PREFIX_LENGTH = 8
# Writing "last used" on every call would turn each read into a write; once a minute is enough.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_api_token(user) -> str:
    """Replace the person's key with a new one and return it; it is never shown again."""
    key = secrets.token_hex(20)
    with transaction.atomic():
        ApiToken.objects.filter(user=user).delete()
        ApiToken.objects.create(user=user, prefix=key[:PREFIX_LENGTH], digest=digest_of(key))
    return key


def user_for_key(key: str):
    """The active person whose key this is, or None."""
    digest = digest_of(key)
    candidates = ApiToken.objects.filter(prefix=key[:PREFIX_LENGTH]).select_related("user")
    for token in candidates:
        if hmac.compare_digest(token.digest, digest) and token.user.is_active:
            now = timezone.now()
            if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            return token.user
    return None


class HashedTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`, as before, checked against the stored digest."""

    def authenticate_credentials(self, key):
        user = user_for_key(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Onbekende of ingetrokken API-sleutel."))
        return (user, None)
