"""Recomputing the snapshots: idempotent, incremental, enqueued after commit, logged on failure."""

import datetime
import io
import logging
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from indicators.actions import recompute, recompute_pending
from indicators.models import ProgressStatus, RecomputeRun, Snapshot
from institutions.actions import RECOMPUTE_TASK, AnswerValue, do_save_answer
from institutions.models import Answer, Institution
from themes.models import SectorTarget

TODAY = datetime.date(2026, 11, 25)
WALLET, NBA, EDU_V = "LZD-WALLET", "CYB-NBA-GEMIDDELD", "DBO-EDU-V"


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


def _answer(institution, code, day, **value) -> Answer:
    return Answer.objects.create(
        institution=institution,
        target=SectorTarget.objects.get(code=code),
        applies_on=day,
        entered_at=_at(day),
        **value,
    )


@pytest.fixture
def institutions(db) -> list[Institution]:
    rows = [
        ("81QA", None),
        ("81QB", None),
        ("81QC", None),
        ("81QD", datetime.date(2026, 6, 30)),  # merged mid-year
    ]
    return [
        Institution.objects.create(
            code=code, name=f"Instelling {code}", kind="roc",
            active_from=datetime.date(2020, 1, 1), active_to=active_to,
        )
        for code, active_to in rows
    ]  # fmt: skip


@pytest.fixture
def history(institutions) -> list[Institution]:
    """Three reporting rounds in 2026 for three targets; the last institution never reports."""
    a, b, c, _never_reports = institutions
    rounds = [datetime.date(2026, 2, 15), datetime.date(2026, 5, 15), datetime.date(2026, 9, 15)]
    statuses = {a: ["gepland", "in_uitvoering", "gerealiseerd"], b: ["niet_gestart", "gepland",
                "gepland"], c: ["gepland", "gerealiseerd", "gerealiseerd"]}  # fmt: skip
    for institution, steps in statuses.items():
        for day, status in zip(rounds, steps, strict=True):
            _answer(institution, WALLET, day, status=status)
    for step, day in enumerate(rounds):
        _answer(a, NBA, day, score=Decimal("2.1") + step)
        _answer(b, NBA, day, score=Decimal("2.5"))
        _answer(c, EDU_V, day, percentage=Decimal(40 + 10 * step))
    return institutions


def _stored() -> dict[tuple[str, datetime.date], tuple]:
    return {
        (s.target.code, s.as_of): (
            s.value, s.coverage, s.active_institutions, s.answered_institutions, s.details,
            s.expected_value, s.status, s.projected_on, s.is_month_end,
        )
        for s in Snapshot.objects.select_related("target")
    }  # fmt: skip


def _stamps() -> dict[tuple[str, datetime.date], tuple]:
    return {
        (code, as_of): (pk, computed_at)
        for pk, code, as_of, computed_at in Snapshot.objects.values_list(
            "pk", "target__code", "as_of", "computed_at"
        )
    }


def test_recomputing_twice_gives_identical_snapshots(history):
    first = recompute(today=TODAY)
    stored = _stored()
    second = recompute(today=TODAY)
    assert _stored() == stored
    # Every target on every month end of 2026 up to TODAY, and TODAY itself.
    targets = SectorTarget.objects.count()
    assert first.targets == second.targets == targets
    assert first.snapshots == second.snapshots == len(stored) == targets * 11
    wallet = stored[(WALLET, datetime.date(2026, 9, 30))]
    # Two of the three still active (the fourth merged in June) have realised it; all answered.
    assert wallet[:4] == (pytest.approx(200 / 3), 100.0, 3, 3)
    statuses = {row[6] for row in stored.values()}
    assert {ProgressStatus.REACHED, ProgressStatus.UNKNOWN} <= statuses


def test_an_incremental_recompute_touches_one_target_from_the_changed_month(history):
    recompute(today=TODAY)
    before = _stamps()
    _answer(history[1], WALLET, datetime.date(2026, 7, 10), status="gerealiseerd")

    run = recompute_pending(today=TODAY)

    assert (run.kind, run.targets, run.error) == (RecomputeRun.Kind.INCREMENTAL, 1, "")
    assert run.answers_up_to == Answer.objects.latest("id").pk
    after = _stamps()
    assert after.keys() == before.keys()
    changed = {key for key in before if after[key] != before[key]}
    wallet_from_july = {
        (code, day) for code, day in before if code == WALLET and day >= datetime.date(2026, 7, 31)
    }
    assert changed == wallet_from_july
    assert len(changed) == 5  # July, August, September, October month ends and TODAY
    july = Snapshot.objects.get(target__code=WALLET, as_of=datetime.date(2026, 7, 31))
    assert july.value == pytest.approx(200 / 3)  # was 100 / 3: b realised it in July
    # Nothing new since: nothing to do.
    assert recompute_pending(today=TODAY) is None


def test_an_incremental_recompute_gives_what_a_full_one_gives(history):
    recompute(today=TODAY)
    _answer(history[0], NBA, datetime.date(2026, 10, 3), score=Decimal("4.4"))
    _answer(history[2], WALLET, datetime.date(2026, 3, 1), status="in_uitvoering")
    recompute_pending(today=TODAY)
    incremental = _stored()
    recompute(today=TODAY)
    assert _stored() == incremental


def test_many_saves_coalesce_into_one_run(history):
    recompute(today=TODAY)
    before = _stamps()
    _answer(history[0], WALLET, datetime.date(2026, 10, 1), status="gerealiseerd")
    last = _answer(history[2], EDU_V, datetime.date(2026, 4, 3), percentage=Decimal("75.5"))

    run = recompute_pending(today=TODAY)

    assert (run.targets, run.answers_up_to) == (2, last.pk)
    # Both targets from the earliest changed month (April) on; the others untouched.
    changed = {key for key, stamp in _stamps().items() if before[key] != stamp}
    assert {code for code, _day in changed} == {WALLET, EDU_V}
    assert min(day for _code, day in changed) == datetime.date(2026, 4, 30)
    assert recompute_pending(today=TODAY) is None
    assert RecomputeRun.objects.filter(kind=RecomputeRun.Kind.INCREMENTAL).count() == 1


def test_the_first_pending_recompute_without_any_run_computes_everything_answered(history):
    run = recompute_pending(today=TODAY)
    assert run.targets == 3
    assert set(Snapshot.objects.values_list("target__code", flat=True)) == {WALLET, NBA, EDU_V}


def test_an_incremental_recompute_on_a_later_day_measures_from_the_same_baseline(institutions):
    # The first answers arrive after the last month end: the baseline is a "now" figure. An
    # incremental run used to take the 20th's stored "now" as its baseline (and then delete it):
    # onvoldoende_voortgang, where the full recompute says op_koers. Month ends only, now.
    a, b, c, _d = institutions
    _answer(a, WALLET, datetime.date(2026, 11, 10), status="gepland")
    _answer(b, WALLET, datetime.date(2026, 11, 10), status="gepland")
    recompute(today=datetime.date(2026, 11, 20))  # the nightly run of the 20th
    _answer(c, WALLET, datetime.date(2026, 11, 22), status="gepland")

    recompute_pending(today=TODAY)  # a save on the 25th, before that night's full run
    incremental = _stored()[(WALLET, TODAY)]
    recompute(today=TODAY)
    full = _stored()[(WALLET, TODAY)]

    assert full[6] == ProgressStatus.ON_TRACK  # measured from itself: nothing expected yet
    assert incremental == full


# --- Enqueued after commit; a broker outage loses nothing ---------------------------------


def _save(institution, *, version=0) -> Answer:
    return do_save_answer(
        institution=institution,
        target=SectorTarget.objects.get(code=WALLET),
        answer=AnswerValue({"status": "gepland"}, applies_on=datetime.date(2026, 10, 1)),
        user=None,
        based_on_version=version,
    )


def test_a_saved_answer_enqueues_the_recompute_only_after_commit(
    institutions, django_capture_on_commit_callbacks
):
    with mock.patch("roadmap.lib.jobs.app.send_task") as send_task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _save(institutions[0])
            send_task.assert_not_called()
        assert len(callbacks) == 1
        send_task.assert_not_called()  # not before the commit

        callbacks[0]()

    send_task.assert_called_once()
    assert send_task.call_args.args == (RECOMPUTE_TASK,)
    assert send_task.call_args.kwargs["args"] == ()


def test_nothing_is_lost_when_the_broker_is_down(
    institutions, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        saved = _save(institutions[0])
    assert len(callbacks) == 1

    broken = mock.patch(
        "roadmap.lib.jobs.app.send_task", side_effect=ConnectionError("broker down")
    )
    with broken as send_task, caplog.at_level(logging.WARNING, logger="roadmap.lib.jobs"):
        for callback in callbacks:
            callback()  # no exception escapes

    send_task.assert_called_once()
    assert Answer.objects.filter(pk=saved.pk, status="gepland").exists()
    assert "Could not enqueue" in caplog.text
    # The periodic or next recompute still finds the answer.
    assert recompute_pending(today=TODAY).answers_up_to == saved.pk


# --- The command and failures ---------------------------------------------------------------


def test_the_command_recomputes_one_target(history):
    out = io.StringIO()
    call_command("recompute_indicators", "--target", WALLET, stdout=out)
    assert "Herberekend: 1 sectordoelen" in out.getvalue()
    assert set(Snapshot.objects.values_list("target__code", flat=True)) == {WALLET}
    assert RecomputeRun.objects.get().targets == 1


def test_the_command_refuses_an_unknown_target(db):
    with pytest.raises(CommandError, match="BESTAAT-NIET"):
        call_command("recompute_indicators", "--target", "BESTAAT-NIET", stdout=io.StringIO())
    assert not RecomputeRun.objects.exists()


def test_a_failing_recompute_is_logged_and_reraised(history):
    recompute(today=TODAY)
    stored = _stored()
    with (
        mock.patch("indicators.series.compute_series", side_effect=RuntimeError("kapot")),
        pytest.raises(RuntimeError, match="kapot"),
    ):
        recompute(today=TODAY)

    failed = RecomputeRun.objects.order_by("-pk").first()
    assert failed.error == "RuntimeError: kapot"
    assert failed.finished_at is not None
    assert (failed.targets, failed.snapshots) == (0, 0)
    assert _stored() == stored  # the previous figures stay
    # A failed run does not count as done: new answers after it are still picked up.
    _answer(history[0], WALLET, datetime.date(2026, 11, 1), status="gerealiseerd")
    assert recompute_pending(today=TODAY).targets == 1
