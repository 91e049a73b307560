"""Reading the sector figures: the series of month ends, figures computed from the answers, and
the stored snapshots with their baselines. Nothing here writes; indicators.actions recomputes
and stores the snapshots from these functions.

Figures for a date with a stored snapshot come from it; for any other date they are computed
and cached under the figures' version (queries.figures_version). Each figure is judged against
the goal and deadline in force on its date (themes.versions.GoalsInForce).
"""

import calendar
import datetime
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min, OuterRef, Subquery

from indicators import figures as fig
from indicators import queries
from indicators.models import ProgressStatus, Snapshot
from indicators.queries import active_institution_counts, answer_figures
from institutions.models import Answer
from themes.models import SectorTarget
from themes.versions import GoalsInForce, goals_timeline


def route_start() -> datetime.date:
    return datetime.date.fromisoformat(settings.ROUTE_START)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def series_dates(start: datetime.date, today: datetime.date) -> list[datetime.date]:
    """Every month end from ``start``'s month up to ``today``, and ``today`` itself."""
    dates = []
    day = month_end(start)
    while day <= today:
        dates.append(day)
        day = month_end(day + datetime.timedelta(days=1))
    if not dates or dates[-1] != today:
        dates.append(today)
    return dates


def series_start() -> datetime.date:
    """The route's start, or the first answer when that is earlier. One probe per target of the
    index answer_target_date (a MIN over all answers would read them all)."""
    first = SectorTarget.objects.aggregate(
        first=Min(
            Subquery(
                Answer.objects.filter(target=OuterRef("pk"))
                .order_by("applies_on")
                .values("applies_on")[:1]
            )
        )
    )["first"]
    return min(route_start(), first) if first else route_start()


def compute_series(
    targets: list[SectorTarget],
    dates: list[datetime.date],
    *,
    read_from: datetime.date | None = None,
) -> dict[int, list[fig.Figure]]:
    """Figures of these targets on these dates: a query per target at most, whatever the
    number of answers. ``read_from``: see queries.answer_figures. Milestone targets have no
    answers to read."""
    answerable = [t.pk for t in targets if t.measure != SectorTarget.Measure.MILESTONE]
    raw = answer_figures(answerable, dates, read_from=read_from)
    active = active_institution_counts(dates)
    return {
        target.pk: [fig.figure_for(target, d, raw.get((target.pk, d)), active[d]) for d in dates]
        for target in targets
    }


# How long a computed figure for a date without a snapshot is kept. The key holds the figures'
# version, so a recompute makes a new key at once; the timeout only bounds what an old key
# holds on to, and lets an answer saved since catch up when no recompute wrote a snapshot.
COMPUTED_FIGURES_SECONDS = 15 * 60


def _figure_of(snapshot: Snapshot) -> fig.Figure:
    return fig.Figure(
        snapshot.as_of,
        snapshot.value,
        snapshot.coverage,
        snapshot.active_institutions,
        snapshot.answered_institutions,
        snapshot.details,
    )


def _progress_of(snapshot: Snapshot) -> fig.Progress:
    return fig.Progress(
        snapshot.expected_value,
        snapshot.status,
        snapshot.projected_on,
        snapshot.reached_on,
        snapshot.route_version_id,
    )


def _stored_on(targets: list[SectorTarget], dates: list[datetime.date]) -> dict:
    """{(target id, date): snapshot} of the stored snapshots of these targets on these dates."""
    snapshots = Snapshot.objects.filter(target__in=targets, as_of__in=dates)
    return {(s.target_id, s.as_of): s for s in snapshots}


def _cached(key_parts: tuple, compute):
    """``compute()``, kept in the cache under the figures' version (queries.figures_version)."""
    key = "figures:" + ":".join(str(part) for part in (queries.figures_version(), *key_parts))
    hashed = "figures:" + hashlib.sha256(key.encode()).hexdigest()
    value = cache.get(hashed)
    if value is None:
        value = compute()
        cache.set(hashed, value, COMPUTED_FIGURES_SECONDS)
    return value


def figures_on(
    targets: list[SectorTarget], dates: list[datetime.date]
) -> dict[int, list[fig.Figure]]:
    """The figures of these targets on these dates, as compute_series gives them: the stored
    snapshot where there is one, computed (and cached) only for the dates without one. A
    computed date reads only the answers that count from the first such date on."""
    dates = sorted(set(dates))
    stored = _stored_on(targets, dates)
    missing = [d for d in dates if any((t.pk, d) not in stored for t in targets)]
    computed: dict[int, list[fig.Figure]] = {}
    if missing:
        computed = _cached(
            ("series", *sorted(t.pk for t in targets), *missing),
            lambda: compute_series(targets, missing, read_from=missing[0]),
        )
    by_date = {t.pk: {f.as_of: f for f in computed.get(t.pk, [])} for t in targets}
    return {
        t.pk: [by_date[t.pk][d] if d in missing else _figure_of(stored[(t.pk, d)]) for d in dates]
        for t in targets
    }


def figures_as_of(
    targets: list[SectorTarget], as_of: datetime.date
) -> dict[int, tuple[fig.Figure, fig.Progress]]:
    """Exact figures for any date, with progress measured from the stored baseline: the stored
    snapshots when that date has them (a month end, or today after a recompute); otherwise
    computed for that one day from the answers still valid on it, and cached under the
    figures' version. No work that grows with the whole history of answers."""
    stored = _stored_on(targets, [as_of])
    result = {
        t.pk: (_figure_of(stored[(t.pk, as_of)]), _progress_of(stored[(t.pk, as_of)]))
        for t in targets
        if (t.pk, as_of) in stored
    }
    missing = [t for t in targets if t.pk not in result]
    if missing:
        goals = goals_timeline()
        # The published versions are part of the key: a publication changes the goal in force.
        result |= _cached(
            ("as-of", as_of, goals.cache_key, *sorted(t.pk for t in missing)),
            lambda: _compute_as_of(missing, as_of, goals),
        )
    return result


def progress_on(
    target: SectorTarget,
    figure: fig.Figure,
    base: fig.Figure | None,
    goals: GoalsInForce,
    *,
    reached_since: datetime.date | None = None,
) -> fig.Progress:
    """fig.progress against the goal in force on the figure's date, naming its version."""
    progress = fig.progress(
        target,
        figure,
        base,
        reached_since=reached_since,
        goal=goals.goal(target, figure.as_of),
    )
    version = goals.version_on(figure.as_of)
    progress.route_version_id = version.id if version else None
    return progress


def _compute_as_of(
    targets: list[SectorTarget], as_of: datetime.date, goals: GoalsInForce | None = None
) -> dict[int, tuple[fig.Figure, fig.Progress]]:
    goals = goals or goals_timeline()
    computed = compute_series(targets, [as_of], read_from=as_of)
    baselines = stored_baselines(targets, before=as_of)
    reached = stored_reached_since(targets, before=as_of)
    result = {}
    for target in targets:
        figure = computed[target.pk][0]
        base = baselines.get(target.pk) or fig.baseline(target, [figure])
        result[target.pk] = (
            figure,
            progress_on(target, figure, base, goals, reached_since=reached.get(target.pk)),
        )
    return result


def stored_baselines(
    targets: list[SectorTarget], *, before: datetime.date
) -> dict[int, fig.Figure]:
    """Per target, its first stored month-end snapshot with answers before ``before``.

    Month ends only: a stored "now" of an earlier day is not part of today's full series, so a
    baseline taken from it would differ from the one a full recompute finds.
    """
    firsts = (
        Snapshot.objects.filter(
            target__in=targets,
            is_month_end=True,
            answered_institutions__gt=0,
            value__isnull=False,
            as_of__lt=before,
        )
        .values("target_id")
        .annotate(first=Min("as_of"))
    )
    return {
        s.target_id: fig.Figure(
            s.as_of, s.value, s.coverage, s.active_institutions, s.answered_institutions, s.details
        )
        for s in _month_end_snapshots(targets, firsts)
    }


def stored_reached_since(
    targets: list[SectorTarget], *, before: datetime.date
) -> dict[int, datetime.date]:
    """Per target whose last stored month end before ``before`` had reached its goal: the date
    it was first reached (the start of that run). Lets a partial recompute carry it on."""
    lasts = (
        Snapshot.objects.filter(target__in=targets, is_month_end=True, as_of__lt=before)
        .values("target_id")
        .annotate(first=Max("as_of"))
    )
    return {
        s.target_id: s.reached_on
        for s in _month_end_snapshots(targets, lasts)
        if s.status == ProgressStatus.REACHED and s.reached_on
    }


def _month_end_snapshots(targets: list[SectorTarget], picked) -> list[Snapshot]:
    """The month-end snapshots named by rows of (target_id, first): one query."""
    wanted = {(row["target_id"], row["first"]) for row in picked}
    snapshots = Snapshot.objects.filter(
        target__in=targets, is_month_end=True, as_of__in={d for _t, d in wanted}
    )
    return [s for s in snapshots if (s.target_id, s.as_of) in wanted]
