"""The dashboard's reading of the stored snapshots: per target its latest figure and its
month-end series (for the sparkline), grouped by theme, the route's targets apart from the
programme's, with the count per progress status per theme. Reads only; a fixed number of
queries whatever the number of targets."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from indicators import privacy, queries
from indicators.models import ProgressStatus, Snapshot
from themes.layers import LayerStatusTable, count_by_layer, milestones_by_layer
from themes.models import Layer, Milestone, SectorTarget, Theme

# The statuses a reader scans for, in the order of the summary's columns. Withheld figures
# (too few answers) count as unknown to the reader.
SUMMARY_STATUSES = [
    ProgressStatus.REACHED,
    ProgressStatus.ON_TRACK,
    ProgressStatus.MODERATE,
    ProgressStatus.INSUFFICIENT,
    ProgressStatus.DECLINING,
    ProgressStatus.MISSED,
    ProgressStatus.NOT_YET,
    ProgressStatus.UNKNOWN,
]
SORT_ROUTE, SORT_BEHIND = "route", "achterstand"


@dataclass
class TargetRow:
    target: SectorTarget
    snapshot: Snapshot | None
    sparkline: list[float | None] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.snapshot is None or self.snapshot.status == ProgressStatus.WITHHELD:
            return ProgressStatus.UNKNOWN
        return self.snapshot.status

    @property
    def behind(self) -> float | None:
        """How far off track, as a share of the goal: (expected - value) / goal. A missed
        deadline counts as furthest behind; unknown figures have no place in the order."""
        s = self.snapshot
        if s is None or s.value is None:
            return None
        goal = float(self.target.goal_value) or 1.0
        if s.status == ProgressStatus.MISSED:
            return 1.0 + max(0.0, (goal - s.value) / goal)
        if s.expected_value is None:
            return None
        return (s.expected_value - s.value) / goal


@dataclass
class Section:
    """The route's targets or the programme's, grouped by theme."""

    key: str
    groups: list[tuple[Theme | None, list[TargetRow]]]

    @property
    def rows(self) -> list[TargetRow]:
        seen, rows = set(), []
        for _theme, group in self.groups:
            for row in group:
                if row.target.pk not in seen:
                    seen.add(row.target.pk)
                    rows.append(row)
        return rows

    def rows_by_behind(self) -> list[TargetRow]:
        known = [r for r in self.rows if r.behind is not None]
        unknown = [r for r in self.rows if r.behind is None]
        return sorted(known, key=lambda r: -r.behind) + unknown

    @cached_property
    def statuses(self) -> list[ProgressStatus]:
        """The summary's columns: the statuses that occur here, in SUMMARY_STATUSES order."""
        present = {r.status for r in self.rows}
        return [s for s in SUMMARY_STATUSES if s.value in present]

    def summary(self) -> list[tuple[Theme | None, list[int], int]]:
        """Per theme: the count of targets per status (the columns of ``statuses``), and the
        total. A target on lines of two themes counts in both."""
        lines = []
        for theme, rows in self.groups:
            counts = Counter(r.status for r in rows)
            lines.append((theme, [counts.get(s.value, 0) for s in self.statuses], len(rows)))
        return lines

    def totals(self) -> list[int]:
        counts = Counter(r.status for r in self.rows)
        return [counts.get(s.value, 0) for s in self.statuses]


class DashboardResults:
    """Computed on first use only, so a page whose rendered table comes from the cache runs
    none of these queries."""

    def __init__(self, filters: dict, *, sees_every_figure: bool):
        self.filters = filters
        self.sees_every_figure = sees_every_figure
        self.sort = filters.get("sort") or SORT_ROUTE

    @cached_property
    def _sections(self) -> list[Section]:
        targets = (
            SectorTarget.objects.select_related("programme")
            .prefetch_related("themes", "layers")
            .order_by("order")
        )
        if self.filters.get("laag"):
            targets = targets.filter(layers=self.filters["laag"])
        if self.filters.get("theme"):
            targets = targets.filter(themes=self.filters["theme"])
        if self.filters.get("deadline"):
            targets = targets.filter(deadline__year=self.filters["deadline"])
        targets = list(targets)
        snapshots = queries.latest_snapshots(targets)
        series = month_end_values(targets)
        if not self.sees_every_figure:
            privacy.withhold_snapshots(snapshots.values(), targets)
        rows = [TargetRow(t, snapshots.get(t.pk), series.get(t.pk, [])) for t in targets]
        if self.filters.get("status"):
            rows = [r for r in rows if r.status == self.filters["status"]]
        themes = list(Theme.objects.all())
        route = [r for r in rows if r.target.programme_id is None]
        programme = [r for r in rows if r.target.programme_id is not None]
        sections = [Section("route", _by_theme(route, themes))]
        if programme:
            # The programme's targets stand on no line of the route: one group of their own.
            sections.append(Section("programme", [(None, programme)]))
        return [s for s in sections if s.groups]

    @property
    def sections(self) -> list[Section]:
        return self._sections

    @property
    def sorted_by_behind(self) -> bool:
        return self.sort == SORT_BEHIND

    @property
    def status_totals(self) -> list[tuple[ProgressStatus, int]]:
        counts = Counter(r.status for s in self._sections for r in s.rows)
        return [(s, counts.get(s.value, 0)) for s in SUMMARY_STATUSES]

    @property
    def rows(self) -> list[TargetRow]:
        """Every target shown, route and programme, each once."""
        return [r for s in self._sections for r in s.rows]

    @cached_property
    def targets_by_layer(self) -> LayerStatusTable:
        """The shown targets per layer and progress status; its total is the number shown."""
        return targets_by_layer(
            [(r.status, [x.code for x in r.target.layers.all()]) for r in self.rows],
            layers=self._layers,
        )

    @cached_property
    def milestones_by_layer(self) -> LayerStatusTable:
        """The milestones per layer and status, within the theme and layer filters (the
        deadline and progress filters are the targets' own)."""
        milestones = Milestone.objects.all()
        if self.filters.get("theme"):
            milestones = milestones.filter(line__theme=self.filters["theme"])
        if self.filters.get("laag"):
            milestones = milestones.filter(layers=self.filters["laag"])
        return milestones_by_layer(milestones, layers=self._layers)

    @cached_property
    def _layers(self) -> list[Layer]:
        return list(Layer.objects.order_by("number"))


def targets_by_layer(items, *, layers: list[Layer] | None = None) -> LayerStatusTable:
    """``items``: (progress status, its layers' codes) per target, each target once. The
    columns are the statuses that occur, in SUMMARY_STATUSES order; a withheld figure counts
    as unknown, as on the dashboard. The dashboard and the reports both count with this."""
    items = [
        (ProgressStatus.UNKNOWN.value if status == ProgressStatus.WITHHELD else status, codes)
        for status, codes in items
    ]
    present = {status for status, _codes in items}
    statuses = [(s.value, s.label) for s in SUMMARY_STATUSES if s.value in present]
    return count_by_layer(items, statuses=statuses, layers=layers)


def _by_theme(rows: list[TargetRow], themes: list[Theme]) -> list:
    theme_ids = {r.target.pk: {t.pk for t in r.target.themes.all()} for r in rows}
    groups = []
    for theme in themes:
        in_theme = [r for r in rows if theme.pk in theme_ids[r.target.pk]]
        if in_theme:
            groups.append((theme, in_theme))
    return groups


def month_end_values(targets: list[SectorTarget]) -> dict[int, list[float | None]]:
    """Per target id its month-end values in date order, for sparklines. One query; withheld
    points (too few answers) are never read here, see month_end_rows."""
    values = defaultdict(list)
    for target_id, value in month_end_rows(targets):
        values[target_id].append(value)
    return dict(values)


def month_end_rows(targets: list[SectorTarget]):
    """Rows (target id, value or None) of the month-end snapshots, in date order; a value from
    fewer answers than the minimum group size is None, for everyone: a sparkline is too small
    to say why a point is missing. The others are rounded as public values are (the points'
    coordinates would otherwise carry the exact value)."""
    by_id = {t.pk: t for t in targets}
    rows = (
        Snapshot.objects.filter(target__in=targets, is_month_end=True)
        .order_by("target_id", "as_of")
        .values_list("target_id", "value", "answered_institutions", "active_institutions")
    )
    for target_id, value, answered, active in rows:
        target = by_id[target_id]
        if privacy.too_few_answers(target, answered):
            yield target_id, None
        else:
            yield target_id, privacy.rounded(value, privacy.public_step(target, answered, active))
