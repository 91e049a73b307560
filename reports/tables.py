"""The report's tables, built once and written as PDF, Excel and CSV.

The numbers are the indicators' own (indicators.series.figures_on and figures.progress): the
stored snapshots the dashboards read, and for a date without one (an as-of or comparison date
that is not a month end) the same calculation for that day only. A figure as of a date counts
the answers that apply on or before it, so the same as-of date over the same data gives the
same numbers, also after answers for later dates.

Each figure is judged against the goal and deadline in force on its date (the route version
published last on or before it, themes.versions.GoalsInForce), and the report names the version
in force on its as-of date: made again for that date with the same versions, it gives the same
numbers, whatever was changed in the route since.
"""

import datetime
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from indicators import figures as fig
from indicators.models import ProgressStatus, StatusOverride
from indicators.needed import still_needed_of_figure
from indicators.overrides import active_overrides
from indicators.overview import targets_by_layer
from indicators.series import figures_on, progress_on, series_dates, series_start
from institutions.models import Answer, Institution
from institutions.queries import latest_answers_as_of
from reports import display
from rounds.queries import rates_of_rounds_closed_by
from themes.layers import LayerStatusTable, milestones_by_layer
from themes.models import Layer, Milestone, MilestoneStatusChange, SectorTarget, Theme
from themes.queries import overdue_milestones, with_status_on
from themes.versions import PublishedVersion, goals_timeline

# The summary's groups (the council's "on track, at risk, off track, reached"), by the name of
# the ProgressStatus member, so that a status added to ProgressStatus never breaks a report:
# one this table does not know counts as "onbekend" (no verdict) until it is placed here.
SUMMARY_GROUP_BY_STATUS = {
    "REACHED": "gerealiseerd",
    "ON_TRACK": "op koers",
    "MODERATE": "risico",
    "INSUFFICIENT": "achter",
    "DECLINING": "achter",
    "MISSED": "achter",  # the deadline passed without reaching the goal
    "NOT_YET": "onbekend",  # a milestone target before its deadline: no pace, no verdict
    "UNKNOWN": "onbekend",
}
SUMMARY_COLUMNS = ["gerealiseerd", "op koers", "risico", "achter", "onbekend"]


def summary_group(status: str) -> str:
    """The summary group of a progress status code (one of SUMMARY_COLUMNS)."""
    try:
        name = ProgressStatus(status).name
    except ValueError:
        return "onbekend"
    return SUMMARY_GROUP_BY_STATUS.get(name, "onbekend")


TARGET_COLUMNS = [
    "theme", "theme_name", "target", "title", "measure", "unit", "goal_value", "deadline",
    "value", "compare_value", "compare_answered", "change", "coverage", "answered", "active",
    "status", "status_label", "expected_value", "projected_on",
    # Share targets: the institutions still needed on the as-of date against the goal in force
    # then (indicators.needed), and when at the pace since the baseline; empty otherwise.
    "institutions_needed", "institutions_goal", "needed_expected_on", "needed_expected_quarter",
    # Staff's override in force on the as-of date (indicators.overrides), shown beside the
    # computed status, which stays as it is; empty where none applies.
    "override_status", "override_status_label", "override_reason", "override_set_by",
    "override_ends_on",
    "layers",  # the target's layers' codes, comma-separated (for the "per laag" table)
]  # fmt: skip
SERIES_COLUMNS = [
    "target", "title", "theme", "theme_name", "measure", "unit", "date", "value", "coverage",
    "goal_value", "deadline", "status", "expected_value", "answered", "active", "route_version",
    "institutions_needed", "needed_expected_on",  # share targets, as in TARGET_COLUMNS
    "override_status", "override_reason",  # on the as-of row only: the override in force then
]  # fmt: skip
RATE_COLUMNS = ["round", "closes_on", "expected", "reported", "on_time", "late", "never", "rate"]
# A sector report's "Respons per ronde": the latest rounds closed on or before its date.
RATE_ROUNDS = 3
MILESTONE_COLUMNS = [
    "code", "theme", "line", "title", "year", "headline", "when", "due_date", "owners",
    "status", "status_label",
]  # fmt: skip
DELIVERY_COLUMNS = [
    "group", "code", "title", "theme", "lead_partner", "due_date", "status", "status_label",
    "changed_on", "reason",
]  # fmt: skip
# The delivery table's groups, in the order the reports show them.
DELIVERY_GROUPS = ("overdue", "delayed", "delivered")


@dataclass
class ReportData:
    as_of: datetime.date
    compare_to: datetime.date | None
    themes: list[Theme]
    institution: Institution | None
    targets: pd.DataFrame  # one row per theme and target (a shared target under each theme)
    series: pd.DataFrame  # one row per target and date (month ends up to as_of, and as_of)
    summary: pd.DataFrame  # one row per theme: counts per summary group
    milestones: pd.DataFrame  # the milestones of the as-of year, in the route's order
    not_answered: pd.DataFrame  # active institutions without a recent answer (names only)
    own_answers: pd.DataFrame | None = None  # institution reports: its answers per target
    # Overdue, delayed and delivered milestones on as_of, with their last status change.
    delivery: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DELIVERY_COLUMNS))
    # The route versions in force on as_of and on compare_to (None: none published yet).
    route_version: PublishedVersion | None = None
    compare_route_version: PublishedVersion | None = None
    stale_days: int = field(default_factory=lambda: settings.ANSWER_STALE_AFTER_DAYS)
    # Sector reports: the reporting rate of the latest rounds closed on or before as_of (None
    # for an institution's own report).
    rates: pd.DataFrame | None = None
    # The report's layer (None: all layers), and its targets and milestones per layer and
    # status, counted as the dashboard counts them (themes.layers).
    layer: Layer | None = None
    targets_by_layer: LayerStatusTable | None = None
    milestones_by_layer: LayerStatusTable | None = None


def _noop(percent: int, step: str) -> None:
    pass


def build_report_data(
    *,
    as_of: datetime.date,
    compare_to: datetime.date | None = None,
    theme_codes: list[str] | None = None,
    layer_code: str | None = None,
    institution: Institution | None = None,
    progress=_noop,
) -> ReportData:
    themes = list(
        Theme.objects.filter(code__in=theme_codes) if theme_codes else Theme.objects.all()
    )
    # A layer removed since the report was asked for reports nothing rather than everything.
    layer = Layer.objects.filter(code=layer_code).first() if layer_code else None
    targets = SectorTarget.objects.filter(themes__in=themes)
    if layer_code:
        targets = targets.filter(layers__code=layer_code)
    targets = list(targets.distinct().prefetch_related("themes", "layers").order_by("order"))
    progress(10, "Sectorcijfers berekenen")
    dates = [d for d in series_dates(series_start(), as_of) if d <= as_of]
    computed = figures_on(targets, sorted({*dates, *([compare_to] if compare_to else [])}))
    goals = goals_timeline()
    overrides = active_overrides(targets, on=as_of)
    progress(40, "Tabellen opbouwen")

    target_rows, series_rows = [], []
    theme_ids = {t.pk for t in themes}
    for target in targets:
        by_date = {f.as_of: f for f in computed[target.pk]}
        series = [by_date[d] for d in dates]
        base = fig.baseline(target, series)
        progress_by_date = {f.as_of: progress_on(target, f, base, goals) for f in series}
        goal_by_date = {d: goals.goal(target, d) for d in dates}
        needed_by_date = {
            f.as_of: _needed_cells(target, f, base, goals, progress_by_date[f.as_of].projected_on)
            for f in series
        }
        current, now, goal = by_date[as_of], progress_by_date[as_of], goal_by_date[as_of]
        compare = by_date.get(compare_to) if compare_to else None
        target_themes = [t for t in target.themes.all() if t.pk in theme_ids]
        override = _override_cells(overrides.get(target.pk))
        layers = ",".join(layer.code for layer in target.layers.all())
        for theme in target_themes:
            target_rows.append(
                {
                    "theme": theme.code, "theme_name": theme.name, "target": target.code,
                    "title": target.title, "measure": target.measure, "unit": target.unit,
                    "goal_value": float(goal.value), "deadline": goal.deadline,
                    "value": current.value,
                    "compare_value": compare.value if compare else None,
                    "compare_answered": compare.answered if compare else 0,
                    "change": (current.value - compare.value)
                    if compare and current.value is not None and compare.value is not None
                    else None,
                    "coverage": current.coverage, "answered": current.answered,
                    "active": current.active, "status": ProgressStatus(now.status).value,
                    "status_label": ProgressStatus(now.status).label,
                    "expected_value": now.expected_value, "projected_on": now.projected_on,
                    **needed_by_date[as_of], **override, "layers": layers,
                }
            )  # fmt: skip
        for figure in series:
            series_rows.append(
                {
                    "target": target.code, "title": target.title,
                    "theme": ", ".join(t.code for t in target_themes),
                    "theme_name": ", ".join(t.name for t in target_themes),
                    "measure": target.measure, "unit": target.unit, "date": figure.as_of,
                    "value": figure.value, "coverage": figure.coverage,
                    "goal_value": float(goal_by_date[figure.as_of].value),
                    "deadline": goal_by_date[figure.as_of].deadline,
                    "status": ProgressStatus(progress_by_date[figure.as_of].status).value,
                    "expected_value": progress_by_date[figure.as_of].expected_value,
                    "answered": figure.answered, "active": figure.active,
                    "route_version": _number(goals.version_on(figure.as_of)),
                    "institutions_needed": needed_by_date[figure.as_of]["institutions_needed"],
                    "needed_expected_on": needed_by_date[figure.as_of]["needed_expected_on"],
                    "override_status": override["override_status"]
                    if figure.as_of == as_of else None,
                    "override_reason": override["override_reason"]
                    if figure.as_of == as_of else None,
                }
            )  # fmt: skip
    targets_df = pd.DataFrame(target_rows, columns=TARGET_COLUMNS)
    series_df = pd.DataFrame(series_rows, columns=SERIES_COLUMNS)

    progress(60, "Samenvatting en mijlpalen")
    summary = summary_table(targets_df, themes)
    milestones = _milestones(themes, as_of.year, layer_code)
    delivery = milestone_delivery(themes, as_of, layer_code)
    not_answered = _not_answered(as_of)
    own = _own_answers(institution, targets, as_of) if institution else None
    rates = None if institution else round_rates(as_of)
    progress(70, "Tabellen klaar")
    return ReportData(
        as_of=as_of, compare_to=compare_to, themes=themes, institution=institution,
        targets=targets_df, series=series_df, summary=summary, milestones=milestones,
        not_answered=not_answered, own_answers=own, delivery=delivery, rates=rates,
        route_version=goals.version_on(as_of),
        compare_route_version=goals.version_on(compare_to) if compare_to else None,
        layer=layer, targets_by_layer=target_layer_table(targets_df),
        milestones_by_layer=milestones_by_layer(
            with_status_on(_in_layer(_theme_milestones(themes), layer_code), as_of), "status_on"
        ),
    )  # fmt: skip


def target_layer_table(targets: pd.DataFrame) -> LayerStatusTable:
    """The report's targets per layer and progress status, each target once (a shared target
    has a row per theme), counted as the dashboard counts them."""
    unique = targets.drop_duplicates("target")
    return targets_by_layer(
        [
            (status, [code for code in (layers or "").split(",") if code])
            for status, layers in zip(unique["status"], unique["layers"], strict=True)
        ]
    )


def _theme_milestones(themes: list[Theme]):
    return Milestone.objects.filter(line__theme__in=themes)


def _in_layer(milestones, layer_code: str | None):
    return milestones.filter(layers__code=layer_code) if layer_code else milestones


def _needed_cells(
    target: SectorTarget, figure: fig.Figure, base, goals, projected_on: datetime.date | None
) -> dict:
    """A row's still-needed columns: empty for a target that is not a share."""
    needed = still_needed_of_figure(target, figure, base, goals, projected_on)
    if needed is None:
        return {
            "institutions_needed": None, "institutions_goal": None, "needed_expected_on": None,
            "needed_expected_quarter": None,
        }  # fmt: skip
    return {
        "institutions_needed": needed.needed,
        "institutions_goal": needed.goal_count,
        "needed_expected_on": needed.expected_on,
        "needed_expected_quarter": needed.expected_quarter,
    }


def _override_cells(override: StatusOverride | None) -> dict:
    """A target row's override columns: the override in force on the as-of date, or empty."""
    if override is None:
        return {
            "override_status": None, "override_status_label": None, "override_reason": None,
            "override_set_by": None, "override_ends_on": None,
        }  # fmt: skip
    return {
        "override_status": override.status,
        "override_status_label": str(ProgressStatus(override.status).label),
        "override_reason": override.reason,
        "override_set_by": override.set_by_name,
        "override_ends_on": override.ends_on,
    }


def round_rates(as_of: datetime.date) -> pd.DataFrame:
    """The reporting rate of the latest RATE_ROUNDS rounds closed on or before ``as_of``,
    newest first (rounds.queries.reporting_rate): expected, complete, on time, late, never."""
    rows = [
        {"round": item["round"].name, "closes_on": item["round"].closes_on, **item["rate"]}
        for item in rates_of_rounds_closed_by(as_of, count=RATE_ROUNDS)
    ]
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def _number(version: PublishedVersion | None) -> int | None:
    return version.number if version else None


def summary_table(targets: pd.DataFrame, themes: list[Theme]) -> pd.DataFrame:
    """Per theme, how many targets are reached, on track, at risk, behind or unknown."""
    groups = targets.assign(group=targets["status"].map(summary_group))
    table = pd.crosstab(groups["theme_name"], groups["group"]) if len(groups) else pd.DataFrame()
    table = table.reindex(index=[t.name for t in themes], columns=SUMMARY_COLUMNS, fill_value=0)
    table = table.fillna(0).astype(int)
    table.index.name = "thema"
    return table.reset_index()


def _milestones(themes: list[Theme], year: int, layer_code: str | None = None) -> pd.DataFrame:
    """The milestones the route names for the year, in the route's order (theme, line)."""
    milestones = (
        _in_layer(_theme_milestones(themes), layer_code)
        .filter(year=year)
        .select_related("line__theme")
        .prefetch_related("owners")
        .order_by("line__theme__order", "line__order", "order", "code")
    )
    rows = [
        {
            "code": m.code, "theme": m.line.theme.name, "line": m.line.name, "title": m.title,
            "year": m.year, "headline": m.headline, "when": m.when, "due_date": m.due_date,
            "owners": ", ".join(p.name for p in m.owners.all()), "status": m.status,
            "status_label": m.get_status_display(),
        }
        for m in milestones
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS)


def milestone_delivery(
    themes: list[Theme], as_of: datetime.date, layer_code: str | None = None
) -> pd.DataFrame:
    """The themes' milestones that on ``as_of`` are overdue (themes.queries.overdue_milestones:
    due before it, not delivered or dropped), delayed or delivered, by their status on that
    date, each with the date and reason of its last status change on or before it. Overdue
    first, then delayed, then delivered; in route order within each. One query."""
    last_change = MilestoneStatusChange.objects.filter(
        milestone=OuterRef("pk"), changed_on__lte=as_of
    ).order_by("-changed_on", "-id")
    overdue = overdue_milestones(today=as_of).values("pk")
    milestones = (
        with_status_on(
            _in_layer(_theme_milestones(themes), layer_code).select_related(
                "line__theme", "lead_partner"
            ),
            as_of,
        )
        .annotate(
            is_overdue=Q(pk__in=overdue),
            last_changed_on=Subquery(last_change.values("changed_on")[:1]),
            last_reason=Subquery(last_change.values("reason")[:1]),
        )
        .filter(
            Q(pk__in=overdue)
            | Q(status_on__in=[Milestone.Status.DELAYED, Milestone.Status.DELIVERED])
        )
        .order_by("line__theme__order", "line__order", "due_date", "order", "code")
    )
    rows = []
    for m in milestones:
        group = "overdue" if m.is_overdue else m.status_on
        rows.append(
            {
                "group": group, "code": m.code, "title": m.title, "theme": m.line.theme.name,
                "lead_partner": m.lead_partner.name if m.lead_partner else "",
                "due_date": m.due_date, "status": m.status_on,
                "status_label": str(Milestone.Status(m.status_on).label),
                "changed_on": m.last_changed_on, "reason": m.last_reason or "",
            }
        )  # fmt: skip
    rows.sort(key=lambda row: DELIVERY_GROUPS.index(row["group"]))  # stable: route order stays
    return pd.DataFrame(rows, columns=DELIVERY_COLUMNS)


def _not_answered(as_of: datetime.date) -> pd.DataFrame:
    """Institutions active on the date whose latest answer is missing or older than the stale
    period before it. Names and dates only: no figures of theirs."""
    cutoff = as_of - datetime.timedelta(days=settings.ANSWER_STALE_AFTER_DAYS)
    active = Institution.objects.filter(
        Q(active_to__isnull=True) | Q(active_to__gte=as_of), active_from__lte=as_of
    )
    # One probe of the index answer_institution_date per institution, not an aggregate over
    # every answer.
    last_answer = (
        Answer.objects.filter(institution=OuterRef("pk"), applies_on__lte=as_of)
        .order_by("-applies_on")
        .values("applies_on")[:1]
    )
    rows = active.annotate(last=Subquery(last_answer)).filter(
        Q(last__isnull=True) | Q(last__lt=cutoff)
    )
    return pd.DataFrame(
        [
            {"institution": i.name, "code": i.code, "last_answer": i.last}
            for i in rows.order_by("name")
        ],
        columns=["institution", "code", "last_answer"],
    )


def _own_answers(
    institution: Institution, targets: list[SectorTarget], as_of: datetime.date
) -> pd.DataFrame:
    answers = {
        a.target_id: a
        for a in latest_answers_as_of(Institution.objects.filter(pk=institution.pk), targets, as_of)
    }
    rows = []
    for target in targets:
        answer: Answer | None = answers.get(target.pk)
        rows.append(
            {
                "target": target.code, "title": target.title, "measure": target.measure,
                "unit": target.unit, "answer": _answer_text(target, answer) if answer else None,
                "applies_on": answer.applies_on if answer else None,
            }
        )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["target", "title", "measure", "unit", "answer", "applies_on"]
    )


def _answer_text(target: SectorTarget, answer: Answer) -> str:
    """An institution's answer as text, a number with the target's unit (reports.display)."""
    if answer.status is not None:
        return answer.get_status_display()
    if answer.score is not None:  # also for a share-at-least target, whose figure is a %
        unit = target.unit if target.unit and target.unit != display.PERCENT else _("score")
        return display.with_unit(float(answer.score), unit)
    return display.with_unit(float(answer.percentage), display.PERCENT)
