"""The incremental recompute reads only what still counts, and gives what a full one gives.

An incremental run (actions.recompute with from_date) reads each institution's latest answer on
or before the first recomputed date and the answers after it (queries._picked_answers_cte),
not the whole history. Hypothesis draws the same awkward histories as test_definitions.py and
saves part of them later, often dated before figures already stored (a backdated save).
"""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from indicators.actions import recompute, recompute_pending
from indicators.models import Snapshot
from indicators.queries import _picked_answers_cte
from indicators.series import compute_series
from institutions.models import Answer, Institution
from tests.indicators.test_definitions import (
    DrawnAnswer,
    History,
    histories,
    route_targets,  # noqa: F401 (a fixture)
    save_history,
)

TODAY = datetime.date(2027, 4, 15)  # after every drawn answer day but a few


def _stored() -> dict:
    return {
        (s.target_id, s.as_of): (
            s.value, s.coverage, s.active_institutions, s.answered_institutions, s.details,
            s.expected_value, s.status, s.projected_on, s.reached_on, s.is_month_end,
        )
        for s in Snapshot.objects.all()
    }  # fmt: skip


def _save_answers(history: History, answers: list[DrawnAnswer], targets) -> None:
    for drawn in answers:
        Answer.objects.create(
            institution_id=history.institutions[drawn.institution].pk,
            target=targets[drawn.target],
            applies_on=drawn.applies_on,
            entered_at=drawn.entered_at,
            **drawn.value,
        )


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories(), later=st.integers(1, 6))
def test_an_incremental_recompute_after_later_saves_equals_a_full_one(
    route_targets,  # noqa: F811 (the fixture imported above)
    history,
    later,
):
    assume(history.answers)
    with transaction.atomic():
        try:
            # The first answers, a full recompute (the nightly one), then the rest are saved:
            # the drawn order is random, so these are often backdated to stored months.
            earlier, saved_later = history.answers[:-later], history.answers[-later:]
            save_history(History(history.institutions, earlier), route_targets)
            recompute(today=TODAY)
            _save_answers(history, saved_later, route_targets)

            run = recompute_pending(today=TODAY)
            incremental = _stored()
            recompute(today=TODAY)

            assert run is not None and run.error == ""
            assert incremental == _stored()
        finally:
            transaction.set_rollback(True)  # every example on its own


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories())
def test_reading_only_what_still_counts_changes_no_figure(
    route_targets,  # noqa: F811 (the fixture imported above)
    history,
):
    # Any dates: month ends, a day after them and days in between (the interval join).
    with transaction.atomic():
        try:
            save_history(history, route_targets)
            targets = list(route_targets.values())
            everything = compute_series(targets, history.dates)
            picked = compute_series(targets, history.dates, read_from=history.dates[0])
            assert picked == everything
        finally:
            transaction.set_rollback(True)


def test_read_from_may_not_lie_after_the_first_date(route_targets):  # noqa: F811
    day = datetime.date(2026, 5, 31)
    with pytest.raises(ValueError, match="read_from"):
        compute_series(list(route_targets.values()), [day], read_from=day.replace(day=1) + (
            datetime.timedelta(days=40)
        ))  # fmt: skip


def test_an_incremental_recompute_reads_no_answer_replaced_before_the_changed_month(
    route_targets,  # noqa: F811
):
    """Ten years of monthly history for one institution: after a save, the series SQL reads
    the answers that still count from the first recomputed date on, not all 120."""
    wallet = route_targets["LZD-WALLET"]
    institution = Institution.objects.create(
        code="96QQ", name="Lang", kind="roc", active_from=datetime.date(2017, 1, 1)
    )
    month = datetime.date(2017, 4, 1)
    while month <= datetime.date(2027, 4, 1):
        Answer.objects.create(
            institution=institution, target=wallet, applies_on=month,
            entered_at=datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC), status="gepland",
        )  # fmt: skip
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    recompute(today=TODAY)
    Answer.objects.create(
        institution=institution, target=wallet, applies_on=datetime.date(2027, 3, 2),
        entered_at=datetime.datetime(2027, 4, 2, tzinfo=datetime.UTC), status="gerealiseerd",
    )  # fmt: skip

    with CaptureQueriesContext(connection) as captured:
        run = recompute_pending(today=TODAY)

    assert (run.targets, run.snapshots) == (1, 2)  # March's month end and today
    series_sql = [q["sql"] for q in captured.captured_queries if "OVER w" in q["sql"]]
    assert len(series_sql) == 1 and "picked AS" in series_sql[0]
    # What it read, by the same CTE: the answer valid on March 31 and the one after it.
    sql, params = _picked_answers_cte([wallet.pk], datetime.date(2027, 3, 31))
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {sql} SELECT applies_on FROM picked ORDER BY applies_on", params)  # noqa: S608
        days = [str(row[0]) for row in cursor.fetchall()]
    assert days == ["2027-03-02", "2027-04-01"]
    march = Snapshot.objects.get(target=wallet, as_of=datetime.date(2027, 3, 31))
    assert march.value == 100.0  # the later, backdated answer replaced March 1st's
    assert Snapshot.objects.get(target=wallet, as_of=TODAY).value == 0.0
