"""The open-data API's targets, with their sector figures. Sector level only: nothing here is
per institution."""

import datetime

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from indicators import actions, queries
from institutions.validation import EARLIEST_APPLIES_ON
from themes.api import NOT_FOUND, TargetSerializer, TargetViewSet

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="Figures as of this date, from 2020-01-01 up to today (default: the latest)",
)


class TargetFiguresSerializer(TargetSerializer):
    value = serializers.SerializerMethodField(help_text="Sector value, full precision")
    coverage = serializers.SerializerMethodField(help_text="% of active institutions that answered")
    status = serializers.SerializerMethodField(help_text="Progress status (onbekend when unknown)")
    expected_value = serializers.SerializerMethodField()
    as_of = serializers.SerializerMethodField()
    computed_at = serializers.SerializerMethodField()

    class Meta(TargetSerializer.Meta):
        fields = [
            *TargetSerializer.Meta.fields,
            "value", "coverage", "status", "expected_value", "as_of", "computed_at",
        ]  # fmt: skip

    def _figure(self, target) -> dict:
        return self.context["figures"].get(target.pk, {})

    def get_value(self, target) -> float | None:
        return self._figure(target).get("value")

    def get_coverage(self, target) -> float | None:
        return self._figure(target).get("coverage")

    def get_status(self, target) -> str | None:
        return self._figure(target).get("status")

    def get_expected_value(self, target) -> float | None:
        return self._figure(target).get("expected_value")

    def get_as_of(self, target) -> datetime.date | None:
        return self._figure(target).get("as_of")

    def get_computed_at(self, target) -> datetime.datetime | None:
        return self._figure(target).get("computed_at")


class SnapshotSerializer(serializers.Serializer):
    date = serializers.DateField(source="as_of")
    value = serializers.FloatField(allow_null=True)
    coverage = serializers.FloatField()
    status = serializers.CharField()
    expected_value = serializers.FloatField(allow_null=True)


def _as_of(request) -> datetime.date | None:
    raw = request.query_params.get("as_of")
    if not raw:
        return None
    try:
        as_of = datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({"as_of": "Use an ISO date, YYYY-MM-DD."}) from None
    # No answer can be older than EARLIEST_APPLIES_ON, and the future has no figures yet: a date
    # outside is a mistake to point out, not a row of empty figures (or year 1 to compute).
    today = timezone.localdate()
    if not EARLIEST_APPLIES_ON <= as_of <= today:
        earliest = EARLIEST_APPLIES_ON.isoformat()
        raise ValidationError({"as_of": f"Give a date from {earliest} up to today (YYYY-MM-DD)."})
    return as_of


BAD_AS_OF = OpenApiResponse(
    inline_serializer("AsOfError", {"as_of": serializers.CharField()}),
    description="as_of is not a date the figures can be computed for",
)


@extend_schema_view(
    list=extend_schema(
        parameters=[AS_OF], responses={200: TargetFiguresSerializer(many=True), 400: BAD_AS_OF}
    ),
    retrieve=extend_schema(
        parameters=[AS_OF],
        responses={200: TargetFiguresSerializer, 400: BAD_AS_OF, 404: NOT_FOUND},
    ),
)
class TargetFiguresViewSet(TargetViewSet):
    serializer_class = TargetFiguresSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.setdefault("figures", {})
        return context

    def _figures(self, targets, as_of: datetime.date | None) -> dict:
        """Stored snapshots for "now"; an exact computation for any other date."""
        if as_of is None:
            snapshots = queries.latest_snapshots(targets)
            return {
                target_id: {
                    "value": snap.value, "coverage": snap.coverage, "status": snap.status,
                    "expected_value": snap.expected_value, "as_of": snap.as_of,
                    "computed_at": snap.computed_at,
                }
                for target_id, snap in snapshots.items()
            }  # fmt: skip
        computed = actions.figures_as_of(list(targets), as_of)
        return {
            target_id: {
                "value": figure.value, "coverage": figure.coverage, "status": progress.status,
                "expected_value": progress.expected_value, "as_of": as_of, "computed_at": None,
            }
            for target_id, (figure, progress) in computed.items()
        }  # fmt: skip

    def list(self, request, *args, **kwargs):
        targets = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        context["figures"] = self._figures(targets, _as_of(request))
        data = self.get_serializer_class()(targets, many=True, context=context).data
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        target = self.get_object()
        context = self.get_serializer_context()
        context["figures"] = self._figures([target], _as_of(request))
        return Response(self.get_serializer_class()(target, context=context).data)

    @extend_schema(
        summary="The target's series of sector figures (month ends and today)",
        responses={
            200: inline_serializer(
                "TargetSeries",
                {"code": serializers.CharField(), "series": SnapshotSerializer(many=True)},
            ),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"])
    def series(self, request, code=None):
        target = self.get_object()
        return Response(
            {
                "code": target.code,
                "series": SnapshotSerializer(queries.target_series(target), many=True).data,
            }
        )
