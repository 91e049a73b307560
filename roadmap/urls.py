from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from institutions.forms import EmailAuthenticationForm
from institutions.views import AuditedPasswordChangeView, AuditedPasswordResetConfirmView
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
    path(
        "account/login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm,
            extra_context={"oidc_enabled": settings.OIDC_ENABLED},
        ),
        name="login",
    ),
    # Django's own password views, subclassed only to write the change to the audit log.
    path(
        "account/password_change/",
        AuditedPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        AuditedPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/", include("django.contrib.auth.urls")),
    # Single sign-on (institutions/oidc.py): always routed, the views answer 404 while it is off.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("api/", include("roadmap.api_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("healthz/", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", favicon, name="favicon"),
]
