"""Reads about reporting rounds: the current round of an institution, locks, completeness and
the reporting rate. One function per question; counts are computed in the database."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from institutions.models import Answer, Institution, Membership
from rounds.models import Reopening, Round, RoundReview, RoundState
from themes.models import SectorTarget


def _day(value: datetime.date) -> str:
    """A date as people read it: "15 mei 2026" (or "15 May 2026" in English)."""
    return formats.date_format(value, "j F Y")


# --- Which answers belong to a round --------------------------------------------------------------


def in_round(round: Round, prefix: str = "") -> Q:
    """The answers (``prefix`` e.g. "answers__" from Institution) that count for the round: to one
    of its targets and dated inside its window (from the opening; once closed, up to its end)."""
    condition = Q(**{f"{prefix}target__in": round.targets.all()}) & Q(
        **{f"{prefix}applies_on__gte": round.opens_on}
    )
    if (end := round.window_end) is not None:
        condition &= Q(**{f"{prefix}applies_on__lte": end})
    return condition


def expected_institutions(round: Round) -> QuerySet[Institution]:
    """The institutions a round expects answers from: active at some day of the round."""
    return Institution.objects.filter(active_from__lte=round.closes_on).filter(
        Q(active_to__isnull=True) | Q(active_to__gte=round.opens_on)
    )


def with_completion(round: Round, institutions: QuerySet[Institution]) -> QuerySet[Institution]:
    """The institutions annotated with, for this round's targets:

    - ``answered``: targets with an answer in the round;
    - ``known``: targets with any answer dated up to the round's end (``known - answered`` are
      stale: their latest answer is older than the round's opening);
    - ``completed_at``: when the last target got its first answer in the round (the moment the
      institution completed the round, if ``answered`` equals the round's target count).

    Correlated subqueries per institution; no answer is loaded into Python.
    """
    answers = Answer.objects.filter(in_round(round), institution=OuterRef("pk"))
    answered = answers.values("institution").annotate(n=Count("target", distinct=True)).values("n")
    end = round.window_end or timezone.localdate()
    known = (
        Answer.objects.filter(
            institution=OuterRef("pk"), target__in=round.targets.all(), applies_on__lte=end
        )
        .values("institution")
        .annotate(n=Count("target", distinct=True))
        .values("n")
    )
    # An answer is its target's first in the round when no answer in the round came before it.
    earlier = Answer.objects.filter(
        in_round(round),
        institution=OuterRef("institution"),
        target=OuterRef("target"),
        entered_at__lt=OuterRef("entered_at"),
    )
    last_first = answers.filter(~Exists(earlier)).order_by("-entered_at").values("entered_at")[:1]
    return institutions.annotate(
        answered=Coalesce(Subquery(answered, output_field=IntegerField()), Value(0)),
        known=Coalesce(Subquery(known, output_field=IntegerField()), Value(0)),
        completed_at=Subquery(last_first),
    )


@dataclass(frozen=True)
class Completeness:
    targets: int
    answered: int
    stale: int
    missing: int

    @property
    def complete(self) -> bool:
        return self.answered >= self.targets

    @property
    def percentage(self) -> int:
        return round(100 * self.answered / self.targets) if self.targets else 100


def completeness(round: Round, institution: Institution) -> Completeness:
    """How far the institution is with the round: answered in the round, stale, missing."""
    row = (
        with_completion(round, Institution.objects.filter(pk=institution.pk))
        .values("answered", "known")
        .get()
    )
    targets = round.targets.count()
    return Completeness(
        targets=targets,
        answered=row["answered"],
        stale=row["known"] - row["answered"],
        missing=targets - row["known"],
    )


def target_states(round: Round, institution: Institution) -> list[dict]:
    """Per round target: {"target", "state" ("answered" | "stale" | "missing"), "applies_on"}
    with the date of the institution's latest answer up to the round's end."""
    end = round.window_end or timezone.localdate()
    latest = {
        row["target_id"]: row["applies_on"]
        for row in Answer.objects.filter(institution=institution, applies_on__lte=end)
        .filter(target__in=round.targets.all())
        .values("target_id")
        .annotate(applies_on=Max("applies_on"))
    }
    rows = []
    for target in round.targets.order_by("code"):
        applies_on = latest.get(target.pk)
        if applies_on is None:
            state = "missing"
        elif applies_on >= round.opens_on:
            state = "answered"
        else:
            state = "stale"
        rows.append({"target": target, "state": state, "applies_on": applies_on})
    return rows


# --- The reporting rate ---------------------------------------------------------------------------


def _rate_counts(round: Round, target_count: int) -> dict:
    complete = Q(answered__gte=target_count)
    return {
        "expected": Count("pk"),
        "reported": Count("pk", filter=complete),
        "on_time": Count("pk", filter=complete & Q(completed_at__lt=round.deadline_end())),
    }


def _with_derived(row: dict) -> dict:
    row["late"] = row["reported"] - row["on_time"]
    row["never"] = row["expected"] - row["reported"]
    row["rate"] = round(100 * row["reported"] / row["expected"]) if row["expected"] else None
    return row


def reporting_rate(round: Round) -> dict:
    """The round's reporting rate: {"total": row, "by_kind": [row], "by_region": [row]}, each row
    {"expected", "reported", "on_time", "late", "never", "rate"} (rows by kind also "kind" and
    "kind_label", by region "region"). Expected: the institutions active during the round;
    reported: answered every target of the round; on time: completed by the deadline day."""
    target_count = round.targets.count()
    institutions = with_completion(round, expected_institutions(round))
    counts = _rate_counts(round, target_count)
    total = _with_derived(institutions.aggregate(**counts))
    kind_labels = dict(Institution.Kind.choices)
    by_kind = [
        _with_derived({**row, "kind_label": kind_labels.get(row["kind"], row["kind"])})
        for row in institutions.order_by().values("kind").annotate(**counts).order_by("kind")
    ]
    by_region = [
        _with_derived(row)
        for row in institutions.order_by().values("region").annotate(**counts).order_by("region")
    ]
    return {"total": total, "by_kind": by_kind, "by_region": by_region}


def institutions_with_status(round: Round) -> QuerySet[Institution]:
    """Every expected institution with ``answered``, ``known``, ``completed_at`` (see
    with_completion) and ``stale``, ``missing`` (target counts), ordered by name."""
    return (
        with_completion(round, expected_institutions(round))
        .annotate(
            stale=F("known") - F("answered"),
            missing=Value(round.targets.count()) - F("known"),
        )
        .order_by("name")
    )


def incomplete_institutions(round: Round) -> QuerySet[Institution]:
    """The expected institutions that have not answered every target of the round yet."""
    return institutions_with_status(round).filter(answered__lt=round.targets.count())


def complete_institutions(round: Round) -> QuerySet[Institution]:
    return institutions_with_status(round).filter(answered__gte=round.targets.count())


# --- Reviews and approval ---------------------------------------------------------------------


def latest_review(round: Round, institution: Institution) -> RoundReview | None:
    return (
        RoundReview.objects.filter(round=round, institution=institution)
        .select_related("reviewed_by")
        .first()
    )


def latest_reviews(round: Round) -> dict[int, RoundReview]:
    """The latest review per institution id of the round."""
    newest = RoundReview.objects.filter(
        round=OuterRef("round"), institution=OuterRef("institution")
    ).order_by("-reviewed_at", "-id")
    reviews = RoundReview.objects.filter(round=round, pk=Subquery(newest.values("pk")[:1]))
    return {review.institution_id: review for review in reviews.select_related("reviewed_by")}


def approved_answer_ids(round: Round) -> QuerySet:
    """The ids of the answers in the round that staff approved: answers of institutions whose
    latest review of the round is an approval, entered before that approval. An answer added
    later (after a reopening) is not approved until the next approval. For figures that use
    approved answers only: ``Answer.objects.filter(pk__in=approved_answer_ids(round))``."""
    newest = RoundReview.objects.filter(round=round, institution=OuterRef("institution")).order_by(
        "-reviewed_at", "-id"
    )
    return (
        Answer.objects.filter(in_round(round))
        .annotate(
            review_decision=Subquery(newest.values("decision")[:1]),
            reviewed_at=Subquery(newest.values("reviewed_at")[:1]),
        )
        .filter(
            review_decision=RoundReview.Decision.APPROVED,
            entered_at__lte=F("reviewed_at"),
        )
        .values("pk")
    )


def approved_institution_ids(round: Round) -> list[int]:
    """The ids of the institutions whose answers count in a round with "alleen goedgekeurde
    antwoorden": their latest review of the round is an approval and no answer in the round was
    entered after it (a change after a reopening needs a new approval). Their answers that count
    are those dated in the round and their earlier answers still valid at its end: the figures
    as of the round's end, read from these institutions only (indicators.queries.answer_figures
    with ``institution_ids``). Rows: institution ids, ascending. One query."""
    newest = RoundReview.objects.filter(round=round, institution=OuterRef("pk")).order_by(
        "-reviewed_at", "-id"
    )
    changed_after = Answer.objects.filter(
        in_round(round), institution=OuterRef("pk"), entered_at__gt=OuterRef("approved_at")
    )
    return list(
        Institution.objects.annotate(
            decision=Subquery(newest.values("decision")[:1]),
            approved_at=Subquery(newest.values("reviewed_at")[:1]),
        )
        .filter(decision=RoundReview.Decision.APPROVED)
        .filter(~Exists(changed_after))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def reporting_institutions(round: Round) -> list[dict]:
    """The expected institutions that answered at least one of the round's targets in it.
    Rows: {"code", "name", "answered"} (targets answered in the round), by name."""
    return list(
        with_completion(round, expected_institutions(round))
        .filter(answered__gt=0)
        .order_by("name", "code")
        .values("code", "name", "answered")
    )


def changed_since_approval(round: Round, institution: Institution, review: RoundReview) -> bool:
    """True when answers in the round were entered after this approval (it needs a new one)."""
    return (
        Answer.objects.filter(in_round(round), institution=institution)
        .filter(entered_at__gt=review.reviewed_at)
        .exists()
    )


def open_reopening(round: Round, institution: Institution) -> Reopening | None:
    return (
        Reopening.objects.filter(round=round, institution=institution, ended_at__isnull=True)
        .select_related("reopened_by")
        .first()
    )


# --- Locks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    """Why an answer dated ``applies_on`` cannot be added or changed, and since when."""

    round: Round
    institution: Institution
    kind: str  # "closed" or "approved"
    since: datetime.datetime

    @property
    def window(self) -> str:
        end = self.round.window_end
        if end is None:
            return _("vanaf %(start)s") % {"start": _day(self.round.opens_on)}
        return _("%(start)s t/m %(end)s") % {
            "start": _day(self.round.opens_on),
            "end": _day(end),
        }

    @property
    def message(self) -> str:
        values = {
            "round": self.round.name,
            "since": _day(timezone.localdate(self.since)),
            "window": self.window,
            "institution": self.institution.name,
        }
        if self.kind == "approved":
            return (
                _(
                    "Ronde '%(round)s' is voor %(institution)s goedgekeurd op %(since)s; "
                    "antwoorden met een datum in die ronde (%(window)s) liggen daarmee vast. "
                    "Vraag het sectorteam om heropening."
                )
                % values
            )
        return (
            _(
                "Ronde '%(round)s' is gesloten op %(since)s; antwoorden met een datum in die "
                "ronde (%(window)s) kunnen niet meer worden gewijzigd. Vraag het sectorteam om "
                "heropening."
            )
            % values
        )

    def __str__(self) -> str:
        return self.message


class LockChecker:
    """Answers the lock question for many (institution, target, date) triples with a fixed
    number of queries: the rounds that can lock anything (closed, or with an approval), their
    targets, and the latest review and open reopening per round and institution."""

    def __init__(self, institutions: Iterable[Institution] | None = None):
        institution_ids = None if institutions is None else [i.pk for i in institutions]
        rounds = (
            Round.objects.filter(
                Q(closed_at__isnull=False) | Q(reviews__decision=RoundReview.Decision.APPROVED)
            )
            .distinct()
            .prefetch_related("targets")
        )
        self.rounds = [(r, {t.pk for t in r.targets.all()}) for r in rounds]
        round_ids = [r.pk for r, _t in self.rounds]
        reviews = RoundReview.objects.filter(round_id__in=round_ids)
        reopenings = Reopening.objects.filter(round_id__in=round_ids, ended_at__isnull=True)
        if institution_ids is not None:
            reviews = reviews.filter(institution_id__in=institution_ids)
            reopenings = reopenings.filter(institution_id__in=institution_ids)
        self.reviews: dict[tuple[int, int], RoundReview] = {}
        for review in reviews.order_by("reviewed_at", "id"):  # the latest stays
            self.reviews[(review.round_id, review.institution_id)] = review
        self.reopenings = {(r.round_id, r.institution_id): r for r in reopenings}

    def lock_for(
        self, institution: Institution, target: SectorTarget, applies_on: datetime.date
    ) -> Lock | None:
        for round, target_ids in self.rounds:
            if target.pk not in target_ids or not round.covers(applies_on):
                continue
            key = (round.pk, institution.pk)
            review, reopening = self.reviews.get(key), self.reopenings.get(key)
            if (
                review is not None
                and review.decision == RoundReview.Decision.APPROVED
                and (reopening is None or review.reviewed_at > reopening.reopened_at)
            ):
                return Lock(round, institution, "approved", review.reviewed_at)
            if round.is_closed and reopening is None:
                return Lock(round, institution, "closed", round.closed_at)
        return None


def lock_for(
    institution: Institution, target: SectorTarget, applies_on: datetime.date
) -> Lock | None:
    """The lock that keeps a CIO from adding or changing this answer, or None.

    Locked: an answer to one of a round's targets dated inside the round's window, when the
    round is closed (unless reopened for the institution) or the institution's round is
    approved (unless reopened after the approval). The status page, the upload and the token
    API all ask here.
    """
    return LockChecker([institution]).lock_for(institution, target, applies_on)


# --- The current round, for the CIO's pages -----------------------------------------------------


@dataclass
class RoundBanner:
    round: Round
    state: str
    days_left: int
    completeness: Completeness
    review: RoundReview | None
    reopening: Reopening | None

    @property
    def days_overdue(self) -> int:
        return -self.days_left

    @property
    def overdue(self) -> bool:
        return self.state == RoundState.OPEN and self.days_left < 0

    @property
    def returned(self) -> bool:
        return self.review is not None and self.review.decision == RoundReview.Decision.RETURNED

    @property
    def approved(self) -> bool:
        return self.review is not None and self.review.decision == RoundReview.Decision.APPROVED


def current_rounds(institution: Institution, today: datetime.date | None = None) -> list[Round]:
    """The rounds to show an institution: the open ones and those reopened for it; when there
    are none, the next planned round, else the round closed last."""
    today = today or timezone.localdate()
    reopened = Reopening.objects.filter(
        institution=institution, ended_at__isnull=True, round=OuterRef("pk")
    )
    shown = list(
        Round.objects.filter(
            Q(closed_at__isnull=True, opens_on__lte=today) | Q(Exists(reopened))
        ).order_by("closes_on", "pk")
    )
    if shown:
        return shown
    upcoming = (
        Round.objects.filter(closed_at__isnull=True, opens_on__gt=today)
        .order_by("opens_on", "pk")
        .first()
    )
    if upcoming:
        return [upcoming]
    last = Round.objects.filter(closed_at__isnull=False).order_by("-closed_at").first()
    return [last] if last else []


def round_banners(
    institution: Institution, today: datetime.date | None = None
) -> list[RoundBanner]:
    """What the CIO's status page and landing say about the current rounds
    (``rounds/_round_banner.html``): name, deadline, days left, completeness, the latest
    review (a returned round's comment) and an open reopening."""
    today = today or timezone.localdate()
    return [
        RoundBanner(
            round=round,
            state=round.state(today),
            days_left=round.days_left(today),
            completeness=completeness(round, institution),
            review=latest_review(round, institution),
            reopening=open_reopening(round, institution),
        )
        for round in current_rounds(institution, today)
    ]


def reminder_recipients(institution: Institution) -> list[str]:
    """The e-mail addresses of the institution's editors (CIOs and delegates), sorted; never
    its viewers. Inactive accounts and accounts without an address are left out."""
    return sorted(
        set(
            Membership.objects.filter(
                institution=institution,
                role=Membership.Role.EDITOR,
                user__is_active=True,
            )
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def reminder_recipients_by_language(institution: Institution) -> dict[str, list[str]]:
    """The same addresses as reminder_recipients, grouped by each person's preferred language
    (accounts.LanguagePreference; Dutch without one): {language: sorted addresses}, the
    portal's default language first. An address shared by several accounts is in one group."""
    rows = (
        Membership.objects.filter(
            institution=institution,
            role=Membership.Role.EDITOR,
            user__is_active=True,
        )
        .exclude(user__email="")
        .annotate(
            language=Coalesce("user__language_preference__language", Value(settings.LANGUAGE_CODE))
        )
        .order_by("user__email", "user_id")
        .values_list("user__email", "language")
    )
    groups: dict[str, list[str]] = {settings.LANGUAGE_CODE: []}
    seen = set()
    for email, language in rows:
        if email not in seen:
            seen.add(email)
            groups.setdefault(language, []).append(email)
    return {language: emails for language, emails in groups.items() if emails}


def unlocked_targets(
    institution: Institution, targets: Iterable[SectorTarget], applies_on: datetime.date
) -> list[SectorTarget]:
    """The targets whose answer dated ``applies_on`` no round locks ("niets veranderd")."""
    checker = LockChecker([institution])
    return [t for t in targets if checker.lock_for(institution, t, applies_on) is None]


def rates_of_recent_rounds(count: int = 2, today: datetime.date | None = None) -> list[dict]:
    """The reporting rate of the latest rounds that have opened (the staff dashboard): each
    {"round": Round, "rate": the total row of reporting_rate}."""
    today = today or timezone.localdate()
    opened = Round.objects.filter(opens_on__lte=today).order_by("-opens_on", "-id")[:count]
    return [{"round": r, "rate": reporting_rate(r)["total"]} for r in opened]


def rates_of_rounds_closed_by(as_of: datetime.date, count: int = 3) -> list[dict]:
    """The reporting rate of the latest rounds whose deadline fell on or before ``as_of`` (a
    sector report of that date), newest first: each {"round": Round, "rate": the total row of
    reporting_rate}."""
    closed = Round.objects.filter(closes_on__lte=as_of).order_by("-closes_on", "-id")[:count]
    return [{"round": r, "rate": reporting_rate(r)["total"]} for r in closed]
