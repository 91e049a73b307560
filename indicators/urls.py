from django.urls import path
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("dashboard/", views.overview, name="overview"),
    path("dashboard/doelen/<str:code>/", views.target_figures, name="target"),
    path("dashboard/doelen/<str:code>/bijstellen/", views.status_override, name="status-override"),
    path("methode/", views.method, name="method"),
    path("dashboard/vergelijking/<str:code>/", views.institution_comparison, name="comparison"),
    # The comparison's first address, under the institutions' paths: kept for bookmarks.
    path(
        "instellingen/<str:code>/vergelijking/",
        require_safe(
            RedirectView.as_view(
                pattern_name="indicators:comparison", permanent=True, query_string=True
            )
        ),
        name="comparison-old",
    ),
]
