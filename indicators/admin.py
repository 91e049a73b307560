from django.contrib import admin

from indicators.models import RecomputeRun
from roadmap.lib.admin import ReadOnlyModelAdmin


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnlyModelAdmin):
    """The log of the recomputes: when, what, how long, and errors."""

    list_display = ["started_at", "kind", "targets", "snapshots", "finished_at", "error"]
    list_filter = ["kind"]
