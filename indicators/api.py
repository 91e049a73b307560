"""The open-data API's targets, with their sector figures. Sector level only: nothing here is
per institution."""

import datetime

from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from indicators import overrides, privacy, queries
from indicators.needed import still_needed_for_targets
from indicators.series import figures_as_of
from institutions.validation import EARLIEST_APPLIES_ON
from roadmap.lib.query_params import QueryParam
from themes.api import NOT_FOUND, TargetSerializer, TargetViewSet

# No answer can be older than EARLIEST_APPLIES_ON, and the future has no figures yet: a date
# outside is a mistake to point out (a 400), not a row of empty figures (or year 1 to compute).
AS_OF = QueryParam(
    "as_of",
    "date",
    f"Figures as of this date (YYYY-MM-DD), from {EARLIEST_APPLIES_ON.isoformat()} up to "
    "today: not in the future (default: the latest figures)",
    earliest=EARLIEST_APPLIES_ON,
)


def _step(value: float | None, step: float) -> float | None:
    return None if value is None else step


class StatusOverrideSerializer(serializers.Serializer):
    status = serializers.CharField()
    reason = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    set_by = serializers.CharField(source="set_by_name")
    set_at = serializers.DateTimeField()


class StillNeededSerializer(serializers.Serializer):
    """themes.needed.StillNeeded: how many more institutions must adopt, and when at the pace."""

    as_of = serializers.DateField(help_text="Date of the latest sector figure it is based on")
    active = serializers.IntegerField(help_text="Active institutions on that date")
    adopted = serializers.IntegerField()
    goal_count = serializers.IntegerField(
        help_text="ceil(goal x active institutions), with the goal in force on that date"
    )
    needed = serializers.IntegerField(help_text="goal_count - adopted, at least 0")
    pace_per_year = serializers.FloatField(
        allow_null=True, help_text="Institutions adopting per year since the first figure"
    )
    expected_on = serializers.DateField(
        allow_null=True,
        help_text=(
            "When the last needed one adopts at the current pace: the figure's own projected "
            "date (null: no pace, or never)"
        ),
    )
    expected_quarter = serializers.CharField(allow_null=True, help_text='e.g. "2029-K3"')
    in_time = serializers.BooleanField(
        allow_null=True,
        help_text="Expected by the deadline in force on that date (null: reached, or no pace)",
    )


class TargetFiguresSerializer(TargetSerializer):
    institutions_needed = serializers.SerializerMethodField(
        help_text=(
            "Share targets only (share_adopted, share_at_least), from the latest stored "
            "figure and the goal and deadline in force on its date: how many more "
            "institutions must adopt, and when at the current pace. Null for other measures, "
            "without figures, or when that figure's counts are withheld (too few answers, or "
            "a small group)"
        )
    )
    value = serializers.SerializerMethodField(
        help_text=(
            "Sector value, rounded to one decimal (or to rounded_to in a small group); null when "
            "unknown or when fewer institutions answered than the minimum group size (status "
            "te_weinig_antwoorden)"
        )
    )
    rounded_to = serializers.SerializerMethodField(
        help_text=(
            "The step the value is rounded to: 0.1, or coarser where fewer institutions answered "
            "than the small-group size, so that the difference of two figures one save apart "
            "does not give that answer away; null when the value is"
        )
    )
    coverage = serializers.SerializerMethodField(help_text="% of active institutions that answered")
    status = serializers.SerializerMethodField(
        help_text=(
            "Progress status: gerealiseerd, op_koers, matige_voortgang, onvoldoende_voortgang, "
            "achteruitgang, niet_gehaald (deadline passed), nog_niet_behaald (milestone), "
            "onbekend, te_weinig_antwoorden (withheld: too few answers)"
        )
    )
    expected_value = serializers.SerializerMethodField()
    as_of = serializers.SerializerMethodField()
    computed_at = serializers.SerializerMethodField()
    status_override = serializers.SerializerMethodField(
        help_text=(
            "Sector staff's judgement of the progress in force on the as-of date, shown beside "
            "the computed status (which it never changes); null when there is none"
        )
    )

    class Meta(TargetSerializer.Meta):
        fields = [
            *TargetSerializer.Meta.fields, "institutions_needed",
            "value", "rounded_to", "coverage", "status", "expected_value", "as_of", "computed_at",
            "status_override",
        ]  # fmt: skip

    @extend_schema_field(StillNeededSerializer(allow_null=True))
    def get_institutions_needed(self, target) -> dict | None:
        needed = self.context.get("institutions_needed", {}).get(target.pk)
        return None if needed is None else StillNeededSerializer(needed).data

    def _figure(self, target) -> dict:
        return self.context["figures"].get(target.pk, {})

    def get_value(self, target) -> float | None:
        return self._figure(target).get("value")

    def get_rounded_to(self, target) -> float | None:
        return self._figure(target).get("rounded_to")

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

    @extend_schema_field(StatusOverrideSerializer(allow_null=True))
    def get_status_override(self, target) -> dict | None:
        override = self.context.get("overrides", {}).get(target.pk)
        return StatusOverrideSerializer(override).data if override else None


class SnapshotSerializer(serializers.Serializer):
    date = serializers.DateField(source="as_of")
    value = serializers.FloatField(allow_null=True)
    coverage = serializers.FloatField()
    status = serializers.CharField()
    expected_value = serializers.FloatField(allow_null=True)


# The query parameters (as_of, paging, filters) are checked before the action runs; a wrong
# one is a 400 naming it, which the schema documents (roadmap/lib/query_params.py).
@extend_schema_view(
    list=extend_schema(responses={200: TargetFiguresSerializer(many=True)}),
    retrieve=extend_schema(responses={200: TargetFiguresSerializer, 404: NOT_FOUND}),
)
class TargetFiguresViewSet(TargetViewSet):
    serializer_class = TargetFiguresSerializer
    list_params = (*TargetViewSet.list_params, AS_OF)
    retrieve_params = (AS_OF,)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.setdefault("figures", {})
        return context

    def _figures(self, targets, as_of: datetime.date | None, latest: dict) -> dict:
        """Stored snapshots for "now" (``latest``); an exact computation for any other date.
        Open data: figures from too few answers are withheld for every caller
        (indicators.privacy)."""
        if as_of is None:
            snapshots = latest
            privacy.withhold_snapshots(snapshots.values(), targets)
            return {
                target_id: {
                    "value": snap.value, "rounded_to": _step(snap.value, snap.public_step),
                    "coverage": snap.coverage, "status": snap.status,
                    "expected_value": snap.expected_value, "as_of": snap.as_of,
                    "computed_at": snap.computed_at,
                }
                for target_id, snap in snapshots.items()
            }  # fmt: skip
        by_id = {target.pk: target for target in targets}
        computed = {
            target_id: privacy.withhold_figure(by_id[target_id], figure, progress)
            for target_id, (figure, progress) in figures_as_of(list(targets), as_of).items()
        }
        return {
            target_id: {
                "value": figure.value,
                "rounded_to": _step(
                    figure.value,
                    privacy.public_step(by_id[target_id], figure.answered, figure.active),
                ),
                "coverage": figure.coverage, "status": progress.status,
                "expected_value": progress.expected_value, "as_of": as_of, "computed_at": None,
            }
            for target_id, (figure, progress) in computed.items()
        }  # fmt: skip

    def _context(self, targets) -> dict:
        as_of = self.query.get("as_of")
        context = self.get_serializer_context()
        # The latest snapshots, read once: what is still needed is counted from them before
        # the figures' withholding changes them in memory.
        latest = queries.latest_snapshots(targets)
        context["institutions_needed"] = still_needed_for_targets(targets, latest=latest)
        context["figures"] = self._figures(targets, as_of, latest)
        context["overrides"] = overrides.active_overrides(targets, as_of)
        return context

    def list(self, request, *args, **kwargs):
        targets = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer_class()(targets, many=True, context=self._context(targets))
        return self.get_paginated_response(data.data)

    def retrieve(self, request, *args, **kwargs):
        target = self.get_object()
        context = self._context([target])
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
        series = queries.target_series(target)
        privacy.withhold_snapshots(series, [target])
        return Response({"code": target.code, "series": SnapshotSerializer(series, many=True).data})
