"""Session lifetime: an idle timeout on top of Django's absolute one (SESSION_COOKIE_AGE)."""

import time

from django.conf import settings
from django.contrib.auth import logout

LAST_SEEN = "routekaart_last_seen"


class IdleTimeoutMiddleware:
    """Log out a person who has done nothing for SESSION_IDLE_TIMEOUT seconds.

    The timestamp is written at most once a minute, so that reading pages does not rewrite the
    session on every request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            elif now - last_seen >= 60 or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
        return self.get_response(request)
