"""The "per laag" tables of the dashboard and the reports: each target and milestone counts
once, so every row and column adds up to the totals; the layer filter narrows both."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from indicators.actions import recompute
from institutions.models import Answer
from reports.tables import build_report_data
from reports.xlsx import write_xlsx
from themes.layers import SEVERAL, count_by_layer, milestones_by_layer
from themes.models import Layer, Milestone, SectorTarget
from themes.queries import route_targets

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 15)
STATUSES = [("a", "A"), ("b", "B")]


def _adds_up(table, expected_total: int) -> None:
    assert table.total == expected_total
    assert sum(row.total for row in table.rows) == table.total
    assert sum(table.totals) == table.total
    for index, column_total in enumerate(table.totals):
        assert sum(row.counts[index] for row in table.rows) == column_total


def test_an_item_in_two_layers_counts_once_under_several():
    table = count_by_layer(
        [("a", ["school"]), ("a", ["school", "docent"]), ("b", []), ("b", ["student"])],
        statuses=STATUSES,
    )
    by_label = {row.label: row.counts for row in table.rows}
    assert by_label["alleen School"] == [1, 0]
    assert by_label["alleen Student"] == [0, 1]
    assert by_label["in meer dan één laag"] == [1, 0]
    assert by_label["zonder laag"] == [0, 1]
    assert table.totals == [2, 2]
    _adds_up(table, 4)
    # Every layer has its row, also an empty one; the shared row only when it counts something.
    assert by_label["alleen Docent"] == [0, 0]
    assert count_by_layer([("a", ["school"])], statuses=STATUSES).rows[-1].kind != SEVERAL


def test_milestones_by_layer_counts_each_milestone_once_in_the_database(
    django_assert_num_queries,
):
    layers = list(Layer.objects.order_by("number"))
    with django_assert_num_queries(1):
        table = milestones_by_layer(Milestone.objects.all(), layers=layers)
    _adds_up(table, Milestone.objects.count())
    for row in table.rows:
        if row.layer is not None:
            only_this_layer = [
                m for m in Milestone.objects.filter(layers=row.layer).prefetch_related("layers")
                if len(m.layers.all()) == 1
            ]  # fmt: skip
            assert row.total == len(only_this_layer)


@pytest.fixture
def figures(institution_a, institution_b):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    for institution, status in ((institution_a, "gerealiseerd"), (institution_b, "gepland")):
        Answer.objects.create(institution=institution, target=wallet, status=status, applies_on=DAY)
    recompute()


def test_the_dashboard_tables_add_up_to_the_targets_shown(client, figures):
    response = client.get("/dashboard/")
    results = response.context["results"]
    _adds_up(results.targets_by_layer, len(results.rows))
    _adds_up(results.milestones_by_layer, Milestone.objects.count())
    html = response.content.decode()
    assert "Sectordoelen per laag en voortgang" in html and "Elk telt hier één keer" in html


def test_the_dashboard_filters_by_layer(client, figures):
    response = client.get("/dashboard/", {"laag": "docent"})
    results = response.context["results"]
    shown = {row.target.code for row in results.rows}
    assert shown
    assert all(
        "docent" in SectorTarget.objects.get(code=code).layers.values_list("code", flat=True)
        for code in shown
    )
    _adds_up(results.targets_by_layer, len(shown))
    _adds_up(results.milestones_by_layer, Milestone.objects.filter(layers__code="docent").count())
    # Nothing shown counts under "alleen School": those are not in the docent layer.
    school = next(r for r in results.targets_by_layer.rows if r.layer and r.layer.code == "school")
    assert school.total == 0


def test_a_report_for_one_layer_reports_only_its_targets_and_milestones(figures):
    data = build_report_data(as_of=date(2026, 6, 30), layer_code="student")
    student = set(
        route_targets().filter(layers__code="student").values_list("code", flat=True)
    ) | set(SectorTarget.objects.filter(layers__code="student").values_list("code", flat=True))
    assert set(data.targets["target"]) <= student and set(data.targets["target"])
    assert data.layer.code == "student"
    _adds_up(data.targets_by_layer, data.targets["target"].nunique())
    _adds_up(data.milestones_by_layer, Milestone.objects.filter(layers__code="student").count())

    workbook = load_workbook(
        io.BytesIO(write_xlsx(data, generated_at=datetime(2026, 7, 1, 9, 30), generated_by="T"))
    )
    assert workbook["Samenvatting"]["B7"].value == "Student"
    # Rows as written: the sheet pads each to its widest table (the milestones').
    rows = [_trimmed(r) for r in workbook["Per laag"].iter_rows(values_only=True)]
    assert rows[0] == ["Sectordoelen per laag en voortgang"]
    header, *body = rows[1:]
    total_row = next(r for r in body if r[0] == "Totaal")
    assert header[0] == "Laag" and header[-1] == "Totaal"
    assert total_row[-1] == data.targets["target"].nunique()


def _trimmed(row) -> list:
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return row
