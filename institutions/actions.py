"""Writes to the institutions' tables. Each commits first; background work comes after commit."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from institutions import queries
from institutions.models import Answer, AnswerReview, AnswerSlot, Institution
from roadmap.lib.jobs import enqueue_after_commit
from themes.models import SectorTarget

# The indicators room registers this task; sending by name keeps imports one way. It finds
# the new answers itself, so it needs no arguments and many sends coalesce into one run.
RECOMPUTE_TASK = "indicators.recompute_pending"


class AnswerConflict(Exception):
    """Someone else saved an answer for this target since the form was opened."""

    def __init__(self, latest: Answer | None, version: int, item: int | None = None):
        self.latest = latest
        self.version = version
        self.item = item  # in a batch: the position of the refused answer
        super().__init__("answer conflict")


@dataclass(frozen=True)
class AnswerValue:
    value: dict  # exactly one of {"status": ...}, {"score": ...}, {"percentage": ...}
    applies_on: datetime.date
    explanation: str = ""
    evidence_url: str = ""


def _claim_version(institution: Institution, target: SectorTarget, based_on: int) -> None:
    """Bump the slot's version from ``based_on``; raise AnswerConflict when it moved on."""
    if based_on == 0:
        try:
            with transaction.atomic():
                AnswerSlot.objects.create(institution=institution, target=target, version=1)
            return
        except IntegrityError:
            pass  # the slot exists: fall through to the conditional update, which will tell
    claimed = AnswerSlot.objects.filter(
        institution=institution, target=target, version=based_on
    ).update(version=F("version") + 1)
    if not claimed:
        raise AnswerConflict(
            queries.latest_answer(institution, target), queries.answer_version(institution, target)
        )


def bump_answer_versions(pairs: set[tuple[int, int]]) -> None:
    """Move the slots of these (institution id, target id) pairs on by one, in three queries."""
    if not pairs:
        return
    institution_ids = {i for i, _t in pairs}
    existing = {
        (slot.institution_id, slot.target_id): slot.pk
        for slot in AnswerSlot.objects.filter(institution_id__in=institution_ids)
    }
    AnswerSlot.objects.bulk_create(
        [AnswerSlot(institution_id=i, target_id=t, version=1) for i, t in pairs - existing.keys()],
        ignore_conflicts=True,
    )
    AnswerSlot.objects.filter(pk__in=[existing[p] for p in pairs & existing.keys()]).update(
        version=F("version") + 1
    )


def do_save_answer(
    *,
    institution: Institution,
    target: SectorTarget,
    answer: AnswerValue,
    user: AbstractBaseUser | None,
    based_on_version: int,
    source: str = Answer.Source.WEB,
) -> Answer:
    """Add an answer unless someone else saved one since ``based_on_version`` (AnswerConflict)."""
    with transaction.atomic():
        _claim_version(institution, target, based_on_version)
        saved = Answer.objects.create(
            institution=institution,
            target=target,
            applies_on=answer.applies_on,
            explanation=answer.explanation,
            evidence_url=answer.evidence_url,
            entered_by=user,
            source=source,
            **answer.value,
        )
        enqueue_after_commit(RECOMPUTE_TASK, countdown=settings.RECOMPUTE_DELAY_SECONDS)
    return saved


def do_save_answers(
    *,
    institution: Institution,
    items: list[tuple[SectorTarget, AnswerValue, int]],
    user: AbstractBaseUser | None,
    source: str = Answer.Source.API,
) -> list[Answer]:
    """Add several answers (target, value, the version it was based on) in one transaction:
    all of them, or none when any one meets a newer answer (AnswerConflict with its item)."""
    saved = []
    with transaction.atomic():
        for index, (target, answer, based_on_version) in enumerate(items):
            try:
                saved.append(
                    do_save_answer(
                        institution=institution,
                        target=target,
                        answer=answer,
                        user=user,
                        based_on_version=based_on_version,
                        source=source,
                    )
                )
            except AnswerConflict as conflict:
                conflict.item = index
                raise
    return saved


def do_confirm_answers(
    *,
    institution: Institution,
    targets: Iterable[SectorTarget],
    user: AbstractBaseUser,
) -> list[Answer]:
    """ "Nothing changed": repeat each target's current answer as valid today.

    Targets without an answer are skipped: there is nothing to confirm.
    """
    today = timezone.localdate()
    target_list = list(targets)
    latest = queries.latest_answers(institution, target_list)
    confirmed = []
    with transaction.atomic():
        for target in target_list:
            current = latest.get(target.pk)
            if current is None:
                continue
            confirmed.append(
                Answer.objects.create(
                    institution=institution,
                    target=target,
                    status=current.status,
                    score=current.score,
                    percentage=current.percentage,
                    explanation=current.explanation,
                    evidence_url=current.evidence_url,
                    applies_on=today,
                    entered_by=user,
                    source=Answer.Source.CONFIRMATION,
                )
            )
        bump_answer_versions({(institution.pk, answer.target_id) for answer in confirmed})
        if confirmed:
            enqueue_after_commit(RECOMPUTE_TASK, countdown=settings.RECOMPUTE_DELAY_SECONDS)
    return confirmed


def do_import_answers(
    *,
    rows: list[tuple[Institution, SectorTarget, AnswerValue]],
    user: AbstractBaseUser | None,
) -> list[Answer]:
    """Save validated import rows in one transaction (all or nothing)."""
    with transaction.atomic():
        answers = Answer.objects.bulk_create(
            [
                Answer(
                    institution=institution,
                    target=target,
                    applies_on=value.applies_on,
                    explanation=value.explanation,
                    evidence_url=value.evidence_url,
                    entered_by=user,
                    source=Answer.Source.IMPORT,
                    **value.value,
                )
                for institution, target, value in rows
            ],
            batch_size=1000,
        )
        # Imported answers move every touched slot on, so open edit forms see the change.
        bump_answer_versions({(institution.pk, target.pk) for institution, target, _v in rows})
        if rows:
            enqueue_after_commit(RECOMPUTE_TASK, countdown=settings.RECOMPUTE_DELAY_SECONDS)
    return answers


def do_review_answer(
    *, answer: Answer, decision: str, comment: str, reviewer: AbstractBaseUser
) -> AnswerReview:
    return AnswerReview.objects.create(
        answer=answer, decision=decision, comment=comment.strip(), reviewed_by=reviewer
    )
