from django.contrib import admin

from reports.models import AssemblyPack
from roadmap.lib.admin import ReadOnlyModelAdmin


@admin.register(AssemblyPack)
class AssemblyPackAdmin(ReadOnlyModelAdmin):
    list_display = ["round", "state", "as_of", "figures_use", "requested_at", "frozen_at"]
    list_filter = ["state", "figures_use"]
