"""Staff keep the route current here. Every change is kept with who and when (history)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from themes.models import (
    Ambition,
    BudgetAmount,
    BudgetLine,
    Layer,
    Line,
    Milestone,
    MilestoneStatusChange,
    MultiYearGoal,
    Need,
    Partner,
    Programme,
    ProgrammeGoal,
    ProgrammePerson,
    ProgrammePhase,
    RouteVersion,
    SectorTarget,
    Spearhead,
    SpearheadActivity,
    Theme,
    ThemePartner,
)


class AmbitionInline(admin.TabularInline):
    model = Ambition
    extra = 0


class NeedInline(admin.TabularInline):
    model = Need
    extra = 0


class ThemePartnerInline(admin.TabularInline):
    model = ThemePartner
    extra = 0
    autocomplete_fields = ["partner"]


class LineInline(admin.TabularInline):
    model = Line
    extra = 0
    fields = ["order", "code", "name", "note"]
    show_change_link = True


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "abbreviation", "order", "ambition_year", "work_in_progress"]
    search_fields = ["name", "code"]
    filter_horizontal = ["multi_year_goals"]
    inlines = [LineInline, AmbitionInline, NeedInline, ThemePartnerInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["code", "year", "title", "when", "due_date", "status", "headline", "order"]
    # The status changes only with a reason, on the milestone's page (its history).
    readonly_fields = ["status"]
    show_change_link = True


@admin.register(Line)
class LineAdmin(SimpleHistoryAdmin):
    list_display = ["name", "theme", "code", "order"]
    list_filter = ["theme"]
    search_fields = ["name", "code"]
    inlines = [MilestoneInline]


class MilestoneStatusChangeInline(admin.TabularInline):
    """The delivery history, read only: staff add a step on the milestone's own page."""

    model = MilestoneStatusChange
    extra = 0
    fields = ["changed_on", "previous_status", "status", "reason", "recorded_by", "recorded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "line", "year", "due_date", "lead_partner", "status"]
    list_filter = ["status", "year", "line__theme", "lead_partner", "layers"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["owners", "line", "lead_partner", "targets"]
    filter_horizontal = ["layers"]
    # The status changes only with a date and a reason, on the milestone's page.
    readonly_fields = ["status"]
    inlines = [MilestoneStatusChangeInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: shown, never added, changed or deleted here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MilestoneStatusChange)
class MilestoneStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["milestone", "changed_on", "previous_status", "status", "recorded_by"]
    list_filter = ["status"]
    search_fields = ["milestone__code", "reason"]


@admin.register(RouteVersion)
class RouteVersionAdmin(ReadOnlyAdmin):
    list_display = ["number", "published_at", "published_by", "note"]
    exclude = ["content"]


@admin.register(SectorTarget)
class SectorTargetAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "measure", "goal_value", "unit", "deadline", "reached_on"]
    list_filter = ["measure", "themes", "programme", "layers"]
    search_fields = ["code", "title"]
    filter_horizontal = ["lines", "themes", "layers"]


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Layer, MultiYearGoal)
class SimpleRouteAdmin(SimpleHistoryAdmin):
    pass


class ProgrammeGoalInline(admin.TabularInline):
    model = ProgrammeGoal
    extra = 0


class ProgrammePhaseInline(admin.StackedInline):
    model = ProgrammePhase
    extra = 0


class ProgrammePersonInline(admin.TabularInline):
    model = ProgrammePerson
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "owner", "start_year", "end_year"]
    filter_horizontal = ["themes", "partners"]
    inlines = [ProgrammeGoalInline, ProgrammePhaseInline, ProgrammePersonInline]


class SpearheadActivityInline(admin.TabularInline):
    model = SpearheadActivity
    extra = 0


@admin.register(Spearhead)
class SpearheadAdmin(SimpleHistoryAdmin):
    list_display = ["letter", "title", "programme", "goal"]
    inlines = [SpearheadActivityInline]


class BudgetAmountInline(admin.TabularInline):
    model = BudgetAmount
    extra = 0


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ["label", "programme", "goal", "spearhead", "is_total", "order"]
    list_filter = ["programme"]
    inlines = [BudgetAmountInline]
