"""Reads of the route for the public pages and the API. One function per question."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from themes.models import (
    ROUTE_YEARS,
    BudgetLine,
    Layer,
    Line,
    Milestone,
    Partner,
    Programme,
    SectorTarget,
    Theme,
    ThemePartner,
)


def route_targets() -> QuerySet[SectorTarget]:
    """The route's own sector targets, without the targets of programmes."""
    return SectorTarget.objects.filter(programme__isnull=True).order_by("order")


def overview_themes() -> QuerySet[Theme]:
    """Themes in route order, each with its route targets (``theme.targets.all()``)."""
    return Theme.objects.prefetch_related(Prefetch("targets", queryset=route_targets()))


def layers() -> QuerySet[Layer]:
    return Layer.objects.all()


@dataclass
class TableRow:
    """One line of a theme's table: milestones per year column and the line's targets."""

    line: Line
    cells: list[tuple[int, list[Milestone]]] = field(default_factory=list)
    targets: list[SectorTarget] = field(default_factory=list)


def theme_for_page(code: str) -> Theme | None:
    return (
        Theme.objects.prefetch_related(
            "ambitions",
            "needs",
            "multi_year_goals",
            "programmes",
            Prefetch(
                "theme_partners",
                queryset=ThemePartner.objects.select_related("partner").order_by("order"),
            ),
        )
        .filter(code=code)
        .first()
    )


def theme_table(theme: Theme) -> list[TableRow]:
    """The theme's table as in the source: lines down; 2026, 2027, 2028 and targets across."""
    lines = theme.lines.prefetch_related(
        Prefetch("milestones", queryset=Milestone.objects.prefetch_related("owners")),
        Prefetch("targets", queryset=route_targets()),
    ).order_by("order")
    rows = []
    for line in lines:
        milestones = list(line.milestones.all())
        rows.append(
            TableRow(
                line=line,
                cells=[(year, [m for m in milestones if m.year == year]) for year in ROUTE_YEARS],
                targets=list(line.targets.all()),
            )
        )
    return rows


def targets_for_list(theme_code: str | None = None) -> QuerySet[SectorTarget]:
    targets = SectorTarget.objects.prefetch_related("themes").select_related("programme")
    if theme_code:
        targets = targets.filter(themes__code=theme_code)
    return targets.order_by("order")


def target_for_page(code: str) -> SectorTarget | None:
    return (
        SectorTarget.objects.select_related("programme")
        .prefetch_related(
            Prefetch("lines", queryset=Line.objects.select_related("theme")),
            "themes",
        )
        .filter(code=code)
        .first()
    )


def milestones_filtered(
    *,
    theme: Theme | None = None,
    year: int | None = None,
    status: str | None = None,
    partner: Partner | None = None,
) -> QuerySet[Milestone]:
    milestones = Milestone.objects.select_related("line__theme").prefetch_related("owners")
    if theme is not None:
        milestones = milestones.filter(line__theme=theme)
    if year is not None:
        milestones = milestones.filter(year=year)
    if status:
        milestones = milestones.filter(status=status)
    if partner is not None:
        milestones = milestones.filter(owners=partner)
    return milestones.order_by("line__theme__order", "line__order", "year", "order")


def partners_with_roles() -> QuerySet[Partner]:
    """Partners with where they act: themes (with role), milestones and programmes."""
    return Partner.objects.prefetch_related(
        Prefetch("theme_roles", queryset=ThemePartner.objects.select_related("theme")),
        Prefetch("milestones", queryset=Milestone.objects.select_related("line__theme")),
        "programmes",
        "owned_programmes",
    )


def programme_for_page(code: str) -> Programme | None:
    return (
        Programme.objects.select_related("owner")
        .prefetch_related(
            "goals",
            "spearheads__activities",
            "spearheads__goal",
            "phases",
            "budget_lines__amounts",
            "people",
            "themes",
            "partners",
            "targets",
        )
        .filter(code=code)
        .first()
    )


def programmes() -> QuerySet[Programme]:
    return Programme.objects.all()


def budget_table(programme: Programme) -> tuple[list[int], list[tuple[BudgetLine, list]]]:
    """The budget as a table: the years, and per line its amounts per year (None where empty).

    Reads the prefetched ``budget_lines__amounts`` of ``programme_for_page``.
    """
    lines = list(programme.budget_lines.all())
    years = sorted({amount.year for line in lines for amount in line.amounts.all()})
    rows = []
    for line in lines:
        by_year = {amount.year: amount.amount for amount in line.amounts.all()}
        rows.append((line, [by_year.get(year) for year in years]))
    return years, rows
