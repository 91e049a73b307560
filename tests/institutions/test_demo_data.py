"""The fictional demo data looks like a sector on its way: varied pace per target, progress that
grows from round to round, some institutions late and a few that never report."""

import datetime

import pytest
from django.db.models import Max

from indicators.actions import recompute
from indicators.models import ProgressStatus, Snapshot
from institutions.models import Answer, Institution
from roadmap.demo import load_demo_data

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 30)  # the month end the demo is made to open on


@pytest.fixture
def demo():
    load_demo_data(today=datetime.date(2026, 12, 1))
    recompute(today=AS_OF)
    return {s.target.code: s for s in Snapshot.objects.filter(as_of=AS_OF).select_related("target")}


def test_no_share_target_stands_at_zero(demo):
    shares = [s for s in demo.values() if s.target.measure in {"share_adopted", "share_at_least"}]
    assert shares
    for snapshot in shares:
        assert snapshot.coverage > 85
        assert snapshot.value > 0, snapshot.target.code


def test_targets_move_at_different_paces(demo):
    statuses = {s.status for s in demo.values() if s.target.measure != "milestone"}
    # Loose on purpose: how a pace maps to a status is the indicators' business.
    assert statuses & {ProgressStatus.REACHED, ProgressStatus.ON_TRACK}
    assert ProgressStatus.MODERATE in statuses
    assert statuses & {ProgressStatus.INSUFFICIENT, ProgressStatus.DECLINING}
    assert len(statuses) >= 4
    values = [round(s.value) for s in demo.values() if s.target.measure == "share_adopted"]
    assert len(set(values)) >= 8


def test_most_figures_grow_over_the_rounds(demo):
    first = {
        s.target.code: s.value
        for s in Snapshot.objects.filter(as_of=datetime.date(2025, 11, 30))
        if s.target.measure != "milestone"
    }
    assert len(first) >= 20
    grew = [code for code, value in first.items() if demo[code].value > value]
    assert len(grew) >= len(first) - 2


def test_some_institutions_are_late_and_a_few_never_report():
    load_demo_data(today=datetime.date(2026, 12, 1))
    last = dict(
        Institution.objects.annotate(last=Max("answers__applies_on")).values_list("code", "last")
    )
    never = [code for code, day in last.items() if day is None]
    late = [code for code, day in last.items() if day == datetime.date(2026, 5, 15)]
    assert 3 <= len(never) <= 8
    assert len(late) >= 3  # the merged institution is one of them, the others stopped reporting
    assert Answer.objects.filter(applies_on__lt=datetime.date(2026, 1, 1)).exists()  # nulmeting


def test_the_demo_data_is_the_same_every_time_and_loads_once():
    def answers():
        return list(
            Answer.objects.order_by("institution__code", "target__code", "applies_on").values_list(
                "institution__code", "target__code", "applies_on", "status", "score", "percentage"
            )
        )

    today = datetime.date(2026, 12, 1)
    load_demo_data(today=today)
    once = answers()
    assert load_demo_data(today=today)["answers"] == 0  # a second run adds nothing
    Answer.objects.all().delete()
    load_demo_data(today=today)
    assert answers() == once
