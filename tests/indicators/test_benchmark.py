"""The benchmark's functions at a tiny scale: not a timing, a check that the floor query and the
recompute agree (so the benchmark compares like with like) and that the data goes away again."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from indicators import benchmark
from indicators.models import RecomputeRun, Snapshot
from institutions.models import Answer, Institution
from themes.models import SectorTarget


def _awkward_cases(today: datetime.date) -> None:
    """What the generator does not make: institutions active only before the series or only
    after today, two entries on one day with the same entered_at, an answer after today."""
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    gone = Institution.objects.create(
        code="93QQ", name="Gefuseerd", kind="roc", active_from=datetime.date(2020, 1, 1),
        active_to=datetime.date(2025, 6, 30),
    )  # fmt: skip
    future = Institution.objects.create(
        code="94QQ", name="Nog niet gestart", kind="roc",
        active_from=today + datetime.timedelta(days=3),
    )  # fmt: skip
    both = Institution.objects.create(
        code="95QQ", name="Dubbel", kind="roc", active_from=datetime.date(2025, 9, 1)
    )
    noon = datetime.datetime(2026, 3, 3, 12, tzinfo=datetime.UTC)
    rows = [
        (gone, wallet, datetime.date(2025, 3, 1), {"status": "gerealiseerd"}),
        (future, wallet, datetime.date(2026, 2, 1), {"status": "gerealiseerd"}),
        (future, nba, datetime.date(2026, 2, 1), {"score": Decimal("4.5")}),
        (both, nba, datetime.date(2026, 3, 3), {"score": Decimal("1.0")}),
        (both, nba, datetime.date(2026, 3, 3), {"score": Decimal("3.0")}),  # same time, wins
        (both, wallet, today + datetime.timedelta(days=1), {"status": "gerealiseerd"}),
    ]
    for institution, target, day, value in rows:
        Answer.objects.create(
            institution=institution, target=target, applies_on=day, entered_at=noon, **value
        )


@pytest.mark.parametrize(
    "today",
    [datetime.date(2026, 11, 25), datetime.date(2026, 11, 30)],
    ids=["mid-month", "month-end"],
)
def test_the_floor_query_and_the_recompute_agree(db, today):
    generated = benchmark.generate_data(institutions=3, months=2, today=today, seed=7)
    assert generated.institutions == 3
    assert generated.answers >= 3 * 2 * 20  # about one per answerable target and month
    _awkward_cases(today)

    timing = benchmark.time_recompute(today=today)
    floor, _seconds = benchmark.floor_figures(today=today)
    compared, differences = benchmark.compare(floor)

    assert differences == []
    assert compared == timing.snapshots == SectorTarget.objects.count() * timing.dates
    # The series starts with the merged institution's first answer, in March 2025.
    assert min(as_of for _target, as_of in floor) == datetime.date(2025, 3, 31)
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    march = floor[(nba.pk, datetime.date(2026, 3, 31))]
    assert (march.answered, march.quartiles[0]) == (1, 3.0)  # only the later entry counts


def test_the_floor_notices_a_wrong_snapshot(db):
    today = datetime.date(2026, 11, 25)
    benchmark.generate_data(institutions=3, months=2, today=today)
    benchmark.time_recompute(today=today)
    Snapshot.objects.filter(target__code="DBO-EDU-V", as_of=today).update(value=1.5)
    floor, _seconds = benchmark.floor_figures(today=today)
    _compared, differences = benchmark.compare(floor)
    assert len(differences) == 1
    assert differences[0].startswith(f"DBO-EDU-V {today} value: 1.5 != ")


def test_generated_data_and_the_benchmark_runs_are_removed_again(db):
    today = datetime.date(2026, 11, 25)
    real = Institution.objects.create(
        code="96QQ", name="Echt", kind="roc", active_from=datetime.date(2020, 1, 1)
    )
    benchmark.time_recompute(today=today)
    state = benchmark.save_state()
    before = sorted(Snapshot.objects.values_list("pk", "target_id", "as_of", "value"))

    benchmark.generate_data(institutions=3, months=2, today=today)
    benchmark.time_recompute(today=today)
    assert benchmark.delete_generated() == 3
    benchmark.restore_state(state)

    assert list(Institution.objects.all()) == [real]
    assert not Answer.objects.exists()
    assert sorted(Snapshot.objects.values_list("pk", "target_id", "as_of", "value")) == before
    assert RecomputeRun.objects.count() == 1


def test_pages_are_measured_and_unrouted_ones_listed(db):
    timings = benchmark.measure_pages(["/methode/", "/bestaat/niet/echt/"], repeat=1)
    assert [(t.url, t.status) for t in timings] == [
        ("/methode/", 200),
        ("/bestaat/niet/echt/", None),
    ]
    assert timings[0].milliseconds > 0
    assert "/thema/cyberweerbaarheid/" in benchmark.page_urls()


def test_generated_codes_cannot_clash_with_brin_or_demo_codes():
    codes = {benchmark._code(n) for n in range(benchmark.MAX_INSTITUTIONS)}
    assert len(codes) == benchmark.MAX_INSTITUTIONS
    assert all(len(c) == 4 and c[0] == "X" for c in codes)  # BRIN: two digits first


def test_the_command_measures_everything_in_one_run_and_cleans_up(db):
    out = io.StringIO()
    call_command(
        "benchmark_indicators", institutions=3, months=3, targets=4, repeat=1, api_repeat=2,
        no_pages=True, no_reports=True, force=True, stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    for heading in ("(a) full recompute", "(b) floor", "agree", "(c) Incremental",
                    "backdated 300 days", "(e) Open API", "peak memory"):  # fmt: skip
        assert heading in text, heading
    assert not benchmark.generated_institutions().exists()
    assert not Answer.objects.exists()


def test_a_report_is_timed_per_format(db):
    today = datetime.date(2026, 11, 25)
    benchmark.generate_data(institutions=3, months=3, today=today)
    benchmark.time_recompute(today=today)
    (timing,) = benchmark.time_reports(
        as_of=datetime.date(2026, 10, 15), compare_to=datetime.date(2025, 10, 31), formats=["csv"]
    )
    assert (timing.file_format, timing.seconds > 0, timing.size > 1000) == ("csv", True, True)


def test_the_generator_answers_only_the_targets_asked_for(db):
    generated = benchmark.generate_data(
        institutions=2, months=2, today=datetime.date(2026, 11, 25), targets=3
    )
    assert Answer.objects.values("target").distinct().count() == 3
    assert generated.answers == Answer.objects.count()
    with pytest.raises(ValueError, match="targets must be between"):
        benchmark.generate_data(institutions=2, months=2, today=datetime.date(2026, 11, 25),
                                targets=999)  # fmt: skip


def test_an_incremental_timing_recomputes_one_target_from_the_backdated_month(db):
    today = datetime.date(2026, 11, 25)
    benchmark.generate_data(institutions=3, months=12, today=today)
    benchmark.time_recompute(today=today)
    timing = benchmark.time_incremental(today=today, days_back=120)
    assert timing.applies_on == datetime.date(2026, 7, 28)
    # July to October month ends and today, for one target.
    assert timing.snapshots == 5
