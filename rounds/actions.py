"""Writes to the rounds' tables. Refusals raise RoundActionError with a message for staff."""

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.models import AuditEvent
from institutions.models import Institution
from rounds import queries
from rounds.models import FiguresUse, Reopening, Round, RoundReview, RoundState
from themes.models import SectorTarget


class RoundActionError(Exception):
    """A staff action that cannot be done now; the message says why."""


def do_create_round(
    *,
    name: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    assembly_on: datetime.date,
    targets: Iterable[SectorTarget],
    user: AbstractBaseUser | None,
    figures_use: str = FiguresUse.ALL,
) -> Round:
    with transaction.atomic():
        round = Round.objects.create(
            name=name.strip(),
            opens_on=opens_on,
            closes_on=closes_on,
            assembly_on=assembly_on,
            figures_use=figures_use,
            created_by=user,
        )
        round.targets.set(list(targets))
    return round


def do_open_round(*, round: Round, user: AbstractBaseUser | None) -> Round:
    """Open a planned round today instead of on its opening date."""
    today = timezone.localdate()
    if round.state(today) != RoundState.PLANNED:
        raise RoundActionError(_("Deze ronde is niet meer gepland; openen kan alleen vooraf."))
    if today > round.closes_on:  # cannot happen for a planned round; kept for clarity
        raise RoundActionError(_("De sluitdatum van deze ronde is al voorbij."))
    round.opens_on = today
    round.save(update_fields=["opens_on"])
    return round


def do_close_round(*, round: Round, user: AbstractBaseUser | None) -> Round:
    """Close (lock) an open round: answers dated inside it can no longer change."""
    if round.state() != RoundState.OPEN:
        raise RoundActionError(_("Alleen een open ronde kan worden gesloten."))
    round.closed_at = timezone.now()
    round.closed_by = user
    round.save(update_fields=["closed_at", "closed_by"])
    return round


def _is_locked_for(round: Round, institution: Institution) -> bool:
    review = queries.latest_review(round, institution)
    approved = review is not None and review.decision == RoundReview.Decision.APPROVED
    return round.is_closed or approved


def do_reopen_for_institution(
    *,
    round: Round,
    institution: Institution,
    reason: str,
    user: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Reopening:
    """Let one institution change its answers in a closed or approved round again; recorded
    in the audit log with the reason."""
    reason = reason.strip()
    if not reason:
        raise RoundActionError(_("Geef een reden voor de heropening."))
    if not _is_locked_for(round, institution):
        raise RoundActionError(
            _(
                "De ronde is voor deze instelling niet gesloten of goedgekeurd; "
                "er is niets te heropenen."
            )
        )
    with transaction.atomic():
        if queries.open_reopening(round, institution) is not None:
            raise RoundActionError(_("De ronde is voor deze instelling al heropend."))
        reopening = Reopening.objects.create(
            round=round, institution=institution, reason=reason, reopened_by=user
        )
        audit.record(
            AuditEvent.Kind.ROUND_REOPENED,
            request=request,
            actor=user,
            institution=institution,
            detail=f"ronde '{round.name}' heropend: {reason}",
        )
    return reopening


def do_end_reopening(
    *,
    round: Round,
    institution: Institution,
    user: AbstractBaseUser,
    request: HttpRequest | None = None,
) -> Reopening:
    """Close a reopening again: the round locks the institution's answers once more."""
    with transaction.atomic():
        reopening = queries.open_reopening(round, institution)
        if reopening is None:
            raise RoundActionError(_("De ronde is voor deze instelling niet heropend."))
        reopening.ended_at = timezone.now()
        reopening.ended_by = user
        reopening.save(update_fields=["ended_at", "ended_by"])
        audit.record(
            AuditEvent.Kind.ROUND_RECLOSED,
            request=request,
            actor=user,
            institution=institution,
            detail=f"heropening van ronde '{round.name}' gesloten",
        )
    return reopening


def do_review_round(
    *,
    round: Round,
    institution: Institution,
    decision: str,
    comment: str,
    user: AbstractBaseUser,
) -> RoundReview:
    """Approve an institution's round (it must be complete; its answers then freeze) or return
    it for revision with a comment the CIO sees on the status page."""
    comment = comment.strip()
    if round.state() == RoundState.PLANNED:
        raise RoundActionError(_("Deze ronde is nog niet geopend."))
    if decision == RoundReview.Decision.RETURNED and not comment:
        raise RoundActionError(_("Zeg de instelling wat er herzien moet worden."))
    if decision == RoundReview.Decision.APPROVED:
        state = queries.completeness(round, institution)
        if not state.complete:
            raise RoundActionError(
                _(
                    "%(name)s heeft %(answered)d van de %(targets)d doelen van deze ronde "
                    "beantwoord; goedkeuren kan pas als alle doelen beantwoord zijn."
                )
                % {"name": institution.name, "answered": state.answered, "targets": state.targets}
            )
    return RoundReview.objects.create(
        round=round, institution=institution, decision=decision, comment=comment, reviewed_by=user
    )


def do_set_figures_use(*, round: Round, figures_use: str) -> Round:
    """Choose whether the round's assembly pack uses all answers or approved answers only.
    Refused once the pack is asked for: its figures are (being) frozen on the old basis."""
    # The pack is reports' (reports.models.AssemblyPack), which rounds does not import: asked
    # through its reverse relation. A failed pack ("failed") is asked again, on the new basis.
    has_pack = (
        Round.objects.filter(pk=round.pk, assembly_pack__isnull=False)
        .exclude(assembly_pack__state="failed")
        .exists()
    )
    if has_pack:
        raise RoundActionError(
            _(
                "Het vergaderstuk van deze ronde is al gemaakt of wordt gemaakt; "
                "de basis van de cijfers ligt daarmee vast."
            )
        )
    round.figures_use = figures_use
    round.save(update_fields=["figures_use"])
    return round
