"""Reads of the route for the public pages and the API. One function per question."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from themes.models import (
    MILESTONE_CLOSED_STATUSES,
    ROUTE_YEARS,
    BudgetLine,
    Layer,
    Line,
    Milestone,
    MilestoneStatusChange,
    Partner,
    Programme,
    RouteVersion,
    SectorTarget,
    Theme,
    ThemePartner,
)


def route_targets() -> QuerySet[SectorTarget]:
    """The route's own sector targets, without the targets of programmes."""
    return SectorTarget.objects.filter(programme__isnull=True).order_by("order")


def overview_themes(layer: Layer | None = None) -> QuerySet[Theme]:
    """Themes in route order, each with its route targets (``theme.targets.all()``), only
    those of ``layer`` when given."""
    targets = route_targets()
    if layer is not None:
        targets = targets.filter(layers=layer)
    return Theme.objects.prefetch_related(Prefetch("targets", queryset=targets))


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
        Prefetch("milestones", queryset=Milestone.objects.select_related("lead_partner")),
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


def targets_for_list(
    theme_code: str | None = None, layer: Layer | None = None
) -> QuerySet[SectorTarget]:
    targets = SectorTarget.objects.prefetch_related("themes", "layers").select_related("programme")
    if theme_code:
        targets = targets.filter(themes__code=theme_code)
    if layer is not None:
        targets = targets.filter(layers=layer)
    return targets.order_by("order")


def target_for_page(code: str) -> SectorTarget | None:
    return (
        SectorTarget.objects.select_related("programme")
        .prefetch_related(
            Prefetch("lines", queryset=Line.objects.select_related("theme")),
            "themes",
            "layers",
            Prefetch(
                "milestones",
                queryset=Milestone.objects.select_related("line__theme", "lead_partner"),
            ),
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
    layer: Layer | None = None,
) -> QuerySet[Milestone]:
    """Milestones by the list's filters; ``partner`` matches the lead partner or a
    contributor."""
    milestones = Milestone.objects.select_related("line__theme", "lead_partner").prefetch_related(
        "owners"
    )
    if theme is not None:
        milestones = milestones.filter(line__theme=theme)
    if year is not None:
        milestones = milestones.filter(year=year)
    if status:
        milestones = milestones.filter(status=status)
    if partner is not None:
        milestones = milestones.filter(
            pk__in=Milestone.objects.filter(Q(lead_partner=partner) | Q(owners=partner)).values(
                "pk"
            )
        )
    if layer is not None:
        milestones = milestones.filter(layers=layer)
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


# --- Milestone delivery ------------------------------------------------------------------------


def milestone_for_page(code: str) -> Milestone | None:
    """A milestone with its partners, layers, targets and status history (oldest first)."""
    return (
        Milestone.objects.select_related("line__theme", "lead_partner")
        .prefetch_related(
            "owners",
            "layers",
            "targets",
            Prefetch(
                "status_changes",
                queryset=MilestoneStatusChange.objects.select_related("recorded_by").order_by(
                    "changed_on", "id"
                ),
            ),
        )
        .filter(code=code)
        .first()
    )


def with_status_on(milestones: QuerySet[Milestone], day: datetime.date) -> QuerySet[Milestone]:
    """Annotates ``status_on``: the milestone's status on ``day`` from its history. The latest
    change on or before the day; before its first change, the status that change replaced;
    with no history at all, its status as loaded."""
    changes = MilestoneStatusChange.objects.filter(milestone=OuterRef("pk"))
    latest = changes.filter(changed_on__lte=day).order_by("-changed_on", "-id").values("status")
    first = changes.order_by("changed_on", "id").values("previous_status")
    return milestones.annotate(
        status_on=Coalesce(Subquery(latest[:1]), Subquery(first[:1]), F("status"))
    )


def overdue_milestones(*, today: datetime.date) -> QuerySet[Milestone]:
    """Milestones due before ``today`` whose status on ``today`` is neither delivered nor
    dropped, in route order, with ``status_on`` (see with_status_on). One query."""
    milestones = Milestone.objects.select_related("line__theme", "lead_partner").filter(
        due_date__lt=today
    )
    return (
        with_status_on(milestones, today)
        .exclude(status_on__in=MILESTONE_CLOSED_STATUSES)
        .order_by("line__theme__order", "line__order", "due_date", "order")
    )


def milestone_counts_by_theme(*, today: datetime.date | None = None) -> list[dict]:
    """Per theme in route order the number of milestones per current status, their total, and
    with ``today`` how many are overdue on that day (due before it, not delivered or dropped).

    Rows: ``{"theme": code, "name": str, "total": int, "planned": int, "started": int,
    "delivered": int, "delayed": int, "dropped": int, "overdue": int | None}``. One query;
    a theme without milestones has zeros.
    """
    per_status = {
        status: Count("lines__milestones", filter=Q(lines__milestones__status=status))
        for status in Milestone.Status.values
    }
    annotations = {"total": Count("lines__milestones"), **per_status}
    if today is not None:
        annotations["overdue"] = Count(
            "lines__milestones",
            filter=Q(lines__milestones__due_date__lt=today)
            & ~Q(lines__milestones__status__in=MILESTONE_CLOSED_STATUSES),
        )
    rows = (
        Theme.objects.order_by("order", "name")
        .annotate(**annotations)
        .values("code", "name", *annotations)
    )
    return [{"theme": row.pop("code"), "overdue": None, **row} for row in rows]


# --- Layers ------------------------------------------------------------------------------------


@dataclass
class LayerCount:
    layer: Layer
    in_layer: int  # everything in this layer, shared ones included
    only: int  # in this layer and no other


@dataclass
class LayerSummary:
    """Counts per layer that add up: each item is counted once, under its one layer, under
    "in several layers", or under "without layer". ``in_layer`` also counts the shared ones, so
    those columns add up to more than the total."""

    rows: list[LayerCount]
    several: int
    none: int
    total: int

    @property
    def adds_up(self) -> bool:
        return sum(row.only for row in self.rows) + self.several + self.none == self.total


def _layer_summary(items: QuerySet, relation: str) -> LayerSummary:
    counted = items.annotate(layer_count=Count("layers", distinct=True))
    single = counted.filter(layer_count=1).values("pk")
    scope = items.values("pk")
    layers = Layer.objects.order_by("number").annotate(
        in_layer=Count(relation, filter=Q(**{f"{relation}__in": scope}), distinct=True),
        only=Count(relation, filter=Q(**{f"{relation}__in": single}), distinct=True),
    )
    totals = counted.aggregate(
        total=Count("pk"),
        several=Count("pk", filter=Q(layer_count__gte=2)),
        none=Count("pk", filter=Q(layer_count=0)),
    )
    return LayerSummary(
        rows=[LayerCount(layer, layer.in_layer, layer.only) for layer in layers],
        several=totals["several"],
        none=totals["none"],
        total=totals["total"],
    )


def target_layer_summary() -> LayerSummary:
    """The route's own targets (not the programmes') per layer."""
    return _layer_summary(route_targets(), "targets")


def milestone_layer_summary() -> LayerSummary:
    return _layer_summary(Milestone.objects.all(), "milestones")


# --- Route versions ----------------------------------------------------------------------------


def current_route_version() -> RouteVersion | None:
    """The latest published version of the route (what figures and reports are made against
    now), or None before the first is published."""
    return RouteVersion.objects.order_by("-number").first()


def route_versions() -> QuerySet[RouteVersion]:
    """Newest first, with who published them; the content is left out (it is large)."""
    return RouteVersion.objects.select_related("published_by").defer("content").order_by("-number")


def route_version(number: int) -> RouteVersion | None:
    return RouteVersion.objects.filter(number=number).first()


def target_in_version(target: SectorTarget, version: RouteVersion) -> dict | None:
    """The target's fields as ``version`` published them (texts), or None when it was not in
    that version."""
    return version.content.get("targets", {}).get(target.code)


def goal_in_version(target: SectorTarget, version: RouteVersion) -> Decimal | None:
    """The target's goal value in ``version``; None when the target was not in it."""
    fields = target_in_version(target, version)
    if fields is None or fields.get("goal_value") is None:
        return None
    return Decimal(fields["goal_value"])
