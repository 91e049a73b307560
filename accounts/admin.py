from django.contrib import admin

from accounts.models import ApiToken, AuditEvent, LanguagePreference
from roadmap.lib.admin import ReadOnlyModelAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    """The audit log is append-only: readable here and at /beheer/auditlog/, never edited."""

    list_display = [
        "occurred_at",
        "kind",
        "actor_label",
        "institution_code",
        "ip_address",
        "detail",
    ]
    list_filter = ["kind"]
    search_fields = ["actor_label", "institution_code", "detail"]
    date_hierarchy = "occurred_at"

    def get_actions(self, request):
        # No bulk "delete selected" either (it needs delete permission anyway).
        return {}


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyModelAdmin):
    """Keys are made by their owner on /mijn/api-token/ and shown only then; an administrator
    can see which exist and when they were last used, and revoke one by deleting it."""

    list_display = ["user", "prefix", "created_at", "last_used_at"]
    search_fields = ["user__email", "prefix"]
    fields = ["user", "prefix", "created_at", "last_used_at"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(LanguagePreference)
class LanguagePreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]
