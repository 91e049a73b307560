from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    """The project package as an app only for its management commands and template tags."""

    name = "roadmap"
