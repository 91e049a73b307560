"""Public pages of the route. No login: the route is open data."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from roadmap.lib.jobs import enqueue_after_commit
from roadmap.lib.text import holds_nul
from themes import actions, queries, versions
from themes.forms import (
    LayerFilterForm,
    MilestoneFilterForm,
    MilestoneStatusForm,
    OverdueForm,
    PublishVersionForm,
)
from themes.models import ROUTE_YEARS, Milestone, SectorTarget

# Sector staff have every permission of the themes app (accounts.roles): these two say
# who records a milestone's delivery and who publishes a route version.
RECORD_STATUS_PERMISSION = "themes.add_milestonestatuschange"
PUBLISH_VERSION_PERMISSION = "themes.add_routeversion"
# Figures are judged against the goals in force, so a published version means a full
# recompute (indicators.tasks.recompute_all; by name, as themes does not import indicators).
RECOMPUTE_ALL_TASK = "indicators.recompute_all"


def _layer_filter(request: HttpRequest) -> tuple[LayerFilterForm, object]:
    form = LayerFilterForm(request.GET or None)
    layer = form.cleaned_data.get("laag") if form.is_valid() else None
    return form, layer


@require_GET
def route_overview(request: HttpRequest) -> HttpResponse:
    form, layer = _layer_filter(request)
    target_layers = queries.target_layer_summary()
    milestone_layers = queries.milestone_layer_summary()
    return render(
        request,
        "themes/route_overview.html",
        {
            "themes": queries.overview_themes(layer),
            "layers": queries.layers(),
            "layer": layer,
            "layer_form": form,
            "target_layers": target_layers,
            "milestone_layers": milestone_layers,
            # Both summaries list the layers in the same order (by number).
            "layer_rows": list(zip(target_layers.rows, milestone_layers.rows, strict=True)),
            "programmes": queries.programmes(),
        },
    )


@require_GET
def theme_detail(request: HttpRequest, code: str) -> HttpResponse:
    theme = queries.theme_for_page(code)
    if theme is None:
        raise Http404("Onbekend thema")
    return render(
        request,
        "themes/theme_detail.html",
        {"theme": theme, "rows": queries.theme_table(theme), "years": ROUTE_YEARS},
    )


@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    form, layer = _layer_filter(request)
    return render(
        request,
        "themes/target_list.html",
        {
            "targets": queries.targets_for_list(layer=layer),
            "measures": SectorTarget.Measure,
            "layer": layer,
            "layer_form": form,
        },
    )


@require_GET
def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    target = None if holds_nul(code) else queries.target_for_page(code)
    if target is None:
        raise Http404("Onbekend sectordoel")
    return render(
        request,
        "themes/target_detail.html",
        {"target": target, "today": timezone.localdate()},
    )


@require_GET
def milestone_list(request: HttpRequest) -> HttpResponse:
    form = MilestoneFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    milestones = queries.milestones_filtered(
        theme=filters.get("theme"),
        year=filters.get("year"),
        status=filters.get("status") or None,
        partner=filters.get("partner"),
        layer=filters.get("laag"),
    )
    context = {"form": form, "milestones": milestones, "statuses": Milestone.Status}
    # One view serves the page and, for htmx, just the results fragment.
    template = "themes/milestone_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _milestone_or_404(code: str) -> Milestone:
    milestone = None if holds_nul(code) else queries.milestone_for_page(code)
    if milestone is None:
        raise Http404("Onbekende mijlpaal")
    return milestone


def _milestone_page(request, milestone, form=None, status=200) -> HttpResponse:
    may_record = request.user.has_perm(RECORD_STATUS_PERMISSION)
    today = timezone.localdate()
    if may_record and form is None:
        form = MilestoneStatusForm(initial={"changed_on": today, "status": milestone.status})
    return render(
        request,
        "themes/milestone_detail.html",
        {
            "milestone": milestone,
            "form": form if may_record else None,
            "overdue": milestone.is_overdue_on(today),
            "today": today,
        },
        status=status,
    )


@require_GET
def milestone_detail(request: HttpRequest, code: str) -> HttpResponse:
    return _milestone_page(request, _milestone_or_404(code))


@require_POST
@login_required
def milestone_status(request: HttpRequest, code: str) -> HttpResponse:
    """Staff record a step of the milestone's delivery; the page shows what was wrong."""
    milestone = _milestone_or_404(code)
    if not request.user.has_perm(RECORD_STATUS_PERMISSION):
        raise PermissionDenied
    form = MilestoneStatusForm(request.POST)
    if form.is_valid():
        try:
            actions.do_record_milestone_status(
                milestone=milestone,
                status=form.cleaned_data["status"],
                changed_on=form.cleaned_data["changed_on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
                today=timezone.localdate(),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field, problem)
        else:
            messages.success(
                request,
                _("De status is vastgelegd: %(status)s.")
                % {"status": milestone.get_status_display()},
            )
            return redirect(milestone.get_absolute_url() + "#geschiedenis")
    return _milestone_page(request, milestone, form=form, status=422)


@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    """ "Wat loopt achter": per theme and per lead partner, on a day (today by default)."""
    form = OverdueForm(request.GET or None)
    day = None
    if form.is_valid():
        day = form.cleaned_data["peildatum"]
    day = day or timezone.localdate()
    milestones = list(queries.overdue_milestones(today=day))
    by_partner = sorted(
        milestones,
        key=lambda m: (m.lead_partner is None, m.lead_partner.name if m.lead_partner else ""),
    )
    return render(
        request,
        "themes/overdue.html",
        {
            "form": form,
            "day": day,
            "milestones": milestones,
            "by_partner": by_partner,
            "statuses": dict(Milestone.Status.choices),
            "counts": queries.milestone_counts_by_theme(today=day),
        },
        status=200 if form.is_valid() or not request.GET else 400,
    )


@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    return _version_list_page(request)


def _version_list_page(request, form=None, status=200) -> HttpResponse:
    may_publish = request.user.has_perm(PUBLISH_VERSION_PERMISSION)
    route_versions = list(queries.route_versions())
    current = route_versions[0] if route_versions else None
    pending = []
    if may_publish and current is not None:
        # What publishing now would record, against the current version.
        pending = versions.diff(
            queries.route_version(current.number).content, versions.serialise_route()
        )
    return render(
        request,
        "themes/version_list.html",
        {
            "versions": route_versions,
            "current": current,
            "form": (form or PublishVersionForm()) if may_publish else None,
            "pending": pending,
        },
        status=status,
    )


@require_POST
@login_required
def version_publish(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PUBLISH_VERSION_PERMISSION):
        raise PermissionDenied
    form = PublishVersionForm(request.POST)
    if form.is_valid():
        try:
            version = actions.do_publish_route_version(
                note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field, problem)
        else:
            # After the commit, and a broker outage never fails the publish (roadmap.lib.jobs).
            enqueue_after_commit(RECOMPUTE_ALL_TASK)
            messages.success(
                request, _("Versie %(number)s is gepubliceerd.") % {"number": version.number}
            )
            return redirect(version.get_absolute_url())
    return _version_list_page(request, form=form, status=422)


@require_GET
def version_diff(request: HttpRequest, old: int, new: int) -> HttpResponse:
    """What changed from version ``old`` to version ``new``."""
    before, after = queries.route_version(old), queries.route_version(new)
    if before is None or after is None:
        raise Http404("Onbekende versie")
    return render(
        request,
        "themes/version_diff.html",
        {
            "old": before,
            "new": after,
            "changes": versions.diff(before.content, after.content),
        },
    )


@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    return render(request, "themes/partner_list.html", {"partners": queries.partners_with_roles()})


@require_GET
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = queries.programme_for_page(code)
    if programme is None:
        raise Http404("Onbekend programma")
    budget_years, budget_rows = queries.budget_table(programme)
    return render(
        request,
        "themes/programme_detail.html",
        {"programme": programme, "budget_years": budget_years, "budget_rows": budget_rows},
    )


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "themes/about.html")


# The accessibility statement (toegankelijkheidsverklaring): when the portal was last evaluated,
# and where people report a problem. Update the date after each evaluation (see the statement).
ACCESSIBILITY_EVALUATED_ON = datetime.date(2026, 11, 25)
ACCESSIBILITY_CONTACT_DEFAULT = "toegankelijkheid@mbodigitaal.nl"


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "themes/accessibility_statement.html",
        {
            "portal_url": request.build_absolute_uri("/"),
            "evaluated_on": ACCESSIBILITY_EVALUATED_ON,
            "contact_email": getattr(
                settings, "ACCESSIBILITY_CONTACT_EMAIL", ACCESSIBILITY_CONTACT_DEFAULT
            ),
        },
    )
