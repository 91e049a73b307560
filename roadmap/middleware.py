"""Session lifetime (an idle timeout on top of Django's absolute one), no caching of anything a
logged-in person sees, and no browser features the portal does not use."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

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


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Dutch, unless the person chose English with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, so an English-language
    browser got an English portal that nobody asked for; the product is Dutch first. Only the
    cookie that the switch (django.views.i18n.set_language) sets counts here. The portal has no
    language prefixes in its URLs, so nothing of LocaleMiddleware's path handling is needed.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:  # an unknown or tampered cookie
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The language follows the cookie, never Accept-Language: caches must key on the cookie.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# Browser features the portal never uses: no page, script or embedded frame may ask for them
# (ASVS V3.4, defence in depth next to the CSP). Only features Chromium recognises, because an
# unknown name costs a console warning on every page. Left allowed on purpose: clipboard-write
# (Swagger UI's copy buttons) and sync-xhr (the browsers' default; no script of ours uses it).
PERMISSIONS_POLICY_DENIED = (
    "accelerometer", "autoplay", "browsing-topics", "camera", "clipboard-read",
    "display-capture", "encrypted-media", "fullscreen", "gamepad", "geolocation", "gyroscope",
    "hid", "identity-credentials-get", "idle-detection", "interest-cohort", "local-fonts",
    "magnetometer", "microphone", "midi", "otp-credentials", "payment", "picture-in-picture",
    "publickey-credentials-create", "publickey-credentials-get", "screen-wake-lock", "serial",
    "storage-access", "usb", "window-management", "xr-spatial-tracking",
)  # fmt: skip
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in PERMISSIONS_POLICY_DENIED)


class PermissionsPolicyMiddleware:
    """``Permissions-Policy`` on every response: pages, API answers, downloads and, because it
    sits outside WhiteNoise in MIDDLEWARE, static files. A view that sets its own keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
