"""Institutions, who may act for them, and their answers per sector target.

Answers are append-only: every save adds a row, so the history is the table itself. "The answer
as of a date D" is the latest answer whose ``applies_on`` is on or before D (ties: the later
entry wins); everything downstream (indicators, reports) reads answers that way.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from themes.models import SectorTarget

# BRIN codes: two digits and two letters (e.g. 25AB); fictional demo codes follow the same form.
brin_validator = RegexValidator(
    r"^[0-9]{2}[A-Z]{2}$", _("Een BRIN-code is twee cijfers en twee hoofdletters, bv. 25AB.")
)


class Institution(models.Model):
    class Kind(models.TextChoices):
        ROC = "roc", _("ROC")
        AOC = "aoc", _("AOC")
        VAKINSTELLING = "vakinstelling", _("vakinstelling")
        OTHER = "overig", _("overig")

    code = models.CharField(_("BRIN-code"), max_length=4, unique=True, validators=[brin_validator])
    name = models.CharField(_("naam"), max_length=200)
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    region = models.CharField(_("regio"), max_length=100, blank=True)
    active_from = models.DateField(_("actief vanaf"))
    active_to = models.DateField(
        _("actief tot en met"),
        null=True,
        blank=True,
        help_text=_("Bij een fusie of sluiting: de laatste dag dat de instelling meetelt."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="institution_active_period_ordered",
            ),
        ]
        verbose_name = _("instelling")
        verbose_name_plural = _("instellingen")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def get_absolute_url(self) -> str:
        return reverse("institutions:status", args=[self.code])

    def is_active_on(self, day: datetime.date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)


class Membership(models.Model):
    """A person acting for an institution: an editor (the CIO and delegates) or a viewer."""

    class Role(models.TextChoices):
        EDITOR = "editor", _("invuller")
        VIEWER = "viewer", _("meekijker")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rol"), max_length=10, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["editor", "viewer"]), name="membership_role_valid"
            ),
        ]
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")

    def __str__(self) -> str:
        return f"{self.user} – {self.institution.code} ({self.get_role_display()})"


def _person_name(user) -> str:
    if user is None:
        return str(_("beheer (bestand)"))
    return user.get_full_name() or user.get_username()


class AnswerStatus(models.TextChoices):
    """The adoption status a CIO reports for a share_adopted target."""

    NOT_STARTED = "niet_gestart", _("niet gestart")
    PLANNED = "gepland", _("gepland")
    IN_PROGRESS = "in_uitvoering", _("in uitvoering")
    REALISED = "gerealiseerd", _("gerealiseerd")


class Answer(models.Model):
    """One statement of an institution about one target, valid from ``applies_on``.

    Append-only: never updated or deleted through the portal. Exactly one of status, score and
    percentage is set, the one the target's measure asks for (checked by the form and import;
    the database checks that exactly one is set and that each is in its widest range).
    """

    class Source(models.TextChoices):
        WEB = "web", _("portaal")
        CONFIRMATION = "confirmation", _("bevestigd ongewijzigd")
        IMPORT = "import", _("bestand")
        API = "api", _("API")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="answers")
    target = models.ForeignKey(SectorTarget, on_delete=models.PROTECT, related_name="answers")
    # NULL, not "", means "this answer has no status": the exactly-one-value constraint needs it.
    status = models.CharField(  # noqa: DJ001
        _("status"), max_length=20, choices=AnswerStatus.choices, null=True, blank=True
    )
    score = models.DecimalField(
        _("score"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    percentage = models.DecimalField(
        _("percentage"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    explanation = models.TextField(_("toelichting"), blank=True, max_length=4000)
    evidence_url = models.URLField(_("link naar onderbouwing"), blank=True, max_length=500)
    applies_on = models.DateField(_("geldt per"))
    entered_at = models.DateTimeField(_("ingevoerd op"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ingevoerd door"),
    )
    source = models.CharField(_("bron"), max_length=20, choices=Source.choices, default="web")

    class Meta:
        ordering = ["-applies_on", "-entered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(status__isnull=False, score__isnull=True, percentage__isnull=True)
                    | Q(status__isnull=True, score__isnull=False, percentage__isnull=True)
                    | Q(status__isnull=True, score__isnull=True, percentage__isnull=False)
                ),
                name="answer_exactly_one_value",
            ),
            models.CheckConstraint(
                condition=Q(status__isnull=True) | Q(status__in=AnswerStatus.values),
                name="answer_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(percentage__isnull=True) | Q(percentage__gte=0, percentage__lte=100),
                name="answer_percentage_range",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="answer_score_range",
            ),
        ]
        indexes = [
            # "Latest answer on or before D per target and institution" (status page, indicators):
            # DISTINCT ON / row_number() over (target, institution) ordered by these columns.
            models.Index(
                "target",
                "institution",
                models.F("applies_on").desc(),
                models.F("entered_at").desc(),
                name="answer_latest_per_target",
            ),
            # An institution's own history and export.
            models.Index(fields=["institution", "applies_on"], name="answer_institution_date"),
            # The indicators' "answers of this target after day D" (the incremental recompute)
            # and each target's first answer (series_start). Built CONCURRENTLY on PostgreSQL
            # by migration 0005; declared here so that every database has it.
            models.Index(fields=["target", "applies_on"], name="answer_target_date"),
        ]
        verbose_name = _("antwoord")
        verbose_name_plural = _("antwoorden")

    def __str__(self) -> str:
        return (
            f"{self.institution.code} {self.target.code} {self.value_display()} ({self.applies_on})"
        )

    @property
    def entered_by_name(self) -> str:
        """Who entered it, for display; imports by an operator have no person."""
        return _person_name(self.entered_by)

    @property
    def value(self):
        if self.status is not None:
            return self.status
        return self.score if self.score is not None else self.percentage

    def value_display(self) -> str:
        if self.status is not None:
            return self.get_status_display()
        if self.score is not None:
            return f"{self.score:.1f}".replace(".", ",")
        return f"{self.percentage.normalize():f}".replace(".", ",") + "%"


class AnswerSlot(models.Model):
    """A version counter per institution and target, for optimistic concurrency.

    A save names the version it was based on and bumps it in one conditional UPDATE; when two
    people save at once, one UPDATE matches no row and that save is refused as a conflict. This
    needs no lock and works the same on SQLite and PostgreSQL.
    """

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(SectorTarget, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "target"], name="answerslot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.target_id} v{self.version}"


class AnswerReview(models.Model):
    """Sector staff mark an answer as checked, or ask the institution to revisit it."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("gecontroleerd")
        REVISIT = "revisit", _("graag herzien")

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(_("besluit"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("opmerking"), blank=True, max_length=2000)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["approved", "revisit"]), name="review_decision_valid"
            ),
            # Asking for a revision without saying why helps nobody.
            models.CheckConstraint(
                condition=Q(decision="approved") | ~Q(comment=""), name="review_revisit_has_comment"
            ),
        ]
        verbose_name = _("beoordeling")
        verbose_name_plural = _("beoordelingen")

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.answer}"

    @property
    def reviewed_by_name(self) -> str:
        return _person_name(self.reviewed_by)
