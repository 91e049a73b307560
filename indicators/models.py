"""Sector figures per target and as-of date, computed from the institutions' answers.

Dashboards and the API read these snapshots; a figure for any other date is computed exactly on
request with the same query (indicators.queries).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from themes.models import RouteVersion, SectorTarget


class ProgressStatus(models.TextChoices):
    REACHED = "gerealiseerd", _("gerealiseerd")
    # The deadline has passed and the goal was not reached: no pace can make up for it.
    MISSED = "niet_gehaald", _("niet gehaald")
    ON_TRACK = "op_koers", _("op koers")
    MODERATE = "matige_voortgang", _("matige voortgang")
    INSUFFICIENT = "onvoldoende_voortgang", _("onvoldoende voortgang")
    DECLINING = "achteruitgang", _("achteruitgang")
    # A milestone target before its deadline: it is reached on a day, there is no pace to it.
    NOT_YET = "nog_niet_behaald", _("nog niet behaald")
    UNKNOWN = "onbekend", _("onbekend")
    # Never stored: shown instead of a figure from fewer answers than the minimum group size
    # to readers who may not see institutions' answers (indicators.privacy).
    WITHHELD = "te_weinig_antwoorden", _("te weinig antwoorden")


class Snapshot(models.Model):
    """The sector figure of one target as of one date (a month end, or today)."""

    target = models.ForeignKey(SectorTarget, on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField(_("peildatum"))
    is_month_end = models.BooleanField(default=True)
    # Full precision in storage; rounded only for display.
    value = models.FloatField(_("waarde"), null=True)
    coverage = models.FloatField(_("dekking (%)"))
    active_institutions = models.PositiveIntegerField()
    answered_institutions = models.PositiveIntegerField()
    # share_adopted: counts per status; mean_score: min, q1, median, q3, max;
    # institution_share: the share of institutions at or above the goal.
    details = models.JSONField(default=dict)
    expected_value = models.FloatField(_("verwachte waarde"), null=True)
    status = models.CharField(max_length=30, choices=ProgressStatus.choices)
    projected_on = models.DateField(_("verwacht gehaald op"), null=True)
    # The first date the goal was reached, while it still is (status gerealiseerd).
    reached_on = models.DateField(_("gehaald op"), null=True)
    # The version of the route whose goal and deadline the figure was judged against (the
    # one in force on as_of, themes.versions.GoalsInForce); None: before any was published.
    route_version = models.ForeignKey(
        RouteVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routeversie"),
    )
    computed_at = models.DateTimeField(_("berekend op"))

    class Meta:
        ordering = ["target", "as_of"]
        constraints = [
            models.UniqueConstraint(fields=["target", "as_of"], name="snapshot_unique_date"),
            models.CheckConstraint(
                condition=Q(coverage__gte=0, coverage__lte=100), name="snapshot_coverage_range"
            ),
        ]
        indexes = [
            # Dashboards read "the latest snapshot per target" and one target's series.
            models.Index(fields=["as_of", "target"], name="snapshot_date_target"),
        ]
        verbose_name = _("momentopname")
        verbose_name_plural = _("momentopnamen")

    def __str__(self) -> str:
        return f"{self.target.code} {self.as_of}: {self.value}"

    @property
    def unanswered_institutions(self) -> int:
        """Active institutions without an answer (the status chart's "geen antwoord")."""
        return self.active_institutions - self.answered_institutions


class RecomputeRun(models.Model):
    """A log line per recompute: what, when, how long, and whether it failed."""

    class Kind(models.TextChoices):
        FULL = "full", _("volledig")
        INCREMENTAL = "incremental", _("na wijziging")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    targets = models.PositiveIntegerField(default=0)
    snapshots = models.PositiveIntegerField(default=0)
    # The highest answer id this run has seen: the next incremental run starts after it.
    answers_up_to = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("herberekening")
        verbose_name_plural = _("herberekeningen")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


class StatusOverride(models.Model):
    """Sector staff's judgement of a target's progress, over the computed status, for a while.

    The computed status stays stored and shown beside it. Never edited: a new override
    replaces the previous one, and withdrawing one keeps it with who withdrew it and when."""

    target = models.ForeignKey(
        SectorTarget, on_delete=models.CASCADE, related_name="status_overrides"
    )
    status = models.CharField(_("vastgestelde voortgang"), max_length=30)
    reason = models.TextField(_("reden"), max_length=2000)
    starts_on = models.DateField(_("geldt vanaf"))
    ends_on = models.DateField(_("geldt tot en met"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("vastgesteld op"), default=timezone.now)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("ingetrokken op"), null=True)

    class Meta:
        ordering = ["target", "-set_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="override_ends_after_start"
            ),
        ]
        verbose_name = _("bijgestelde voortgang")
        verbose_name_plural = _("bijgestelde voortgang")

    def __str__(self) -> str:
        return f"{self.target.code}: {self.status} {self.starts_on}–{self.ends_on}"

    def get_status_display(self) -> str:
        return ProgressStatus(self.status).label

    @property
    def set_by_name(self) -> str:
        return self.set_by.get_full_name() or self.set_by.get_username()
