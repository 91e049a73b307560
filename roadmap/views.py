from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
