"""The API's URLs: the open-data route and figures, and the institutions' token API."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from indicators import api as indicator_api
from institutions import api as institution_api
from themes import api

router = DefaultRouter()
router.register("themes", api.ThemeViewSet, basename="theme")
router.register("lines", api.LineViewSet, basename="line")
router.register("milestones", api.MilestoneViewSet, basename="milestone")
router.register("versions", api.RouteVersionViewSet, basename="route-version")
# Targets come with their sector figures (the indicators room extends the route's view).
router.register("targets", indicator_api.TargetFiguresViewSet, basename="target")

urlpatterns = [
    path("v1/", include(router.urls)),
    path(
        "v1/institutions/<str:code>/answers/",
        institution_api.institution_answers,
        name="institution-answers",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's initialiser as a separate script (no inline script),
    # and the sidecar package serves Swagger UI itself from our static files (no CDN).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
