"""Session lifetime (an idle timeout on top of Django's absolute one), and no caching of
anything a logged-in person sees."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import add_never_cache_headers

LAST_SEEN = "routekaart_last_seen"
SIGNED_IN_AT = "routekaart_signed_in_at"


class IdleTimeoutMiddleware:
    """Log out a person who has done nothing for SESSION_IDLE_TIMEOUT seconds, or who logged in
    more than SESSION_COOKIE_AGE seconds ago whatever they did since (ASVS V7.3.1, V7.3.2).

    The absolute limit is kept here, from the moment of login, because Django's own expiry
    slides: every save of the session (and the idle timestamp below saves it) starts a new
    SESSION_COOKIE_AGE. The idle timestamp is written at most once a minute, so that reading
    pages does not rewrite the session on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if (
                now - last_seen > settings.SESSION_IDLE_TIMEOUT
                or now - signed_in_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
            elif now - last_seen >= 60 or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class PrivateResponsesNotCachedMiddleware:
    """Everything served to someone who is logged in (by session or by API token) may hold an
    institution's data: no browser, shared computer or proxy may keep a copy (ASVS V14.3.2).

    One rule here instead of a decorator on every view, so a new page cannot forget it. It runs
    on the way out, after DRF has authenticated token requests and set ``request.user``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] += ", private"
        return response
