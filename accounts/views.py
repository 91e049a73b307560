"""Identity pages: the audited password views and the security audit log."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import audit, roles
from accounts.forms import AuditLogFilterForm
from accounts.models import AuditEvent

# Django sends no signal when a password changes. These two views record it where it happens;
# a pre_save comparison of the hash would also fire when a login upgrades the hash to more
# hashing iterations, which is no change by anyone.


class AuditedPasswordChangeView(auth_views.PasswordChangeView):
    """Django's own view: it keeps this session (update_session_auth_hash) and thereby ends the
    person's other sessions, whose stored hash no longer matches."""

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(AuditEvent.Kind.PASSWORD_CHANGED, request=self.request)
        return response


class AuditedPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A reset through the mailed link; every session of the person ends with the old hash."""

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(AuditEvent.Kind.PASSWORD_RESET, request=self.request, actor=form.user)
        return response


AUDIT_LOG_PAGE_SIZE = 50


@require_GET
@login_required
@never_cache
def audit_log(request: HttpRequest) -> HttpResponse:
    """Security events for sector staff and administrators; read-only, newest first."""
    if not roles.is_sector_staff(request.user):
        raise PermissionDenied
    form = AuditLogFilterForm(request.GET)
    page = Paginator(form.events(), AUDIT_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/audit_log.html",
        {"form": form, "page": page, "filter_query": query.urlencode()},
    )
