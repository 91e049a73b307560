"""Figures as of a date read the stored snapshots; a date without them is computed for that day
only, once per figures' version. No anonymous request does work that grows with all answers."""

import datetime
from unittest import mock

import pytest

from indicators import actions, series
from indicators.actions import recompute
from indicators.models import Snapshot
from indicators.series import figures_as_of, figures_on
from reports.tables import build_report_data
from tests.indicators.test_recompute import (  # noqa: F401 (fixtures)
    TODAY,
    WALLET,
    _answer,
    history,
    institutions,
)
from themes.models import SectorTarget

MONTH_END = datetime.date(2026, 9, 30)
MID_MONTH = datetime.date(2026, 10, 14)


@pytest.fixture
def recomputed(history):  # noqa: F811
    recompute(today=TODAY)
    return history


def _spy():
    return mock.patch.object(series, "compute_series", wraps=series.compute_series)


def test_the_api_as_of_a_stored_month_end_reads_the_snapshots(
    client, recomputed, django_assert_max_num_queries
):
    stored = Snapshot.objects.get(target__code=WALLET, as_of=MONTH_END)
    with _spy() as compute, django_assert_max_num_queries(12):
        body = client.get("/api/v1/targets/", {"as_of": MONTH_END.isoformat()}).json()
    compute.assert_not_called()
    wallet = next(t for t in body["results"] if t["code"] == WALLET)
    assert (wallet["value"], wallet["status"]) == (round(stored.value, 1), stored.status)
    assert wallet["as_of"] == MONTH_END.isoformat()


def test_a_day_without_snapshots_is_computed_once_per_figures_version(client, recomputed):
    url = f"/api/v1/targets/LZD-WALLET/?as_of={MID_MONTH.isoformat()}"
    with _spy() as compute:
        first = client.get(url).json()
        again = client.get(url).json()
    assert compute.call_count == 1
    # That day only, reading the answers still valid on it (not the whole history).
    assert compute.call_args.args[1] == [MID_MONTH]
    assert compute.call_args.kwargs == {"read_from": MID_MONTH}
    assert first == again

    # A later answer for that day and a recompute: a new version, computed afresh.
    _answer(recomputed[1], WALLET, datetime.date(2026, 10, 1), status="gerealiseerd")
    actions.recompute_pending(today=TODAY)
    with _spy() as compute:
        after = client.get(url).json()
    assert compute.call_count == 1
    assert after["value"] > first["value"]


def test_stored_and_computed_figures_agree(recomputed):
    targets = list(SectorTarget.objects.all())
    stored = figures_as_of(targets, MONTH_END)
    computed = series._compute_as_of(targets, MONTH_END)
    assert stored.keys() == computed.keys()
    for target_id, (figure, progress) in stored.items():
        live_figure, live_progress = computed[target_id]
        assert figure.value == pytest.approx(live_figure.value)
        assert (figure.coverage, figure.active, figure.answered) == pytest.approx(
            (live_figure.coverage, live_figure.active, live_figure.answered)
        )
        assert (progress.status, progress.projected_on) == (
            live_progress.status,
            live_progress.projected_on,
        )
        assert progress.expected_value == pytest.approx(live_progress.expected_value)


def test_figures_on_computes_only_the_dates_without_snapshots(recomputed):
    targets = list(SectorTarget.objects.all())
    dates = [datetime.date(2026, 8, 31), MONTH_END, MID_MONTH]
    with _spy() as compute:
        mixed = figures_on(targets, dates)
    compute.assert_called_once()
    assert compute.call_args.args[1] == [MID_MONTH]
    everything = series.compute_series(targets, dates)
    for target in targets:
        assert [f.as_of for f in mixed[target.pk]] == dates
        for got, want in zip(mixed[target.pk], everything[target.pk], strict=True):
            assert (got.value, got.coverage, got.answered) == pytest.approx(
                (want.value, want.coverage, want.answered)
            )


def test_a_report_as_of_a_stored_month_end_computes_nothing_live(recomputed):
    with _spy() as compute:
        data = build_report_data(as_of=MONTH_END, compare_to=datetime.date(2026, 5, 31))
    compute.assert_not_called()
    wallet = data.targets[data.targets["target"] == WALLET].iloc[0]
    stored = Snapshot.objects.get(target__code=WALLET, as_of=MONTH_END)
    assert wallet["value"] == pytest.approx(stored.value)
    with _spy() as compute:
        build_report_data(as_of=MID_MONTH)
    compute.assert_called_once()
    assert compute.call_args.args[1] == [MID_MONTH]


def test_current_answers_are_the_latest_per_institution_without_reading_the_history(history):  # noqa: F811
    from indicators.queries import current_answers
    from institutions.queries import latest_answers_as_of

    targets = list(SectorTarget.objects.all())
    day = datetime.date(2026, 6, 15)
    # Two on one day with the same entry time: the higher id wins, as everywhere.
    _answer(history[0], WALLET, datetime.date(2026, 5, 15), status="niet_gestart")
    expected = {
        a.pk
        for a in latest_answers_as_of(targets=targets, as_of=day)
        if a.institution.is_active_on(day)
    }
    assert (
        set(current_answers([t.pk for t in targets], day).values_list("pk", flat=True)) == expected
    )
