"""Dashboards of the sector figures against the goals. Sector-level figures are public;
anything per institution is for that institution and for sector staff and the council."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from indicators import charts, overrides, privacy, queries
from indicators.forms import AsOfForm, DashboardFilterForm, StatusOverrideForm
from indicators.method import method_context, method_language, method_template
from indicators.models import ProgressStatus
from indicators.needed import still_needed_in_series
from indicators.overview import DashboardResults
from indicators.series import figures_as_of
from institutions import access
from institutions import queries as institution_queries
from institutions.models import AnswerStatus
from institutions.validation import EARLIEST_APPLIES_ON
from roadmap.lib.text import holds_nul
from rounds.queries import rates_of_recent_rounds
from themes.layers import COUNTING_RULE
from themes.models import Milestone, SectorTarget
from themes.queries import milestone_counts_by_theme
from themes.versions import goals_timeline

DASHBOARD_CACHE_SECONDS = 60


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sees_every_figure = privacy.sees_every_figure(request.user)
    context = {
        "form": form,
        "results": DashboardResults(filters, sees_every_figure=sees_every_figure),
        "sees_every_figure": sees_every_figure,
        "min_group_size": settings.MIN_GROUP_SIZE,
        "last_run": queries.last_recompute(),
        "indicative_below": settings.INDICATIVE_COVERAGE_BELOW,
        # The results table is the page's main cost (some 30 ms of CPU) and the same for
        # everyone until a snapshot changes; route edits (titles, goals) show within a minute.
        "figures_version": queries.figures_version(),
        "results_cache_seconds": DASHBOARD_CACHE_SECONDS,
        "milestone_counts": milestone_counts_by_theme(today=timezone.localdate()),
        "milestone_statuses": dict(Milestone.Status.choices),
        "layer_counting_rule": COUNTING_RULE,
    }
    if access.sees_all_institutions(request.user):
        context["not_reported"] = institution_queries.not_recently_reported(
            access.visible_institutions(request.user)
        )
        context["stale_before"] = institution_queries.stale_before()
        context["round_rates"] = rates_of_recent_rounds()
    template = "indicators/dashboard_overview.html"
    if request.htmx:
        template += "#dashboard-results"
    return render(request, template, context)


def _target_or_404(code: str) -> SectorTarget:
    targets = SectorTarget.objects.prefetch_related("themes")
    target = None if holds_nul(code) else targets.filter(code=code).first()
    if target is None:
        raise Http404("Onbekend sectordoel")
    return target


@require_GET
def target_figures(request: HttpRequest, code: str) -> HttpResponse:
    return _target_page(request, _target_or_404(code))


@require_POST
@login_required
def status_override(request: HttpRequest, code: str) -> HttpResponse:
    """Staff set (or, with ``withdraw``, withdraw) the judged progress of a target."""
    if not access.is_sector_staff(request.user):
        raise PermissionDenied(_("Alleen de sectorstaf stelt de voortgang bij."))
    target = _target_or_404(code)
    if "withdraw" in request.POST:
        current = overrides.active_overrides([target]).get(target.pk)
        if current is not None:
            overrides.withdraw_override(current, by=request.user)
            messages.success(request, _("De bijstelling is ingetrokken."))
        return redirect("indicators:target", code=target.code)
    form = StatusOverrideForm(request.POST)
    if form.is_valid():
        try:
            overrides.set_override(target, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field, field_errors)
        else:
            messages.success(request, _("De voortgang is bijgesteld."))
            return redirect("indicators:target", code=target.code)
    return _target_page(request, target, override_form=form, status=400)


def _target_page(request, route_target, *, override_form=None, status=200) -> HttpResponse:
    series = queries.target_series(route_target)
    goals = goals_timeline()
    # The latest figure was judged against the goal in force on its date; the page shows that
    # goal beside it (and in the chart and the explanation), and the live route's own goal
    # only where staff changed it since without publishing.
    target = goals.target_on(route_target, series[-1].as_of) if series else route_target
    sees_every_figure = privacy.sees_every_figure(request.user)
    # Counted before the withholding below, which takes the counts out of the snapshots.
    still_needed = still_needed_in_series(
        route_target, series, public=not sees_every_figure, goals=goals
    )
    if not sees_every_figure:
        privacy.withhold_snapshots(series, [route_target])
    as_of_form = AsOfForm(request.GET or None)
    exact = None
    as_of = as_of_form.cleaned_data.get("peildatum") if as_of_form.is_valid() else None
    # Figures exist from the first possible answer up to today; say so rather than compute
    # empty figures for year 1 or 9999.
    if as_of and as_of < EARLIEST_APPLIES_ON:
        as_of_form.add_error("peildatum", _("De peildatum ligt voor de start van de route."))
        as_of = None
    elif as_of and as_of > timezone.localdate():
        as_of_form.add_error("peildatum", _("De peildatum mag niet in de toekomst liggen."))
        as_of = None
    if as_of:
        figure, progress = figures_as_of([route_target], as_of)[route_target.pk]
        if not sees_every_figure:
            figure, progress = privacy.withhold_figure(route_target, figure, progress)
        exact = {
            "as_of": as_of,
            "figure": figure,
            "progress": progress,
            "withheld": progress.status == ProgressStatus.WITHHELD,
            "coarse": not sees_every_figure
            and privacy.public_step(route_target, figure.answered, figure.active)
            > privacy.ONE_DECIMAL,
            "status_label": ProgressStatus(progress.status).label,
        }
    baseline = next((s for s in series if s.answered_institutions and s.value is not None), None)
    current = series[-1] if series else None
    # A milestone target is reached on a day: a line at 0 or 100 would only look like a share.
    is_milestone = target.measure == SectorTarget.Measure.MILESTONE
    chart_dicts = []
    if series and not is_milestone:
        chart_dicts.append(charts.series_chart(target, series, baseline))
    if series and target.measure == SectorTarget.Measure.SHARE_ADOPTED:
        chart_dicts.append(charts.status_distribution_chart(series))
    if series and not is_milestone:
        chart_dicts.append(charts.coverage_chart(series, settings.INDICATIVE_COVERAGE_BELOW))
    override = overrides.active_overrides([route_target]).get(route_target.pk)
    return render(
        request,
        "indicators/target_figures.html",
        {
            "override": override,
            "explanation": overrides.explain(target, current, baseline) if current else [],
            "override_form": override_form or StatusOverrideForm()
            if access.is_sector_staff(request.user)
            else None,
            "target": target,
            "route_goal_changed": target is not route_target,
            "route_target": route_target,
            "series": series,
            "current": current,
            "baseline": baseline,
            "exact": exact,
            "still_needed": still_needed,
            "as_of_form": as_of_form,
            "charts": [json.dumps(chart) for chart in chart_dicts],
            "indicative_below": settings.INDICATIVE_COVERAGE_BELOW,
            "sees_every_figure": sees_every_figure,
            "min_group_size": settings.MIN_GROUP_SIZE,
            "small_group_size": settings.SMALL_GROUP_SIZE,
        },
        status=status,
    )


@require_GET
def method(request: HttpRequest) -> HttpResponse:
    language = method_language(get_language())
    return render(
        request,
        "indicators/method.html",
        method_context() | {"method_text": method_template(language), "method_language": language},
    )


def _labelled_statuses(snapshot, labels: dict) -> list[tuple[str, int]]:
    """The status distribution of a share_adopted snapshot with Dutch labels."""
    if snapshot is None:
        return []
    return [
        (labels.get(code, code), count)
        for code, count in snapshot.details.get("statuses", {}).items()
    ]


@require_GET
@login_required
@never_cache
def institution_comparison(request: HttpRequest, code: str) -> HttpResponse:
    """Where one institution stands against the sector, per target. Other institutions stay
    anonymous, except for sector staff and the council."""
    institution = access.get_institution_for_user(request, code)
    targets = list(institution_queries.answerable_targets().order_by("order"))
    own = institution_queries.latest_answers(institution, targets)
    snapshots = queries.latest_snapshots(targets)
    if not privacy.sees_every_figure(request.user):
        privacy.withhold_snapshots(snapshots.values(), targets)
    rows = [(t, own.get(t.pk), snapshots.get(t.pk)) for t in targets]
    status_labels = dict(AnswerStatus.choices)
    named = {}
    if access.sees_all_institutions(request.user):
        # Staff and the council may see who stands where; CIOs see only the distribution.
        current = queries.current_answers([t.pk for t in targets], timezone.localdate())
        for answer in current.select_related("institution"):
            named.setdefault(answer.target_id, []).append(answer)
    return render(
        request,
        "indicators/institution_comparison.html",
        {
            "institution": institution,
            "rows": [
                (t, a, s, named.get(t.pk, []), _labelled_statuses(s, status_labels))
                for t, a, s in rows
            ],
        },
    )
