"""Reporting rounds: the periods before each members' assembly in which institutions report.

A round asks for a set of targets between ``opens_on`` and its deadline ``closes_on``. Its state
follows from the dates and two explicit actions: planned until ``opens_on`` (staff may open it
early, which moves ``opens_on`` to that day), open from then on, also past the deadline (answers
after the deadline count as late), and closed once staff close it. A closed round locks the
answers dated inside it (``rounds.queries.lock_for``); staff can reopen it for one institution.
Approving an institution's round freezes its answers in the round the same way.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from institutions.models import Institution
from themes.models import SectorTarget


class RoundState(models.TextChoices):
    PLANNED = "planned", _("gepland")
    OPEN = "open", _("open")
    CLOSED = "closed", _("gesloten")


class FiguresUse(models.TextChoices):
    """Which answers a round's frozen figures (its assembly pack) are computed from."""

    ALL = "all", _("alle antwoorden")
    APPROVED = "approved", _("alleen goedgekeurde antwoorden")


def figures_basis(figures_use: str, round_name: str) -> str:
    """ "Cijfers op basis van alle antwoorden", or "... alleen goedgekeurde antwoorden (ronde
    X)"."""
    if figures_use == FiguresUse.APPROVED:
        return gettext("Cijfers op basis van alleen goedgekeurde antwoorden (ronde %(round)s)") % {
            "round": round_name
        }
    return gettext("Cijfers op basis van alle antwoorden")


class Round(models.Model):
    name = models.CharField(_("naam"), max_length=100, unique=True)
    opens_on = models.DateField(_("opent op"))
    closes_on = models.DateField(_("sluitdatum"))
    assembly_on = models.DateField(
        _("ledenvergadering"),
        help_text=_("De ledenvergadering waarvoor deze ronde de cijfers levert."),
    )
    targets = models.ManyToManyField(
        SectorTarget, related_name="rounds", verbose_name=_("gevraagde sectordoelen")
    )
    figures_use = models.CharField(
        _("cijfers op basis van"),
        max_length=10,
        choices=FiguresUse.choices,
        default=FiguresUse.ALL,
        help_text=_(
            "Alleen goedgekeurde antwoorden: het vergaderstuk telt alleen de antwoorden van "
            "instellingen waarvan de sectorstaf de ronde heeft goedgekeurd."
        ),
    )
    closed_at = models.DateTimeField(_("gesloten op"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="round_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(figures_use__in=["all", "approved"]), name="round_figures_use_valid"
            ),
        ]
        verbose_name = _("rapportageronde")
        verbose_name_plural = _("rapportagerondes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("rounds:detail", args=[self.pk])

    def state(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.closed_at is not None:
            return RoundState.CLOSED
        if today < self.opens_on:
            return RoundState.PLANNED
        return RoundState.OPEN

    @property
    def figures_basis(self) -> str:
        """What the round's figures are based on, as the pages and the pack say it."""
        return figures_basis(self.figures_use, self.name)

    def get_state_display(self) -> str:
        return RoundState(self.state()).label

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def closed_on(self) -> datetime.date | None:
        return timezone.localdate(self.closed_at) if self.closed_at else None

    @property
    def window_end(self) -> datetime.date | None:
        """The last day an answer can be dated in this round: None (no end yet) while it is
        open; once closed the deadline, or the day it closed when that was later (the late
        answers before closing belong to the round too)."""
        if self.closed_at is None:
            return None
        return max(self.closes_on, self.closed_on)

    def covers(self, applies_on: datetime.date) -> bool:
        end = self.window_end
        return self.opens_on <= applies_on and (end is None or applies_on <= end)

    def days_left(self, today: datetime.date | None = None) -> int:
        return (self.closes_on - (today or timezone.localdate())).days

    def deadline_end(self) -> datetime.datetime:
        """The first moment after the deadline day: completed before this is on time."""
        next_day = self.closes_on + datetime.timedelta(days=1)
        return datetime.datetime.combine(
            next_day, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )


class Reopening(models.Model):
    """Staff reopen a closed (or approved) round for one institution, saying why; it can be
    closed again. While it is open the institution's answers in the round can change."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reopenings")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField(_("reden"), max_length=1000)
    reopened_at = models.DateTimeField(default=timezone.now)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-reopened_at", "-id"]
        constraints = [
            # At most one open reopening per round and institution.
            models.UniqueConstraint(
                fields=["round", "institution"],
                condition=Q(ended_at__isnull=True),
                name="reopening_one_open",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="reopening_has_reason"),
        ]
        verbose_name = _("heropening")
        verbose_name_plural = _("heropeningen")

    def __str__(self) -> str:
        return f"{self.round} – {self.institution.code}"


class RoundReview(models.Model):
    """Staff approve an institution's round, or return it for revision with a comment. The
    latest review counts; an approval freezes the institution's answers in the round."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("goedgekeurd")
        RETURNED = "returned", _("teruggestuurd")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reviews")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("besluit"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("opmerking"), blank=True, max_length=2000)
    reviewed_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["approved", "returned"]), name="roundreview_decision"
            ),
            models.CheckConstraint(
                condition=Q(decision="approved") | ~Q(comment=""),
                name="roundreview_returned_has_comment",
            ),
        ]
        indexes = [
            # The latest review per (round, institution): lock_for and approved_answer_ids.
            models.Index(
                "round", "institution", models.F("reviewed_at").desc(), name="roundreview_latest"
            ),
        ]
        verbose_name = _("rondebeoordeling")
        verbose_name_plural = _("rondebeoordelingen")

    def __str__(self) -> str:
        return f"{self.round} – {self.institution.code}: {self.get_decision_display()}"


class ReminderSent(models.Model):
    """One reminder e-mail to an institution's editors, as sent (or tried)."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("bij opening")
        BEFORE_DEADLINE = "before_deadline", _("voor de sluitdatum")
        DEADLINE = "deadline", _("op de sluitdatum")
        MANUAL = "manual", _("met de hand")

    class Status(models.TextChoices):
        PENDING = "pending", _("wordt verstuurd")
        SENT = "sent", _("verstuurd")
        FAILED = "failed", _("mislukt")
        SKIPPED = "skipped", _("niet meer nodig")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("soort"), max_length=20, choices=Kind.choices)
    recipients = models.TextField(_("ontvangers"), blank=True)  # addresses, one per line
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(_("fout"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The scheduled reminders go out once per round, institution and kind (the beat job
            # runs often and must not send twice); staff may send by hand as often as they like.
            models.UniqueConstraint(
                fields=["round", "institution", "kind"],
                condition=~Q(kind="manual"),
                name="reminder_once_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["opening", "before_deadline", "deadline", "manual"]),
                name="reminder_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "skipped"]),
                name="reminder_status_valid",
            ),
        ]
        verbose_name = _("verstuurde herinnering")
        verbose_name_plural = _("verstuurde herinneringen")

    def __str__(self) -> str:
        return f"{self.round} – {self.institution.code}: {self.get_kind_display()}"

    @property
    def recipient_list(self) -> list[str]:
        return [line for line in self.recipients.splitlines() if line]
