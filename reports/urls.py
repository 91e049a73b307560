from django.urls import path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from reports import views

app_name = "reports"


def _moved_to(pattern_name: str):
    """A permanent redirect to the page's address under /rapportages/ (bookmarks, links in
    old e-mails and minutes)."""
    return require_safe(
        RedirectView.as_view(pattern_name=pattern_name, permanent=True, query_string=True)
    )


urlpatterns = [
    path("rapportages/", views.report_list, name="list"),
    path("rapportages/<int:report_id>/", views.report_detail, name="detail"),
    path("rapportages/<int:report_id>/opnieuw/", views.report_retry, name="retry"),
    path("rapportages/<int:report_id>/download/", views.report_download, name="download"),
    path("rapportages/vergaderstukken/", views.assembly_list, name="assembly-list"),
    path("rapportages/vergaderstukken/<int:round_id>/", views.assembly_pack, name="assembly-pack"),
    path(
        "rapportages/vergaderstukken/<int:round_id>.<str:extension>",
        views.assembly_download,
        name="assembly-download",
    ),
    # The assembly packs' first addresses, under the rounds' paths: kept for bookmarks.
    path("beheer/vergaderstukken/", _moved_to("reports:assembly-list"), name="assembly-list-old"),
    path(
        "beheer/rondes/<int:round_id>/vergaderstuk/",
        _moved_to("reports:assembly-pack"),
        name="assembly-pack-old",
    ),
    path(
        "beheer/rondes/<int:round_id>/vergaderstuk.<str:extension>",
        _moved_to("reports:assembly-download"),
        name="assembly-download-old",
    ),
]
