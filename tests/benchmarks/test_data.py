"""The fictional data of the benchmarks: what it holds, and that it goes away again."""

import datetime

import pytest

from benchmarks import data, recompute
from indicators.models import RecomputeRun, Snapshot
from institutions.models import Answer, AnswerSlot, Institution
from institutions.queries import answer_version


def test_generated_data_and_the_benchmark_runs_are_removed_again(db):
    today = datetime.date(2026, 11, 25)
    real = Institution.objects.create(
        code="96QQ", name="Echt", kind="roc", active_from=datetime.date(2020, 1, 1)
    )
    recompute.time_recompute(today=today)
    state = data.save_state()
    before = sorted(Snapshot.objects.values_list("pk", "target_id", "as_of", "value"))

    data.generate_data(institutions=3, months=2, today=today)
    recompute.time_recompute(today=today)
    assert data.delete_generated() == 3
    data.restore_state(state)

    assert list(Institution.objects.all()) == [real]
    assert list(Institution.history.values_list("id", flat=True)) == [real.pk]
    assert not Answer.objects.exists()
    assert sorted(Snapshot.objects.values_list("pk", "target_id", "as_of", "value")) == before
    assert RecomputeRun.objects.count() == 1


def test_generated_codes_cannot_clash_with_brin_or_demo_codes():
    codes = {data._code(n) for n in range(data.MAX_INSTITUTIONS)}
    assert len(codes) == data.MAX_INSTITUTIONS
    assert all(len(c) == 4 and c[0] == "X" for c in codes)  # BRIN: two digits first


def test_the_generator_answers_only_the_targets_asked_for(db):
    generated = data.generate_data(
        institutions=2, months=2, today=datetime.date(2026, 11, 25), targets=3
    )
    assert Answer.objects.values("target").distinct().count() == 3
    assert generated.answers == Answer.objects.count()
    with pytest.raises(ValueError, match="targets must be between"):
        data.generate_data(institutions=2, months=2, today=datetime.date(2026, 11, 25),
                                targets=999)  # fmt: skip


def test_every_institution_has_the_history_row_a_save_writes(db):
    data.generate_data(institutions=2, months=2, today=datetime.date(2026, 11, 25), targets=3)
    rows = Institution.history.values_list("code", "history_type", "history_user")
    assert sorted(rows) == [("X000", "+", None), ("X001", "+", None)]


def test_every_answered_slot_has_a_version_as_after_an_import(db):
    data.generate_data(institutions=2, months=2, today=datetime.date(2026, 11, 25), targets=3)
    answered = set(Answer.objects.values_list("institution", "target").distinct())
    assert set(AnswerSlot.objects.values_list("institution", "target")) == answered
    answer = Answer.objects.first()
    assert answer_version(answer.institution, answer.target) == 1
    assert (answer.source, answer.entered_by, answer.explanation) == ("import", None, "")
