"""Which version of the route a figure was judged against, said the same way on every page."""

from django import template

from indicators.models import Snapshot
from themes.models import RouteVersion

register = template.Library()


@register.inclusion_tag("indicators/_route_version.html")
def route_version_line(version):
    """``{% route_version_line snapshot.route_version %}``: "Berekend met routeversie N
    (gepubliceerd op …)", linking to the version list. ``version`` is a RouteVersion, its id
    (fig.Progress.route_version_id: one query) or None (nothing is shown)."""
    if isinstance(version, int):
        version = RouteVersion.objects.defer("content").filter(pk=version).first()
    return {"version": version}


@register.simple_tag
def latest_figures_route_version() -> RouteVersion | None:
    """The version the most recent snapshot (the dashboard's "now") was judged against. One
    query, by the index snapshot_date_target."""
    snapshot = (
        Snapshot.objects.select_related("route_version")
        .only("as_of", "computed_at", "route_version__number", "route_version__published_at")
        .order_by("-as_of", "-computed_at")
        .first()
    )
    return snapshot.route_version if snapshot else None
