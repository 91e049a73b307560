"""The admin is for sector staff. Anyone else who is logged in (a CIO, the council) gets the
portal's own 403 page, which says so and links to their own pages, instead of the admin's
second login form, which would only invite them to log in again as someone else.

Anonymous visitors still get the admin's login page, as before: staff bookmark /admin/.
"""

from functools import update_wrapper

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


class PortalAdminSite(admin.AdminSite):
    def _refuse_outsiders(self, request) -> None:
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied(
                _(
                    "Het beheer is voor de sectorstaf (Npuls, MBO Digitaal): zij houden daar "
                    "de route bij. Met uw account kunt u hier niet terecht."
                )
            )

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            self._refuse_outsiders(request)
            return guarded(request, *args, **kwargs)

        return update_wrapper(inner, guarded)

    def login(self, request, extra_context=None):
        # A POST still logs in: someone may sign in here as another (staff) account.
        if request.method == "GET":
            self._refuse_outsiders(request)
        return super().login(request, extra_context)


class PortalAdminConfig(AdminConfig):
    default_site = "roadmap.admin_site.PortalAdminSite"
