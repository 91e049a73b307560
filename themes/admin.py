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
    MultiYearGoal,
    Need,
    Partner,
    Programme,
    ProgrammeGoal,
    ProgrammePerson,
    ProgrammePhase,
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
    show_change_link = True


@admin.register(Line)
class LineAdmin(SimpleHistoryAdmin):
    list_display = ["name", "theme", "code", "order"]
    list_filter = ["theme"]
    search_fields = ["name", "code"]
    inlines = [MilestoneInline]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "line", "year", "when", "status"]
    list_editable = ["status"]
    list_filter = ["status", "year", "line__theme", "owners"]
    search_fields = ["code", "title"]
    autocomplete_fields = ["owners", "line"]


@admin.register(SectorTarget)
class SectorTargetAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "measure", "goal_value", "unit", "deadline", "reached_on"]
    list_filter = ["measure", "themes", "programme"]
    search_fields = ["code", "title"]
    filter_horizontal = ["lines", "themes"]


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
