from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from roadmap.views import healthz

urlpatterns = [
    path("", include("themes.urls")),
    path("api/", include("themes.api_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
]
