"""Reads of institutions and their answers. One function per question."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Max, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from institutions.models import Answer, AnswerReview, AnswerSlot, Institution
from themes.models import Line, SectorTarget, Theme

LATEST_FIRST = [F("applies_on").desc(), F("entered_at").desc(), F("id").desc()]


def latest_answers_as_of(
    institutions: QuerySet[Institution] | None = None,
    targets: Iterable[SectorTarget] | None = None,
    as_of: datetime.date | None = None,
) -> QuerySet[Answer]:
    """Each (institution, target)'s answer as of ``as_of``: the latest that applies on or
    before it (ties: the later entry wins). Rows: Answer objects, one per pair."""
    answers = Answer.objects.all()
    if institutions is not None:
        answers = answers.filter(institution__in=institutions)
    if targets is not None:
        answers = answers.filter(target__in=list(targets))
    if as_of is not None:
        answers = answers.filter(applies_on__lte=as_of)
    return answers.annotate(
        position=Window(
            RowNumber(), partition_by=[F("institution"), F("target")], order_by=LATEST_FIRST
        )
    ).filter(position=1)


def latest_answers(
    institution: Institution, targets: Iterable[SectorTarget] | None = None
) -> dict[int, Answer]:
    """The institution's current answer per target id."""
    rows = latest_answers_as_of(
        Institution.objects.filter(pk=institution.pk), targets
    ).select_related("entered_by")
    return {answer.target_id: answer for answer in rows}


def latest_answer(institution: Institution, target: SectorTarget) -> Answer | None:
    return (
        Answer.objects.filter(institution=institution, target=target)
        .select_related("entered_by")
        .order_by(*LATEST_FIRST)
        .first()
    )


def answerable_targets() -> QuerySet[SectorTarget]:
    return SectorTarget.objects.exclude(measure=SectorTarget.Measure.MILESTONE)


def stale_before(today: datetime.date | None = None) -> datetime.date:
    """Answers that apply before this date are stale (default: older than 6 months)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.ANSWER_STALE_AFTER_DAYS)


@dataclass
class TargetRow:
    target: SectorTarget
    answer: Answer | None
    version: int
    review: AnswerReview | None
    stale: bool


@dataclass
class LineGroup:
    line: Line | None
    rows: list[TargetRow] = field(default_factory=list)


@dataclass
class ThemeGroup:
    theme: Theme
    lines: list[LineGroup] = field(default_factory=list)

    @property
    def target_count(self) -> int:
        return sum(len(group.rows) for group in self.lines)


def answer_version(institution: Institution, target: SectorTarget) -> int:
    """The version counter of this institution's answer to this target (0: never answered)."""
    slot = AnswerSlot.objects.filter(institution=institution, target=target).first()
    return slot.version if slot else 0


def target_row(institution: Institution, target: SectorTarget) -> TargetRow:
    """One target's row of the status page (after an htmx edit or cancel)."""
    answer = latest_answer(institution, target)
    return TargetRow(
        target=target,
        answer=answer,
        version=answer_version(institution, target),
        review=answer.reviews.select_related("reviewed_by").first() if answer else None,
        stale=answer is not None and answer.applies_on < stale_before(),
    )


def status_page(institution: Institution) -> list[ThemeGroup]:
    """Every answerable target grouped by theme and line, with the institution's current answer,
    its slot version (for conflict detection) and the latest review of that answer.

    A target on two lines of two themes appears under both; a programme target without a line
    appears under its theme with ``line=None``. A fixed number of queries, whatever the size.
    """
    targets = answerable_targets().prefetch_related(
        Prefetch("lines", queryset=Line.objects.select_related("theme")), "themes"
    )
    answers = latest_answers(institution)
    versions = dict(
        AnswerSlot.objects.filter(institution=institution).values_list("target_id", "version")
    )
    reviews = {}
    for review in AnswerReview.objects.filter(
        answer__in=[a.pk for a in answers.values()]
    ).select_related("reviewed_by"):
        reviews.setdefault(review.answer_id, review)  # ordered newest first
    cutoff = stale_before()

    groups: dict[int, ThemeGroup] = {}
    line_groups: dict[tuple[int, int | None], LineGroup] = {}
    for theme in Theme.objects.all():
        groups[theme.pk] = ThemeGroup(theme=theme)
    for target in targets:
        answer = answers.get(target.pk)
        row = TargetRow(
            target=target,
            answer=answer,
            version=versions.get(target.pk, 0),
            review=reviews.get(answer.pk) if answer else None,
            stale=answer is not None and answer.applies_on < cutoff,
        )
        places = [(line.theme, line) for line in target.lines.all()]
        line_themes = {line.theme_id for line in target.lines.all()}
        places += [(theme, None) for theme in target.themes.all() if theme.pk not in line_themes]
        for theme, line in places:
            key = (theme.pk, line.pk if line else None)
            if key not in line_groups:
                line_groups[key] = LineGroup(line=line)
                groups[theme.pk].lines.append(line_groups[key])
            line_groups[key].rows.append(row)
    for group in groups.values():
        group.lines.sort(key=lambda g: (g.line is None, g.line.order if g.line else 0))
    return [group for group in groups.values() if group.lines]


def answer_history(institution: Institution, target: SectorTarget) -> QuerySet[Answer]:
    """Every answer of the institution for the target, newest first, with reviews."""
    return (
        Answer.objects.filter(institution=institution, target=target)
        .select_related("entered_by")
        .prefetch_related(
            Prefetch("reviews", queryset=AnswerReview.objects.select_related("reviewed_by"))
        )
        .order_by(*LATEST_FIRST)
    )


def institutions_overview(institutions: QuerySet[Institution]) -> QuerySet[Institution]:
    """Institutions with ``last_applies_on``, ``last_entered_at`` and ``answered_targets``
    (distinct targets with any answer), for sector staff's "who has not reported"."""
    return institutions.annotate(
        last_applies_on=Max("answers__applies_on"),
        last_entered_at=Max("answers__entered_at"),
        answered_targets=Count("answers__target", distinct=True),
    ).order_by("name")


def not_recently_reported(institutions: QuerySet[Institution]) -> QuerySet[Institution]:
    """The active ones among ``institutions`` without an answer since stale_before(), with
    ``last_applies_on`` (None: never reported), by name."""
    today = timezone.localdate()
    return (
        institutions.filter(Q(active_to__isnull=True) | Q(active_to__gte=today))
        .annotate(last_applies_on=Max("answers__applies_on"))
        .filter(Q(last_applies_on__isnull=True) | Q(last_applies_on__lt=stale_before()))
        .order_by("name")
    )
