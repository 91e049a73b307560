"""The recompute benchmark's functions at a tiny scale: not a timing, a check that the floor
query and the recompute agree (so the benchmark compares like with like) and that the data goes
away again."""

import datetime
from decimal import Decimal

import pytest

from benchmarks import data, floor, recompute
from indicators.models import Snapshot
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
    generated = data.generate_data(institutions=3, months=2, today=today, seed=7)
    assert generated.institutions == 3
    assert generated.answers >= 3 * 2 * 20  # about one per answerable target and month
    _awkward_cases(today)

    timing = recompute.time_recompute(today=today)
    figures, _seconds = floor.floor_figures(today=today)
    compared, differences = floor.compare(figures)

    assert differences == []
    assert compared == timing.snapshots == SectorTarget.objects.count() * timing.dates
    # The series starts with the merged institution's first answer, in March 2025.
    assert min(as_of for _target, as_of in figures) == datetime.date(2025, 3, 31)
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    march = figures[(nba.pk, datetime.date(2026, 3, 31))]
    assert (march.answered, march.quartiles[0]) == (1, 3.0)  # only the later entry counts


def test_the_floor_notices_a_wrong_snapshot(db):
    today = datetime.date(2026, 11, 25)
    data.generate_data(institutions=3, months=2, today=today)
    recompute.time_recompute(today=today)
    Snapshot.objects.filter(target__code="DBO-EDU-V", as_of=today).update(value=1.5)
    figures, _seconds = floor.floor_figures(today=today)
    _compared, differences = floor.compare(figures)
    assert len(differences) == 1
    assert differences[0].startswith(f"DBO-EDU-V {today} value: 1.5 != ")


def test_pages_are_measured_and_unrouted_ones_listed(db):
    timings = recompute.measure_pages(["/methode/", "/bestaat/niet/echt/"], repeat=1)
    assert [(t.url, t.status) for t in timings] == [
        ("/methode/", 200),
        ("/bestaat/niet/echt/", None),
    ]
    assert timings[0].milliseconds > 0
    assert "/thema/cyberweerbaarheid/" in recompute.page_urls()


def test_the_run_measures_everything_at_once_and_cleans_up(db, capsys):
    recompute.main(
        ["--institutions", "3", "--months", "3", "--targets", "4", "--repeat", "1",
         "--api-repeat", "2", "--no-pages", "--no-reports", "--force"]
    )  # fmt: skip
    text = capsys.readouterr().out
    for heading in ("(a) full recompute", "(b) floor", "agree", "(c) Incremental",
                    "backdated 300 days", "(e) Open API", "peak memory"):  # fmt: skip
        assert heading in text, heading
    assert not data.generated_institutions().exists()
    assert not Answer.objects.exists()


def test_the_run_refuses_a_production_database_without_force(db, settings, capsys):
    settings.DEBUG = False
    with pytest.raises(SystemExit, match="1"):
        recompute.main(["--institutions", "3"])
    assert "with DEBUG off, add --force" in capsys.readouterr().err


def test_an_incremental_timing_recomputes_one_target_from_the_backdated_month(db):
    today = datetime.date(2026, 11, 25)
    data.generate_data(institutions=3, months=12, today=today)
    recompute.time_recompute(today=today)
    timing = recompute.time_incremental(today=today, days_back=120)
    assert timing.applies_on == datetime.date(2026, 7, 28)
    # July to October month ends and today, for one target.
    assert timing.snapshots == 5
