from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
from accounts.forms import EmailAuthenticationForm

# Django's auth views reverse their own names (password_change_done, ...) without a namespace,
# so the sign-in and password pages stay un-namespaced; the portal's own pages are "accounts:".
portal_pages = (
    [path("beheer/auditlog/", views.audit_log, name="audit-log")],
    "accounts",
)

urlpatterns = [
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
        views.AuditedPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        views.AuditedPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("account/", include("django.contrib.auth.urls")),
    # Single sign-on (accounts/oidc.py): always routed, the views answer 404 while it is off.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("", include(portal_pages)),
]
