from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from institutions.models import (
    Answer,
    AnswerReview,
    Institution,
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
