from django.contrib import admin

from indicators.models import RecomputeRun


@admin.register(RecomputeRun)
class RecomputeRunAdmin(admin.ModelAdmin):
    """Read-only log of the recomputes: when, what, how long, and errors."""

    list_display = ["started_at", "kind", "targets", "snapshots", "finished_at", "error"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
