"""Public pages of the route. No login: the route is open data."""

import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from roadmap.lib.text import holds_nul
from themes import queries
from themes.forms import MilestoneFilterForm
from themes.models import ROUTE_YEARS, Milestone, SectorTarget


@require_GET
def route_overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "themes/route_overview.html",
        {
            "themes": queries.overview_themes(),
            "layers": queries.layers(),
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
    return render(
        request,
        "themes/target_list.html",
        {"targets": queries.targets_for_list(), "measures": SectorTarget.Measure},
    )


@require_GET
def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    target = None if holds_nul(code) else queries.target_for_page(code)
    if target is None:
        raise Http404("Onbekend sectordoel")
    return render(request, "themes/target_detail.html", {"target": target})


@require_GET
def milestone_list(request: HttpRequest) -> HttpResponse:
    form = MilestoneFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    milestones = queries.milestones_filtered(
        theme=filters.get("theme"),
        year=filters.get("year"),
        status=filters.get("status") or None,
        partner=filters.get("partner"),
    )
    context = {"form": form, "milestones": milestones, "statuses": Milestone.Status}
    # One view serves the page and, for htmx, just the results fragment.
    template = "themes/milestone_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


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
