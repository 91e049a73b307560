"""What changes a person's account settings: their language preference."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from accounts.models import LanguagePreference


def valid_language(language: str | None) -> bool:
    """Whether ``language`` is one of the portal's languages (settings.LANGUAGES)."""
    return language in dict(settings.LANGUAGES)


def do_set_language_preference(*, user: AbstractBaseUser, language: str) -> None:
    """Remember the language a person chose (for their reminder e-mails). Dutch, the default,
    is stored as no row. Raises ValueError for a language the portal does not have."""
    if not valid_language(language):
        raise ValueError(f"unknown language {language!r}")
    if language == settings.LANGUAGE_CODE:
        LanguagePreference.objects.filter(user=user).delete()
    else:
        LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})


def do_adopt_language_at_login(*, user: AbstractBaseUser, language: str | None) -> None:
    """At login: take the language the browser chose before (its language cookie) as the
    person's preference, only if they have none yet."""
    if valid_language(language) and language != settings.LANGUAGE_CODE:
        LanguagePreference.objects.get_or_create(user=user, defaults={"language": language})
