from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from institutions.models import (
    Answer,
    AnswerReview,
    ApiToken,
    AuditEvent,
    Institution,
    LanguagePreference,
    Membership,
)
from roadmap.lib.admin import ReadOnlyModelAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "kind", "region", "active_from", "active_to"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "code"]
    inlines = [MembershipInline]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyModelAdmin):
    """Read-only: answers are append-only and change only through the portal's own flows."""

    list_display = [
        "institution",
        "target",
        "status",
        "score",
        "percentage",
        "applies_on",
        "entered_at",
        "source",
    ]
    list_filter = ["source", "target__themes", "institution__kind"]
    search_fields = ["institution__code", "institution__name", "target__code"]
    date_hierarchy = "applies_on"


@admin.register(AnswerReview)
class AnswerReviewAdmin(ReadOnlyModelAdmin):
    """Reviews are made on the answer's history page, where the rules are checked."""

    list_display = ["answer", "decision", "reviewed_by", "reviewed_at"]
    list_filter = ["decision"]


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
