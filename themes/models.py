"""The route itself: themes, their table lines, milestones and sector targets, partners and the
programmes that deliver parts of the route.

Everything here is data that sector staff keep current in the admin ("work in progress" marks
every slide of the source). Every model keeps its history (who changed what, when) through
django-simple-history. Codes are stable identifiers that survive edits of the text: the open-data
API, the institutions' reports and the loader refer to them.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

ROUTE_YEARS = (2026, 2027, 2028)

slug_code_validator = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$", _("Alleen kleine letters, cijfers en koppeltekens.")
)
upper_code_validator = RegexValidator(
    r"^[A-Z0-9]+(-[A-Z0-9]+)*$", _("Alleen hoofdletters, cijfers en koppeltekens.")
)


class Layer(models.Model):
    """One of the overview's three layers: school, teacher (docent), student."""

    number = models.PositiveSmallIntegerField(_("nummer"), unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("naam"), max_length=50)
    description = models.CharField(_("omschrijving"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["number"]
        verbose_name = _("laag")
        verbose_name_plural = _("lagen")

    def __str__(self) -> str:
        return self.name


class MultiYearGoal(models.Model):
    """A goal of the sector's multi-year perspective (Strategisch Meerjaren Perspectief)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("naam"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("doel meerjarenperspectief")
        verbose_name_plural = _("doelen meerjarenperspectief")

    def __str__(self) -> str:
        return self.name


class Partner(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=150)
    description = models.TextField(_("omschrijving"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True, validators=[slug_code_validator])
    abbreviation = models.CharField(
        _("afkorting"), max_length=5, unique=True, validators=[upper_code_validator]
    )
    name = models.CharField(_("naam"), max_length=100)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    purpose = models.CharField(_("doel in één regel"), max_length=200)
    multi_year_goals = models.ManyToManyField(
        MultiYearGoal, blank=True, related_name="themes", verbose_name=_("draagt bij aan")
    )
    why_cooperation = models.TextField(_("belang van sectorale samenwerking"), blank=True)
    ambition_year = models.PositiveSmallIntegerField(_("ambitiejaar"), default=2029)
    ambitions_intro = models.TextField(_("inleiding ambities"), blank=True)
    ambitions_outro = models.TextField(_("slot ambities"), blank=True)
    partners_intro = models.TextField(_("inleiding partners"), blank=True)
    partners = models.ManyToManyField(
        Partner, through="ThemePartner", blank=True, related_name="themes"
    )
    target_heading = models.CharField(
        _("kop sectordoelen"), max_length=50, default="Sectordoelen 2028"
    )
    work_in_progress = models.BooleanField(_("work in progress"), default=True)
    history = HistoricalRecords(excluded_fields=["order"])

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("themes:theme-detail", args=[self.code])


class ThemeListItem(models.Model):
    """A numbered item of one of a theme's lists, in the source's order."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="%(class)ss")
    number = models.PositiveSmallIntegerField(_("nummer"))
    group = models.CharField(_("groep"), max_length=100, blank=True)
    title = models.CharField(_("titel"), max_length=300, blank=True)
    text = models.TextField(_("tekst"), blank=True)

    class Meta:
        abstract = True
        ordering = ["theme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "number"], name="%(class)s_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.theme.abbreviation} {self.number}. {self.title or self.text[:60]}"


class Ambition(ThemeListItem):
    """What the sector wants to have reached in the theme's ambition year (numbered)."""

    history = HistoricalRecords()

    class Meta(ThemeListItem.Meta):
        verbose_name = _("ambitie")
        verbose_name_plural = _("ambities")


class Need(ThemeListItem):
    """What the theme needs to reach its ambitions ("Wat we hiervoor nodig hebben")."""

    history = HistoricalRecords()

    class Meta(ThemeListItem.Meta):
        verbose_name = _("benodigdheid")
        verbose_name_plural = _("benodigdheden")


class ThemePartner(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="theme_partners")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="theme_roles")
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    role = models.TextField(_("rol"), blank=True)
    contact = models.CharField(_("contactpersoon"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "partner"], name="themepartner_unique")
        ]
        verbose_name = _("partner van thema")
        verbose_name_plural = _("partners van thema")

    def __str__(self) -> str:
        return f"{self.partner} ({self.theme})"


class Line(models.Model):
    """A row of a theme's table, e.g. "Resultaten en credentials"."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="lines")
    code = models.SlugField(_("code"), max_length=100, validators=[slug_code_validator])
    name = models.CharField(_("naam"), max_length=200)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    note = models.TextField(_("opmerking"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme__order", "order"]
        constraints = [models.UniqueConstraint(fields=["theme", "code"], name="line_unique_code")]
        verbose_name = _("lijn")
        verbose_name_plural = _("lijnen")

    def __str__(self) -> str:
        return f"{self.theme.name} — {self.name}"

    @property
    def path(self) -> str:
        """The reference used in data files and the API: theme-code/line-code."""
        return f"{self.theme.code}/{self.code}"


class Milestone(models.Model):
    """A milestone of a theme's line: what is delivered, by whom, by when.

    Its delivery is a status history (MilestoneStatusChange, append-only); ``status`` is the
    latest change's status, kept on the row so that lists and reports filter on one column.
    Only ``themes.actions.do_record_milestone_status`` changes it after the first load.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("gepland")
        STARTED = "started", _("gestart")
        DELIVERED = "delivered", _("opgeleverd")
        DELAYED = "delayed", _("vertraagd")
        DROPPED = "dropped", _("vervallen")

    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[upper_code_validator]
    )
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="milestones")
    year = models.PositiveSmallIntegerField(
        _("jaar"), validators=[MinValueValidator(2020), MaxValueValidator(2040)]
    )
    title = models.TextField(_("activiteit of resultaat"))
    headline = models.BooleanField(
        _("hoofdpunt"), default=False, help_text=_("In de bron vetgedrukt.")
    )
    when = models.CharField(
        _("moment (zoals in de bron)"), max_length=60, blank=True, help_text=_("bv. start mrt. '27")
    )
    # Never empty in the database: save() fills in the end of the milestone's year.
    due_date = models.DateField(
        _("opleverdatum"),
        blank=True,
        help_text=_("Leeg laten: het eind van het jaar van de mijlpaal."),
    )
    lead_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_milestones",
        verbose_name=_("trekker"),
    )
    # The contributors. The name "owners" stays because the open-data API and the reports
    # publish it; the lead partner is lead_partner, not one of these.
    owners = models.ManyToManyField(
        Partner, blank=True, related_name="milestones", verbose_name=_("bijdragende partners")
    )
    targets = models.ManyToManyField(
        "SectorTarget",
        blank=True,
        related_name="milestones",
        verbose_name=_("draagt bij aan sectordoelen"),
    )
    layers = models.ManyToManyField(
        Layer, blank=True, related_name="milestones", verbose_name=_("lagen")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line__theme__order", "line__order", "year", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "started", "delivered", "delayed", "dropped"]),
                name="milestone_status_valid",
            )
        ]
        indexes = [
            # The milestone list filters by year and status.
            models.Index(fields=["year", "status"], name="milestone_year_status"),
            # "Wat loopt achter": due before a date and not closed.
            models.Index(fields=["due_date", "status"], name="milestone_due_status"),
        ]
        verbose_name = _("mijlpaal")
        verbose_name_plural = _("mijlpalen")

    def __str__(self) -> str:
        return f"{self.code}: {self.title[:80]}"

    def save(self, *args, **kwargs):
        if self.due_date is None and self.year:
            self.due_date = self.default_due_date(self.year)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("themes:milestone-detail", args=[self.code])

    @property
    def theme(self) -> Theme:
        return self.line.theme

    @staticmethod
    def default_due_date(year: int) -> datetime.date:
        """A milestone is due at the end of its year unless staff set another date."""
        return datetime.date(year, 12, 31)

    @property
    def status_on_label(self) -> str:
        """The label of ``status_on`` (themes.queries.with_status_on), else of ``status``."""
        return str(self.Status(getattr(self, "status_on", None) or self.status).label)

    def is_overdue_on(self, day: datetime.date) -> bool:
        return self.due_date < day and self.status not in MILESTONE_CLOSED_STATUSES


# A milestone in one of these is no longer expected: never overdue.
MILESTONE_CLOSED_STATUSES = (Milestone.Status.DELIVERED, Milestone.Status.DROPPED)


class MilestoneStatusChange(models.Model):
    """One step of a milestone's delivery: the new status, the day it applies, why, and who
    recorded it. Append-only: a correction is a new change. The latest (by ``changed_on``, then
    id) is the milestone's current status."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="status_changes"
    )
    status = models.CharField(_("status"), max_length=20, choices=Milestone.Status.choices)
    previous_status = models.CharField(
        _("vorige status"), max_length=20, choices=Milestone.Status.choices
    )
    changed_on = models.DateField(_("datum"))
    reason = models.TextField(_("reden"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("vastgelegd door"),
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), default=timezone.now)

    class Meta:
        ordering = ["milestone", "changed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["planned", "started", "delivered", "delayed", "dropped"])
                & Q(previous_status__in=["planned", "started", "delivered", "delayed", "dropped"]),
                name="milestonestatuschange_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="milestonestatuschange_reason_required"
            ),
        ]
        indexes = [
            # A milestone's history, and its status as of a date (latest change on or before).
            models.Index(fields=["milestone", "changed_on"], name="milestonechange_date"),
        ]
        verbose_name = _("statuswijziging van een mijlpaal")
        verbose_name_plural = _("statuswijzigingen van mijlpalen")

    def __str__(self) -> str:
        return f"{self.milestone.code} {self.changed_on}: {self.get_status_display()}"


class Programme(models.Model):
    """A programme that delivers parts of the route, e.g. Digitaal Bekwaam MBO."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=150)
    owner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="owned_programmes", null=True, blank=True
    )
    summary = models.TextField(_("samenvatting"), blank=True)
    problem = models.TextField(_("probleemanalyse"), blank=True)
    monitoring = models.TextField(_("monitoring"), blank=True)
    governance = models.TextField(_("governance"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("startjaar"))
    end_year = models.PositiveSmallIntegerField(_("eindjaar"))
    themes = models.ManyToManyField(Theme, blank=True, related_name="programmes")
    partners = models.ManyToManyField(Partner, blank=True, related_name="programmes")
    budget_unit = models.CharField(_("eenheid begroting"), max_length=30, default="mln euro")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="programme_years_ordered"
            )
        ]
        verbose_name = _("programma")
        verbose_name_plural = _("programma's")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("themes:programme-detail", args=[self.code])


class ProgrammeGoal(models.Model):
    """A doelstelling (1-6) of a programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField(_("nummer"))
    text = models.TextField(_("tekst"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="programmegoal_unique")
        ]
        verbose_name = _("doelstelling")
        verbose_name_plural = _("doelstellingen")

    def __str__(self) -> str:
        return f"{self.number}. {self.text[:80]}"


class Spearhead(models.Model):
    """A speerpunt (A-F) of a programme, with its activities."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="spearheads")
    letter = models.CharField(_("letter"), max_length=2)
    title = models.CharField(_("titel"), max_length=200)
    goal = models.ForeignKey(
        ProgrammeGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="spearheads"
    )
    description = models.TextField(_("omschrijving"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "letter"], name="spearhead_unique")
        ]
        verbose_name = _("speerpunt")
        verbose_name_plural = _("speerpunten")

    def __str__(self) -> str:
        return f"{self.letter}) {self.title}"


class SpearheadActivity(models.Model):
    spearhead = models.ForeignKey(Spearhead, on_delete=models.CASCADE, related_name="activities")
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    text = models.TextField(_("tekst"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["spearhead", "order"]
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")

    def __str__(self) -> str:
        return self.text[:80]


class ProgrammePhase(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("nummer"))
    name = models.CharField(_("naam"), max_length=60)
    starts = models.DateField(_("begint"))
    ends = models.DateField(_("eindigt"))
    activities = models.JSONField(_("activiteiten"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="phase_unique"),
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="phase_dates"),
        ]
        verbose_name = _("fase")
        verbose_name_plural = _("fasen")

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    """A row of a programme's budget table; amounts per year are BudgetAmount rows."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="budget_lines")
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    label = models.TextField(_("omschrijving"))
    goal = models.ForeignKey(
        ProgrammeGoal, on_delete=models.SET_NULL, null=True, blank=True, related_name="budget_lines"
    )
    spearhead = models.ForeignKey(
        Spearhead, on_delete=models.SET_NULL, null=True, blank=True, related_name="budget_lines"
    )
    is_total = models.BooleanField(_("totaalregel"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "order"]
        verbose_name = _("begrotingsregel")
        verbose_name_plural = _("begrotingsregels")

    def __str__(self) -> str:
        return self.label[:80]


class BudgetAmount(models.Model):
    line = models.ForeignKey(BudgetLine, on_delete=models.CASCADE, related_name="amounts")
    year = models.PositiveSmallIntegerField(_("jaar"))
    amount = models.DecimalField(_("bedrag"), max_digits=9, decimal_places=3)
    history = HistoricalRecords()

    class Meta:
        ordering = ["line", "year"]
        constraints = [models.UniqueConstraint(fields=["line", "year"], name="budgetamount_unique")]
        verbose_name = _("bedrag")
        verbose_name_plural = _("bedragen")

    def __str__(self) -> str:
        return f"{self.year}: {self.amount}"


class ProgrammePerson(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="people")
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    group = models.CharField(_("groep"), max_length=150, blank=True)
    role = models.CharField(_("rol"), max_length=100)
    organisation = models.CharField(_("organisatie"), max_length=150, blank=True)
    name = models.CharField(_("naam"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "order"]
        verbose_name = _("betrokkene")
        verbose_name_plural = _("betrokkenen")

    def __str__(self) -> str:
        return f"{self.role}, {self.organisation}"


class SectorTarget(models.Model):
    """A measurable goal for the sector, e.g. "30% van de mbo-instellingen heeft een wallet ...".

    One target may stand on lines of two themes; it is still one target.
    """

    class Measure(models.TextChoices):
        SHARE_ADOPTED = "share_adopted", _("aandeel instellingen dat heeft geadopteerd")
        MEAN_SCORE = "mean_score", _("gemiddelde score")
        SHARE_AT_LEAST = "share_at_least", _("aandeel instellingen met minimaal een score")
        INSTITUTION_SHARE = "institution_share", _("percentage per instelling")
        MILESTONE = "milestone", _("mijlpaal (behaald of niet)")

    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[upper_code_validator]
    )
    title = models.TextField(_("tekst van het sectordoel"))
    lines = models.ManyToManyField(Line, blank=True, related_name="targets")
    themes = models.ManyToManyField(Theme, blank=True, related_name="targets")
    layers = models.ManyToManyField(
        Layer, blank=True, related_name="targets", verbose_name=_("lagen")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="targets"
    )
    measure = models.CharField(_("wat wordt gemeten"), max_length=20, choices=Measure.choices)
    measured = models.CharField(_("wat instellingen melden"), max_length=300, blank=True)
    goal_value = models.DecimalField(_("streefwaarde"), max_digits=7, decimal_places=2)
    unit = models.CharField(_("eenheid"), max_length=20, default="%")
    threshold = models.DecimalField(
        _("drempel per instelling"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    score_min = models.DecimalField(
        _("laagste score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    score_max = models.DecimalField(
        _("hoogste score"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    deadline = models.DateField(_("streefdatum"))
    reached_on = models.DateField(
        _("behaald op"),
        null=True,
        blank=True,
        help_text=_("Alleen voor mijlpaal-doelen: de datum waarop het doel is behaald."),
    )
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)
    history = HistoricalRecords(m2m_fields=[lines, themes])

    class Meta:
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    measure__in=[
                        "share_adopted",
                        "mean_score",
                        "share_at_least",
                        "institution_share",
                        "milestone",
                    ]
                ),
                name="target_measure_valid",
            ),
            # Only share_at_least has a per-institution threshold, and it must have one.
            models.CheckConstraint(
                condition=(Q(measure="share_at_least") & Q(threshold__isnull=False))
                | (~Q(measure="share_at_least") & Q(threshold__isnull=True)),
                name="target_threshold_only_for_share_at_least",
            ),
            models.CheckConstraint(
                condition=Q(reached_on__isnull=True) | Q(measure="milestone"),
                name="target_reached_on_only_for_milestone",
            ),
            models.CheckConstraint(
                condition=Q(goal_value__gte=0), name="target_goal_value_not_negative"
            ),
            # A milestone target is reached or not: its figure is 100 when reached, else 0.
            models.CheckConstraint(
                condition=~Q(measure="milestone") | Q(goal_value=100),
                name="target_milestone_goal_is_100",
            ),
        ]
        verbose_name = _("sectordoel")
        verbose_name_plural = _("sectordoelen")

    def __str__(self) -> str:
        return f"{self.code}: {self.title[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("themes:target-detail", args=[self.code])

    @property
    def is_percentage(self) -> bool:
        return self.measure in {
            self.Measure.SHARE_ADOPTED,
            self.Measure.SHARE_AT_LEAST,
            self.Measure.INSTITUTION_SHARE,
        }

    def is_reached_on(self, day: datetime.date) -> bool:
        """For milestone targets: reached on or before ``day``."""
        return self.reached_on is not None and self.reached_on <= day

    def measure_description(self) -> str:
        """What is measured, with the per-institution threshold where the measure has one:
        "aandeel instellingen met minimaal score 3,0" (the measure's label alone leaves it out)."""
        if self.measure == self.Measure.SHARE_AT_LEAST and self.threshold is not None:
            threshold = formats.number_format(self.threshold, decimal_pos=1, use_l10n=True)
            return _("aandeel instellingen met minimaal score %(threshold)s") % {
                "threshold": threshold
            }
        return str(self.get_measure_display())

    def goal_display(self) -> str:
        if self.measure == self.Measure.MILESTONE:
            return str(_("mijlpaal"))
        # Percentages as whole numbers where they are (30%), scores with one decimal (3,0).
        places = 0 if self.unit == "%" and self.goal_value == self.goal_value.to_integral() else 1
        return self.format_value(self.goal_value, places=places)

    @property
    def value_unit(self) -> str:
        """The unit every value, goal and expected value of this target is shown in."""
        if self.measure == self.Measure.MILESTONE:
            return ""
        return "%" if self.is_percentage else self.unit

    def format_value(self, value, *, places: int = 1) -> str:
        """A value of this target as readers see it everywhere: "12,5%", "2,4 NBA-niveau",
        for a milestone target "behaald" or "nog niet behaald". ``None`` gives an empty string.
        """
        if value is None:
            return ""
        if self.measure == self.Measure.MILESTONE:
            return str(_("behaald") if value >= self.goal_value else _("nog niet behaald"))
        text = formats.number_format(value, decimal_pos=places, use_l10n=True)
        unit = self.value_unit
        if not unit:
            return text
        return f"{text}%" if unit == "%" else f"{text} {unit}"


class RouteVersion(models.Model):
    """A published version of the route: its goals, deadlines and texts as they were then.

    ``content`` is ``themes.versions.serialise_route()`` at publication; figures and reports
    name the version they used, and two versions can be compared (themes.versions.diff).
    """

    number = models.PositiveIntegerField(_("versie"), unique=True)
    note = models.TextField(_("toelichting"))
    content = models.JSONField(_("inhoud"))
    published_at = models.DateTimeField(_("gepubliceerd op"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gepubliceerd door"),
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="routeversion_number_positive")
        ]
        verbose_name = _("versie van de route")
        verbose_name_plural = _("versies van de route")

    def __str__(self) -> str:
        return f"{_('versie')} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("themes:version-list") + f"#versie-{self.number}"


class SourceRecord(models.Model):
    """What the loader last wrote for one route object, to tell staff edits from file changes.

    On a reload, an object whose fields still equal what the loader last wrote is updated to the
    file's new values; one that staff changed since is left alone and reported.
    """

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    values = models.JSONField()
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="sourcerecord_unique")]
        verbose_name = _("bronregistratie")
        verbose_name_plural = _("bronregistraties")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
