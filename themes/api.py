"""The open-data API of the route: read-only JSON, no login."""

from collections.abc import Mapping
from types import MappingProxyType

from django.db.models import Prefetch, Q
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response

from roadmap.lib.query_params import PAGING, QueryParam, QueryParamsSchema, parse_query
from roadmap.lib.text import holds_nul
from themes import queries
from themes.models import Line, Milestone, RouteVersion, SectorTarget, Theme
from themes.versions import changes_since_previous


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


# Every lookup by code can miss; documented so that clients (and the schema fuzzer) expect it.
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such code")


class ThemeSerializer(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()
    targets = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    partners = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Theme
        fields = [
            "code", "abbreviation", "name", "order", "purpose", "why_cooperation",
            "ambition_year", "target_heading", "work_in_progress", "lines", "targets", "partners",
        ]  # fmt: skip

    def get_lines(self, theme: Theme) -> list[str]:
        return [line.path for line in theme.lines.all()]


class LineSerializer(serializers.ModelSerializer):
    path = serializers.CharField(read_only=True, help_text="theme-code/line-code")
    theme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    targets = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Line
        fields = ["path", "code", "theme", "name", "order", "note", "targets"]


class MilestoneSerializer(serializers.ModelSerializer):
    theme = serializers.CharField(source="line.theme.code", read_only=True)
    line = serializers.CharField(source="line.path", read_only=True)
    lead_partner = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="The lead partner's code"
    )
    owners = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="The contributing partners"
    )
    layers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    targets = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="The targets it serves"
    )
    due_date = serializers.DateField(
        read_only=True, help_text="Due date: the end of its year unless staff set another"
    )
    status = serializers.CharField(
        read_only=True,
        help_text="Current status: planned, started, delivered, delayed or dropped",
    )
    overdue = serializers.SerializerMethodField(
        help_text="Past its due date today and neither delivered nor dropped"
    )

    class Meta:
        model = Milestone
        fields = [
            "code", "theme", "line", "year", "title", "headline", "when", "due_date",
            "lead_partner", "owners", "layers", "targets", "status", "overdue",
        ]  # fmt: skip

    def get_overdue(self, milestone: Milestone) -> bool:
        return milestone.is_overdue_on(self.context.get("today") or timezone.localdate())


class TargetSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="The target's own Dutch text")
    themes = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    lines = serializers.SerializerMethodField()
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    goal_value = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False)
    threshold = serializers.DecimalField(
        max_digits=7, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    score_min = serializers.DecimalField(
        max_digits=7, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    score_max = serializers.DecimalField(
        max_digits=7, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    layers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    milestones = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Milestones that serve it"
    )

    class Meta:
        model = SectorTarget
        fields = [
            "code", "title", "themes", "lines", "layers", "programme", "measure", "measured",
            "goal_value", "unit", "threshold", "score_min", "score_max", "deadline", "reached_on",
            "milestones",
        ]  # fmt: skip

    def get_lines(self, target: SectorTarget) -> list[str]:
        return [line.path for line in target.lines.all()]


# Query parameters that are not compared with stored text (paging and dates parse themselves).
NOT_FILTERS = frozenset({"limit", "offset", "as_of", "format"})


class RoutePagination(LimitOffsetPagination):
    # Without a maximum, ?limit=10**30 reaches the database, which refuses a LIMIT beyond 64
    # bits (a 500); the whole route is a few hundred rows.
    max_limit = 1000


THEME = QueryParam("theme", description="Theme code")


class RouteViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only by code. Any code reaches the view, so a miss is the API's JSON 404 rather than
    the site's HTML page; a NUL byte is a miss too, not a 500 (PostgreSQL refuses NUL in text
    parameters, and no code or filter value holds one).

    The query parameters an action reads are declared in ``list_params`` (besides paging) and
    ``retrieve_params``; they are checked before the action runs (a 400 naming each wrong one)
    and are what the schema shows (roadmap/lib/query_params.py). ``self.query`` holds their
    typed values."""

    lookup_value_regex = "[^/]+"
    pagination_class = RoutePagination
    schema = QueryParamsSchema()
    query: Mapping = MappingProxyType({})  # until initial() has checked the request's
    list_params: tuple[QueryParam, ...] = ()
    retrieve_params: tuple[QueryParam, ...] = ()

    def query_params_for(self, action: str | None) -> tuple[QueryParam, ...]:
        if action == "list":
            return (*PAGING, *self.list_params)
        if action == "retrieve":
            return self.retrieve_params
        return ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.query = parse_query(request.query_params, self.query_params_for(self.action))

    def get_object(self):
        if holds_nul(*(str(value) for value in self.kwargs.values())):
            raise NotFound
        return super().get_object()

    def filter_queryset(self, queryset):
        params = self.request.query_params
        filters = [value for name, values in params.lists() if name not in NOT_FILTERS
                   for value in values]  # fmt: skip
        if holds_nul(*filters):
            return queryset.none()
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(summary="The six themes of the route"),
    retrieve=extend_schema(responses={200: ThemeSerializer, 404: NOT_FOUND}),
)
class ThemeViewSet(RouteViewSet):
    serializer_class = ThemeSerializer
    lookup_field = "code"
    queryset = Theme.objects.prefetch_related(
        Prefetch("lines", queryset=Line.objects.select_related("theme").order_by("order")),
        "targets",
        "partners",
    )


@extend_schema_view(
    list=extend_schema(summary="The lines (table rows) of all themes"),
    retrieve=extend_schema(responses={200: LineSerializer, 404: NOT_FOUND}),
)
class LineViewSet(RouteViewSet):
    serializer_class = LineSerializer
    queryset = Line.objects.select_related("theme").prefetch_related("targets")
    list_params = (QueryParam("theme", description="Only this theme's lines"),)

    def get_queryset(self):
        lines = super().get_queryset()
        if theme := self.query.get("theme"):
            lines = lines.filter(theme__code=theme)
        return lines


class MilestoneCountsSerializer(serializers.Serializer):
    """A row of themes.queries.milestone_counts_by_theme."""

    theme = serializers.CharField(help_text="Theme code")
    name = serializers.CharField()
    total = serializers.IntegerField()
    planned = serializers.IntegerField()
    started = serializers.IntegerField()
    delivered = serializers.IntegerField()
    delayed = serializers.IntegerField()
    dropped = serializers.IntegerField()
    overdue = serializers.IntegerField(help_text="Past the due date, not delivered or dropped")


@extend_schema_view(
    list=extend_schema(summary="Milestones, filterable"),
    retrieve=extend_schema(responses={200: MilestoneSerializer, 404: NOT_FOUND}),
)
class MilestoneViewSet(RouteViewSet):
    serializer_class = MilestoneSerializer
    lookup_field = "code"
    queryset = Milestone.objects.select_related("line__theme", "lead_partner").prefetch_related(
        "owners", "layers", "targets"
    )
    list_params = (
        THEME,
        QueryParam(
            "year", "int", "The milestone's year (the route has 2026, 2027 and 2028)",
            minimum=2020, maximum=2100,
        ),
        QueryParam("status", "choice", choices=tuple(Milestone.Status.values)),
        QueryParam("partner", description="Partner code (lead partner or contributor)"),
        QueryParam("layer", description="Layer code (school, docent, student)"),
    )  # fmt: skip

    def get_queryset(self):
        milestones = super().get_queryset()
        query = self.query
        if theme := query.get("theme"):
            milestones = milestones.filter(line__theme__code=theme)
        if (year := query.get("year")) is not None:
            milestones = milestones.filter(year=year)
        if status := query.get("status"):
            milestones = milestones.filter(status=status)
        if partner := query.get("partner"):
            milestones = milestones.filter(
                pk__in=Milestone.objects.filter(
                    Q(lead_partner__code=partner) | Q(owners__code=partner)
                ).values("pk")
            )
        if layer := query.get("layer"):
            milestones = milestones.filter(layers__code=layer)
        return milestones

    @extend_schema(
        summary="Milestones per theme: how many per status, and how many are overdue today",
        responses={200: MilestoneCountsSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def counts(self, request):
        rows = queries.milestone_counts_by_theme(today=timezone.localdate())
        return Response(MilestoneCountsSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="The sector targets"),
    retrieve=extend_schema(
        summary="One sector target by its code", responses={200: TargetSerializer, 404: NOT_FOUND}
    ),
)
class TargetViewSet(RouteViewSet):
    serializer_class = TargetSerializer
    lookup_field = "code"
    queryset = SectorTarget.objects.select_related("programme").prefetch_related(
        "themes",
        "layers",
        "milestones",
        Prefetch("lines", queryset=Line.objects.select_related("theme")),
    )
    list_params = (
        THEME,
        QueryParam("measure", "choice", choices=tuple(SectorTarget.Measure.values)),
        QueryParam("layer", description="Layer code (school, docent, student)"),
    )

    def get_queryset(self):
        targets = super().get_queryset()
        query = self.query
        if theme := query.get("theme"):
            targets = targets.filter(themes__code=theme)
        if measure := query.get("measure"):
            targets = targets.filter(measure=measure)
        if layer := query.get("layer"):
            targets = targets.filter(layers__code=layer)
        return targets


class RouteVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = RouteVersion
        fields = ["number", "note", "published_at"]


class RouteVersionChangeSerializer(serializers.Serializer):
    """themes.versions.Change: one difference between two versions."""

    kind = serializers.ChoiceField(choices=["targets", "milestones"])
    code = serializers.CharField(help_text="The target's or milestone's code")
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    field = serializers.CharField(
        allow_null=True,
        help_text="For a change: the field (title, goal_value, unit, deadline, measure, "
        "threshold; for a milestone title, year, due_date, line)",
    )
    old = serializers.CharField(allow_null=True, help_text="The field's value before, as text")
    new = serializers.CharField(allow_null=True, help_text="The field's value after, as text")


class RouteVersionDetailSerializer(RouteVersionSerializer):
    previous = serializers.SerializerMethodField(
        help_text="The number of the version before it; null for the first"
    )
    changes = serializers.SerializerMethodField(
        help_text="What changed since the previous version (empty for the first)"
    )

    class Meta(RouteVersionSerializer.Meta):
        fields = [*RouteVersionSerializer.Meta.fields, "previous", "changes"]

    def _since_previous(self, version: RouteVersion):
        if "since_previous" not in self.context:
            self.context["since_previous"] = changes_since_previous(version)
        return self.context["since_previous"]

    def get_previous(self, version: RouteVersion) -> int | None:
        return self._since_previous(version)[0]

    @extend_schema_field(RouteVersionChangeSerializer(many=True))
    def get_changes(self, version: RouteVersion) -> list[dict]:
        changes = self._since_previous(version)[1]
        return RouteVersionChangeSerializer(changes, many=True).data


@extend_schema_view(
    list=extend_schema(summary="The published versions of the route, newest first (unpaged)"),
    retrieve=extend_schema(
        summary="One version by its number, with what changed since the version before it",
        responses={200: RouteVersionDetailSerializer, 404: NOT_FOUND},
    ),
)
class RouteVersionViewSet(RouteViewSet):
    """The route's published versions: figures and reports name the one they were judged
    against. The content itself is left out; the detail lists the changes."""

    lookup_field = "number"
    queryset = queries.route_versions()
    # One version per decision to publish: a handful a year, so the list is one page.
    pagination_class = None

    def query_params_for(self, action: str | None) -> tuple[QueryParam, ...]:
        return self.retrieve_params if action == "retrieve" else ()

    def get_queryset(self):
        if self.action == "retrieve":
            return RouteVersion.objects.all()  # with its content, to compare
        return super().get_queryset()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RouteVersionDetailSerializer
        return RouteVersionSerializer
