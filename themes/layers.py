"""Counts per layer and status that add up to the totals: the dashboard's and the reports'
"per laag" tables.

An item (a target or a milestone) may stand in several layers. Counting it under each would
make the rows add up to more than the total, so each item counts once: under its one layer,
under "in meer dan één laag", or under "zonder laag" (the rule of the route page's layer
summary, themes.queries.LayerSummary). Then every column adds up to its total and every row
to its row total.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from themes.models import Layer, Milestone

ONLY, SEVERAL, NONE = "only", "several", "none"
# Under every such table: how the rows add up (the dashboard, the PDF and the Excel sheet).
COUNTING_RULE = gettext_lazy(
    "Een sectordoel of mijlpaal kan bij meer lagen horen. Elk telt hier één keer: onder zijn "
    "ene laag, onder “in meer dan één laag” of onder “zonder laag”. Zo tellen de rijen op tot "
    "het totaal."
)


@dataclass
class LayerStatusRow:
    kind: str  # ONLY (``layer`` is set), SEVERAL or NONE
    layer: Layer | None
    counts: list[int]  # per status, in the table's ``statuses`` order

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def label(self) -> str:
        if self.layer is not None:
            return _("alleen %(layer)s") % {"layer": self.layer.name}
        return _("in meer dan één laag") if self.kind == SEVERAL else _("zonder laag")


@dataclass
class LayerStatusTable:
    statuses: list  # the columns: (value, label) pairs
    rows: list[LayerStatusRow]

    @property
    def totals(self) -> list[int]:
        return [sum(column) for column in zip(*(r.counts for r in self.rows), strict=True)]

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)


def _table(
    counts: dict[tuple[str, str | None], dict[str, int]], layers, statuses
) -> LayerStatusTable:
    """``counts``: {(kind, layer code or None): {status: n}}. Every layer has its row, also
    when empty; the shared and layerless rows only when they count something."""

    def row(kind, layer=None):
        found = counts.get((kind, layer.code if layer else None), {})
        return LayerStatusRow(kind, layer, [found.get(value, 0) for value, _label in statuses])

    rows = [row(ONLY, layer) for layer in layers]
    rows += [r for r in (row(SEVERAL), row(NONE)) if r.total]
    return LayerStatusTable(list(statuses), rows)


def count_by_layer(
    items: Iterable[tuple[str, Iterable[str]]], *, statuses, layers: list[Layer] | None = None
) -> LayerStatusTable:
    """``items``: (status value, its layers' codes) per item, each item once. ``statuses``:
    the columns, (value, label) pairs; a status not among them is not counted."""
    layers = list(Layer.objects.order_by("number")) if layers is None else layers
    counts: dict[tuple[str, str | None], dict[str, int]] = {}
    for status, codes in items:
        codes = set(codes)
        key = (ONLY, next(iter(codes))) if len(codes) == 1 else (SEVERAL if codes else NONE, None)
        by_status = counts.setdefault(key, {})
        by_status[status] = by_status.get(status, 0) + 1
    return _table(counts, layers, statuses)


def milestones_by_layer(
    milestones: QuerySet[Milestone],
    status_field: str = "status",
    *,
    layers: list[Layer] | None = None,
) -> LayerStatusTable:
    """The milestones per layer (counted once, see the module) and per status, counted in the
    database: one query grouped by status, number of layers and (for one) that layer.
    ``status_field``: "status" (now) or an annotation such as themes.queries.with_status_on's
    "status_on" (on a date). ``layers``: all layers, when the caller has them already."""
    links = Milestone.layers.through.objects.filter(milestone=OuterRef("pk"))
    # Subqueries, not a join: a join to the layers would count a shared milestone twice.
    grouped = (
        milestones.annotate(
            layer_count=Subquery(links.values("milestone").annotate(n=Count("pk")).values("n")[:1]),
            first_layer=Subquery(links.order_by("layer__number").values("layer__code")[:1]),
        )
        .values(status_field, "layer_count", "first_layer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, str | None], dict[str, int]] = {}
    for row in grouped:
        layer_count = row["layer_count"] or 0
        if layer_count == 1:
            key = (ONLY, row["first_layer"])
        else:
            key = (SEVERAL if layer_count else NONE, None)
        by_status = counts.setdefault(key, {})
        by_status[row[status_field]] = by_status.get(row[status_field], 0) + row["n"]
    layers = list(Layer.objects.order_by("number")) if layers is None else layers
    return _table(counts, layers, Milestone.Status.choices)
