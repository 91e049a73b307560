from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records the portal writes itself (answers, reviews, logs): staff may look, not edit."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
