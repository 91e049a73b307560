"""Recomputing the sector figures into snapshots. Plain functions; the Celery tasks wrap them.
The figures are read and computed by indicators.series; this module only stores them.

Idempotent: recomputing twice gives the same snapshots. A changed answer only changes its own
target's series from its applies_on onward, so the incremental recompute touches only those
targets and months.

Each figure is judged against the goal and deadline in force on its date: those of the route
version published last on or before it (themes.versions.GoalsInForce). The snapshot names that
version, so a goal changed and published later leaves the figures before it as they were.
"""

import datetime
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from indicators import figures as fig
from indicators import series
from indicators.models import RecomputeRun, Snapshot
from institutions.models import Answer
from themes.models import SectorTarget
from themes.versions import goals_timeline

logger = logging.getLogger(__name__)


def recompute(
    *,
    target_ids: Iterable[int] | None = None,
    from_date: datetime.date | None = None,
    kind: str = RecomputeRun.Kind.FULL,
    today: datetime.date | None = None,
    answers_up_to: int | None = None,
) -> RecomputeRun:
    """Recompute the snapshots of ``target_ids`` (all when None) from ``from_date`` on."""
    today = today or timezone.localdate()
    started = timezone.now()
    if answers_up_to is None:
        answers_up_to = Answer.objects.aggregate(m=Max("id"))["m"] or 0
    run = RecomputeRun.objects.create(kind=kind, started_at=started, answers_up_to=answers_up_to)
    try:
        targets = list(
            SectorTarget.objects.all()
            if target_ids is None
            else SectorTarget.objects.filter(pk__in=list(target_ids))
        )
        all_dates = series.series_dates(series.series_start(), today)
        dates = [
            d
            for d in all_dates
            if from_date is None or d >= series.month_end(from_date) or d == today
        ]
        # Incremental: only the answers that still count on the first recomputed date.
        computed = series.compute_series(targets, dates, read_from=dates[0] if from_date else None)
        goals = goals_timeline()
        baselines = series.stored_baselines(targets, before=dates[0]) if from_date else {}
        reached = series.stored_reached_since(targets, before=dates[0]) if from_date else {}
        computed_at = timezone.now()
        snapshots = []
        for target in targets:
            base = baselines.get(target.pk) or fig.baseline(target, computed[target.pk])
            reached_since = reached.get(target.pk)
            for figure in computed[target.pk]:
                progress = series.progress_on(
                    target, figure, base, goals, reached_since=reached_since
                )
                reached_since = progress.reached_on
                snapshots.append(
                    Snapshot(
                        target=target,
                        as_of=figure.as_of,
                        is_month_end=figure.as_of == series.month_end(figure.as_of),
                        value=figure.value,
                        coverage=figure.coverage,
                        active_institutions=figure.active,
                        answered_institutions=figure.answered,
                        details=figure.details,
                        expected_value=progress.expected_value,
                        status=progress.status,
                        projected_on=progress.projected_on,
                        reached_on=progress.reached_on,
                        route_version_id=progress.route_version_id,
                        computed_at=computed_at,
                    )
                )
        with transaction.atomic():
            stale = Snapshot.objects.filter(target__in=targets)
            if from_date:
                # Replace the recomputed dates, and yesterday's "now" that today's replaces.
                stale = stale.filter(as_of__in=dates) | stale.filter(is_month_end=False)
            stale.delete()
            Snapshot.objects.bulk_create(snapshots, batch_size=2000)
        run.targets, run.snapshots = len(targets), len(snapshots)
    except Exception as exc:
        run.error = f"{type(exc).__name__}: {exc}"
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        logger.exception("Recompute failed (run %s)", run.pk)
        raise
    run.finished_at = timezone.now()
    run.save(update_fields=["targets", "snapshots", "finished_at"])
    return run


def recompute_pending(*, today: datetime.date | None = None) -> RecomputeRun | None:
    """Recompute what answers added since the last successful run changed, if anything.

    Answers are append-only, so "since the last run" is "with a higher id". Many saves in a
    short time coalesce: the first run picks them all up and later ones find nothing to do.
    (A save that commits after a later id was already processed is caught by the nightly full
    recompute.)
    """
    last = (
        RecomputeRun.objects.filter(error="", finished_at__isnull=False)
        .order_by("-answers_up_to")
        .first()
    )
    mark = last.answers_up_to if last else 0
    changed = Answer.objects.filter(id__gt=mark).aggregate(
        earliest=Min("applies_on"), newest=Max("id")
    )
    if changed["newest"] is None:
        return None
    target_ids = list(
        Answer.objects.filter(id__gt=mark, id__lte=changed["newest"])
        .values_list("target_id", flat=True)
        .distinct()
    )
    first_stored = Snapshot.objects.filter(is_month_end=True).aggregate(first=Min("as_of"))
    if first_stored["first"] and series.month_end(changed["earliest"]) < first_stored["first"]:
        # An answer before every stored month: the series of every target starts earlier now.
        target_ids = None
    return recompute(
        target_ids=target_ids,
        from_date=changed["earliest"],
        kind=RecomputeRun.Kind.INCREMENTAL,
        today=today,
        answers_up_to=changed["newest"],
    )
