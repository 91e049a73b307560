"""Progress reports: who asked for which report, its progress, and the finished file."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from themes.models import RouteVersion


class Report(models.Model):
    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"
        CSV = "csv", "CSV"

    class State(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("bezig")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")

    format = models.CharField(_("formaat"), max_length=4, choices=Format.choices)
    # The requester's language at request time: Excel's and the CSV's column headers and status
    # labels are written in it (the PDF is in Dutch). Older reports were made in Dutch.
    language = models.CharField(_("taal"), max_length=8, choices=settings.LANGUAGES, default="nl")
    as_of = models.DateField(_("peildatum"))
    compare_to = models.DateField(_("vergelijken met"), null=True, blank=True)
    # Theme codes; empty means all themes.
    theme_codes = models.JSONField(_("thema's"), default=list, blank=True)
    # A layer's code (themes.Layer); empty means all layers. Only the targets and milestones of
    # that layer are reported.
    layer_code = models.CharField(_("laag"), max_length=20, blank=True, default="")
    # A sector report when empty; else the institution's own report (answers against the sector).
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    # The version of the route in force on as_of, whose goals the report's figures were judged
    # against; set when the report is generated (themes.versions.GoalsInForce).
    route_version = models.ForeignKey(
        RouteVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routeversie"),
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(_("stap"), max_length=100, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="reports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="report_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(compare_to__isnull=True) | Q(compare_to__lt=models.F("as_of")),
                name="report_compare_before_as_of",
            ),
            # A finished report always has its file; a file never exists for an unfinished one.
            models.CheckConstraint(
                condition=(Q(state="done") & ~Q(file="")) | (~Q(state="done") & Q(file="")),
                name="report_file_only_when_done",
            ),
        ]
        indexes = [
            # "Mijn rapportages": a person's reports, newest first.
            models.Index(fields=["created_by", "-created_at"], name="report_owner_recent"),
        ]
        verbose_name = _("rapportage")
        verbose_name_plural = _("rapportages")

    def __str__(self) -> str:
        scope = self.institution.code if self.institution_id else "sector"
        return f"{scope} {self.as_of} ({self.format})"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    def filename(self) -> str:
        scope = self.institution.code if self.institution_id else "sector"
        return f"routekaart-voortgang-{scope}-{self.as_of.isoformat()}.{self.format}"
