"""The route as loaded from themes/route_data/ against counts established from the sources.

The counts were established by hand from shared/seeds/000_*.txt (the route) and 004_*.txt (the
Digitaal Bekwaam MBO proposal); themes/route_data/TRANSCRIPTION*.md explains each judgement call.
"""

import datetime
import io
import shutil
from decimal import Decimal

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db.models import Count

from themes.actions import do_record_milestone_status
from themes.loader import RouteDataError, load_roadmap
from themes.models import (
    BudgetAmount,
    BudgetLine,
    Layer,
    Line,
    Milestone,
    Partner,
    Programme,
    SectorTarget,
    SourceRecord,
    Theme,
)

pytestmark = pytest.mark.django_db

# theme code -> (lines, milestones, targets standing in the theme's table)
ROUTE_COUNTS = {
    "doorlopend-het-beste-onderwijs": (4, 16, 14),
    "leren-zonder-drempels": (5, 16, 6),
    "data-ai": (4, 17, 2),
    "cyberweerbaarheid": (4, 8, 2),
    "samen-transformeren": (4, 11, 1),
    "digitale-soevereiniteit": (0, 0, 0),
}


def test_it_loads_six_themes_in_the_overview_order():
    assert list(Theme.objects.values_list("code", flat=True)) == list(ROUTE_COUNTS)
    assert Layer.objects.count() == 3


@pytest.mark.parametrize("code", ROUTE_COUNTS)
def test_each_theme_has_the_lines_milestones_and_targets_of_the_source(code):
    lines, milestones, targets = ROUTE_COUNTS[code]
    theme = Theme.objects.get(code=code)
    assert theme.lines.count() == lines
    assert Milestone.objects.filter(line__theme=theme).count() == milestones
    route_targets = SectorTarget.objects.filter(programme__isnull=True, lines__theme=theme)
    assert route_targets.distinct().count() == targets


def test_route_totals():
    assert Line.objects.count() == 21
    assert Milestone.objects.count() == 68
    by_year = dict(Milestone.objects.values_list("year").annotate(n=Count("id")))
    assert by_year == {2026: 50, 2027: 15, 2028: 3}
    route_targets = SectorTarget.objects.filter(programme__isnull=True)
    assert route_targets.count() == 24
    by_measure = dict(route_targets.values_list("measure").annotate(n=Count("id")))
    assert by_measure == {
        "share_adopted": 18,
        "milestone": 3,
        "institution_share": 1,
        "mean_score": 1,
        "share_at_least": 1,
    }
    assert Partner.objects.count() == 20


def test_a_target_on_two_themes_is_one_target():
    ctl = SectorTarget.objects.get(code="DBO-CTL")
    assert ctl.title == (
        "50% van de mbo-instellingen heeft een center of teaching & learning en is aangesloten "
        "bij het landelijke netwerk."
    )
    assert sorted(ctl.themes.values_list("code", flat=True)) == [
        "doorlopend-het-beste-onderwijs",
        "samen-transformeren",
    ]
    assert ctl.lines.count() == 2
    assert (
        SectorTarget.objects.filter(
            title__startswith="50% van de mbo-instellingen heeft een center"
        ).count()
        == 1
    )


def test_targets_carry_goal_unit_threshold_and_deadline_as_the_source_says():
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    assert (wallet.measure, wallet.goal_value, wallet.unit) == ("share_adopted", Decimal(30), "%")
    assert wallet.deadline.isoformat() == "2028-12-31"

    mean = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    assert (mean.measure, mean.goal_value, mean.unit) == (
        "mean_score",
        Decimal("3.0"),
        "NBA-niveau",
    )
    assert mean.deadline.isoformat() == "2029-12-31"
    assert (mean.score_min, mean.score_max) == (Decimal(0), Decimal(5))

    individual = SectorTarget.objects.get(code="CYB-NBA-INDIVIDUEEL")
    assert individual.measure == "share_at_least"
    assert (individual.goal_value, individual.threshold) == (Decimal(100), Decimal("3.0"))
    assert individual.deadline.isoformat() == "2030-12-31"

    edu_v = SectorTarget.objects.get(code="DBO-EDU-V")
    assert (edu_v.measure, edu_v.goal_value) == ("institution_share", Decimal(70))
    assert edu_v.deadline.isoformat() == "2030-12-31"

    reached = SectorTarget.objects.filter(measure="milestone", programme__isnull=True)
    assert reached.filter(reached_on__isnull=False).count() == 2


def test_milestones_keep_their_timing_as_written_and_as_a_date():
    okx = Milestone.objects.get(title__startswith="Pilots Okx-koppelingen")
    assert okx.year == 2027
    assert okx.when == "start mrt. '27"
    assert okx.due_date.isoformat() == "2027-03-01"
    assert okx.headline is True


def test_the_verrekeningen_line_has_a_note_and_no_milestones():
    line = Line.objects.get(theme__code="leren-zonder-drempels", code="verrekeningen")
    assert line.note.startswith("Dit thema is nog niet relevant voor het mbo")
    assert not line.milestones.exists()


def test_the_programme_is_complete():
    programme = Programme.objects.get(code="digitaal-bekwaam-mbo")
    assert programme.goals.count() == 6
    assert list(programme.spearheads.values_list("letter", flat=True)) == list("ABCDEF")
    assert sum(s.activities.count() for s in programme.spearheads.all()) == 33
    assert programme.phases.count() == 4
    assert programme.budget_lines.filter(is_total=False).count() == 21
    assert programme.people.count() == 8
    assert programme.targets.count() == 8
    assert sorted(programme.themes.values_list("code", flat=True)) == [
        "doorlopend-het-beste-onderwijs",
        "samen-transformeren",
    ]
    eighty = SectorTarget.objects.get(code="DBM-PROF-BELEID-80")
    assert (eighty.goal_value, eighty.deadline.year) == (Decimal(80), 2027)


def test_the_budget_total_row_equals_the_sum_of_the_doelstelling_rows():
    total = BudgetLine.objects.get(is_total=True)
    stated = {a.year: a.amount for a in total.amounts.all()}
    assert stated == {
        2022: Decimal("0.7"),
        2023: Decimal("0.9"),
        2024: Decimal("0.9"),
        2025: Decimal("0.9"),
        2026: Decimal("0.9"),
        2027: Decimal("0.9"),
        2028: Decimal("0.2"),
    }
    for year, amount in stated.items():
        goal_rows = BudgetAmount.objects.filter(
            year=year, line__goal__isnull=False, line__spearhead__isnull=True, line__is_total=False
        )
        assert sum(a.amount for a in goal_rows) == amount, year


def test_loading_twice_changes_nothing():
    before = SourceRecord.objects.count()
    report = load_roadmap()
    assert not report.changed_anything
    assert not report.kept_staff_edits
    assert SourceRecord.objects.count() == before


def test_a_staff_edit_is_kept_on_reload_and_reported():
    milestone = Milestone.objects.get(title__startswith="Pilot Eduwallet")
    do_record_milestone_status(
        milestone=milestone, status=Milestone.Status.DELIVERED, reason="Opgeleverd",
        changed_on=datetime.date(2026, 6, 1), by=None, today=datetime.date(2026, 6, 1),
    )  # fmt: skip
    history_before = milestone.history.count()

    report = load_roadmap()

    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.DELIVERED
    assert any(milestone.code in line and "status" in line for line in report.kept_staff_edits)
    assert milestone.history.count() == history_before


@pytest.fixture
def data_copy(tmp_path, settings):
    target = tmp_path / "route_data"
    shutil.copytree(settings.ROUTE_DATA_DIR, target)
    return target


def _edit_yaml(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_a_changed_file_updates_what_staff_did_not_touch(data_copy):
    def retitle(data):
        data["targets"][0]["text"] = "Nieuwe tekst van het eerste sectordoel."

    _edit_yaml(data_copy / "route.yaml", retitle)
    code = yaml.safe_load((data_copy / "route.yaml").read_text())["targets"][0]["code"]

    report = load_roadmap(data_copy)

    target = SectorTarget.objects.get(code=code)
    assert target.title == "Nieuwe tekst van het eerste sectordoel."
    assert report.updated["sectortarget"] == 1
    assert target.history.first().history_change_reason == "load_roadmap"


def test_a_changed_file_does_not_overwrite_a_staff_edit_of_the_same_field(data_copy):
    SectorTarget.objects.filter(code="LZD-WALLET").update(title="Door staf aangepast.")

    def retitle(data):
        wallet = next(t for t in data["targets"] if t["code"] == "LZD-WALLET")
        wallet["text"] = "Uit het bestand."

    _edit_yaml(data_copy / "route.yaml", retitle)
    report = load_roadmap(data_copy)

    assert SectorTarget.objects.get(code="LZD-WALLET").title == "Door staf aangepast."
    assert any("LZD-WALLET" in line for line in report.kept_staff_edits)


def test_a_bad_file_names_each_error_and_saves_nothing(data_copy):
    def break_it(data):
        data["targets"][0]["measure"] = "guesswork"
        data["targets"][1]["lines"] = ["leren-zonder-drempels/bestaat-niet"]
        data["themes"][0]["lines"][0]["milestones"][0]["due_date"] = "31-12-2026"
        data["targets"][2]["text"] = "Gewijzigd maar mag niet worden opgeslagen."

    _edit_yaml(data_copy / "route.yaml", break_it)
    code = yaml.safe_load((data_copy / "route.yaml").read_text())["targets"][2]["code"]
    before = SectorTarget.objects.get(code=code).title

    with pytest.raises(RouteDataError) as excinfo:
        load_roadmap(data_copy)

    errors = "\n".join(excinfo.value.errors)
    assert "onbekende meting 'guesswork'" in errors
    assert "onbekende lijn 'leren-zonder-drempels/bestaat-niet'" in errors
    assert "due_date geen datum (JJJJ-MM-DD): '31-12-2026'" in errors
    assert SectorTarget.objects.get(code=code).title == before


def test_the_command_reports_errors_without_a_traceback(data_copy):
    (data_copy / "route.yaml").write_text("themes: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="er is niets opgeslagen"):
        call_command("load_roadmap", data_dir=str(data_copy), stdout=io.StringIO())
