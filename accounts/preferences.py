"""A person's language preference follows the language switch (roadmap.views.set_language) and,
at login, the language the browser chose before if the person has none yet."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from accounts import actions


@receiver(user_logged_in, dispatch_uid="language_at_login")
def _adopt_language(sender, request, user, **kwargs):
    if request is not None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        actions.do_adopt_language_at_login(user=user, language=language)
