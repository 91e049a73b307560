import logging

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.i18n import LANGUAGE_QUERY_PARAMETER
from django.views.i18n import set_language as django_set_language

from accounts import actions
from institutions import navigation
from roadmap.health import health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker status as JSON; 503 only without the database (roadmap/health.py)."""
    status_code, body = health()
    return JsonResponse(body, status=status_code)


@require_GET
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico whatever the page says. Resolved per request: in
    production the static file's hashed name is only known after collectstatic."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (the cookie), and for a logged-in person who switches to one of
    the portal's languages also their stored preference (their reminder e-mails follow it)."""
    response = django_set_language(request)
    language = request.POST.get(LANGUAGE_QUERY_PARAMETER)
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and actions.valid_language(language)
    ):
        actions.do_set_language_preference(user=request.user, language=language)
    return response


# --- Error pages (handler403 and handler404 in roadmap/urls.py; 500.html is Django's own) ---------

logger = logging.getLogger(__name__)


def _error_page(request: HttpRequest, template: str, context: dict, status: int) -> HttpResponse:
    """The error page in the portal's layout; a plain one if that layout cannot be rendered
    (no static manifest, no tables yet), so that a 404 never turns into a 500."""
    try:
        return render(request, template, context, status=status)
    except Exception as error:
        # The reason only, no traceback: its chained Resolver404 would repeat the path, which
        # may hold a password-reset token.
        logger.error("The %s page could not be rendered in the portal's layout: %r", status, error)
        text = {403: "Geen toegang.", 404: "Pagina niet gevonden."}[status]
        return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """403 in the portal's layout: why (the reason the view gave, if any) and where to go."""
    context = {
        "reason": str(exception) if exception and str(exception) else "",
        "places": navigation.places_for(request.user, next_path=request.get_full_path()),
    }
    return _error_page(request, "403.html", context, 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 in the portal's layout. The reason is never shown: a 404 may stand for "not yours"."""
    context = {"places": navigation.places_for(request.user, next_path=request.get_full_path())}
    return _error_page(request, "404.html", context, 404)
