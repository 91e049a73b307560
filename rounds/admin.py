from django.contrib import admin

from roadmap.lib.admin import ReadOnlyModelAdmin
from rounds.models import ReminderSent, Reopening, Round, RoundReview


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["name", "opens_on", "closes_on", "assembly_on", "closed_at"]
    filter_horizontal = ["targets"]
    readonly_fields = ["closed_at", "closed_by", "created_at", "created_by"]


@admin.register(Reopening)
class ReopeningAdmin(ReadOnlyModelAdmin):
    list_display = ["round", "institution", "reopened_at", "ended_at"]


@admin.register(RoundReview)
class RoundReviewAdmin(ReadOnlyModelAdmin):
    list_display = ["round", "institution", "decision", "reviewed_at"]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyModelAdmin):
    list_display = ["round", "institution", "kind", "status", "sent_at"]
    list_filter = ["kind", "status"]
