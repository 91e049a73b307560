from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from institutions import api as institution_api
from themes import api

router = DefaultRouter()
router.register("themes", api.ThemeViewSet, basename="theme")
router.register("lines", api.LineViewSet, basename="line")
router.register("milestones", api.MilestoneViewSet, basename="milestone")
router.register("targets", api.TargetViewSet, basename="target")

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
