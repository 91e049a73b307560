"""Progress reports: who asked for which report, its progress, and the finished file; and the
council's assembly packs, a round's figures frozen for its members' assembly."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from rounds.models import FiguresUse, Round, figures_basis
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


# Also named by the migrations (rounds 0002, reports 0005): keep it, and keep its paths.
def _pack_file_path(pack: "AssemblyPack", filename: str) -> str:
    return f"assembly/{pack.round_id}/{filename}"


class AssemblyPack(models.Model):
    """The pack for the members' assembly of a round: its figures frozen as of the round's end,
    what changed since the previous pack, and the PDF and Excel made from them.

    Frozen means stored: the figures, milestones and institutions are copied into the JSON
    fields when the pack is made (reports.assembly.freeze_pack) and never recomputed, so an
    answer changed later leaves the pack as the assembly saw it. One pack per round.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("in de wachtrij")
        RUNNING = "running", _("bezig")
        DONE = "done", _("klaar")
        FAILED = "failed", _("mislukt")

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="assembly_pack")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Filled in by freeze_pack. as_of: the last day of the round's window; figures_use: the
    # round's setting when the figures were frozen (the round's may change afterwards).
    frozen_at = models.DateTimeField(_("bevroren op"), null=True, blank=True)
    as_of = models.DateField(_("peildatum"), null=True, blank=True)
    figures_use = models.CharField(
        _("cijfers op basis van"), max_length=10, choices=FiguresUse.choices, blank=True
    )
    # The pack this one is compared with ("since the last assembly"), if there was one.
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Per target code: title, measure, unit, goal, value, coverage, answered, active, status,
    # expected value and the status override in force (or null). See reports.assembly.
    figures = models.JSONField(default=dict, blank=True)
    # Per milestone code: title, theme, due date (ISO), status on the as-of date, overdue.
    milestones = models.JSONField(default=dict, blank=True)
    # The institutions that answered in the round: [{"code", "name", "answered"}], by name.
    institutions = models.JSONField(default=list, blank=True)
    # The round's reporting rate (rounds.queries.reporting_rate) when the figures were frozen.
    rate = models.JSONField(default=dict, blank=True)
    # What changed since the previous pack (reports.assembly.since_last), stored with the rest.
    since = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to=_pack_file_path, blank=True)
    xlsx = models.FileField(upload_to=_pack_file_path, blank=True)

    class Meta:
        # The table keeps the name it had while the pack lived in the rounds app: the model
        # moved to reports without moving its rows (state-only migrations, rounds 0004 and
        # reports 0005), and the file paths, constraints and foreign keys stay as they are.
        db_table = "rounds_assemblypack"
        ordering = ["-round__assembly_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]),
                name="assemblypack_state_valid",
            ),
            # A finished pack has its frozen figures and both files; an unfinished one neither.
            models.CheckConstraint(
                condition=(
                    Q(state="done", frozen_at__isnull=False, as_of__isnull=False)
                    & ~Q(pdf="")
                    & ~Q(xlsx="")
                )
                | (~Q(state="done") & Q(pdf="") & Q(xlsx="")),
                name="assemblypack_files_only_when_done",
            ),
        ]
        verbose_name = _("vergaderstuk")
        verbose_name_plural = _("vergaderstukken")

    def __str__(self) -> str:
        return f"{self.round} ({self.get_state_display()})"

    def get_absolute_url(self) -> str:
        return reverse("reports:assembly-pack", args=[self.round_id])

    @property
    def figures_basis(self) -> str:
        return figures_basis(self.figures_use or self.round.figures_use, self.round.name)

    def filename(self, extension: str) -> str:
        return f"routekaart-vergaderstuk-{self.round.assembly_on.isoformat()}.{extension}"
