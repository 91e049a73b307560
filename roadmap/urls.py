from django.contrib import admin
from django.urls import include, path

from roadmap.views import favicon, healthz, set_language

# Refusals and missing pages in the portal's layout, saying where to go instead.
handler403 = "roadmap.views.permission_denied"
handler404 = "roadmap.views.page_not_found"

urlpatterns = [
    path("", include("themes.urls")),
    path("", include("institutions.urls")),
    path("", include("indicators.urls")),
    path("", include("reports.urls")),
    path("", include("rounds.urls")),
    path("", include("accounts.urls")),
    path("api/", include("roadmap.api_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon, name="favicon"),
]
