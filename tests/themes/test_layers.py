"""Every target and milestone has its layers; lists filter by layer; the counts add up."""

import pytest

from themes import queries
from themes.models import Layer, Milestone, SectorTarget

pytestmark = pytest.mark.django_db


def test_the_layer_counts_add_up_to_the_totals():
    for summary, everything in (
        (queries.target_layer_summary(), queries.route_targets()),
        (queries.milestone_layer_summary(), Milestone.objects.all()),
    ):
        assert summary.total == everything.count()
        # Each counted once: under its one layer, "in several layers" or "without layer".
        assert sum(row.only for row in summary.rows) + summary.several + summary.none == (
            summary.total
        )
        assert summary.adds_up
        for row in summary.rows:
            assert row.in_layer == everything.filter(layers=row.layer).count() >= row.only
        # A shared one is in each of its layers' in_layer: those add up to more.
        shared = sum(row.in_layer for row in summary.rows) - sum(row.only for row in summary.rows)
        assert shared >= 2 * summary.several


def test_a_target_in_two_layers_is_counted_once_as_shared():
    summary = queries.target_layer_summary()
    target = SectorTarget.objects.get(code="DAI-STUDIEDATA")
    assert set(target.layers.values_list("code", flat=True)) == {"docent", "student"}
    target.layers.set([Layer.objects.get(code="school")])
    after = queries.target_layer_summary()
    assert after.several == summary.several - 1
    assert after.total == summary.total and after.adds_up


def test_the_lists_filter_by_layer(client):
    school = set(SectorTarget.objects.filter(layers__code="school").values_list("code", flat=True))
    listed = {t.code for t in client.get("/doelen/", {"laag": "school"}).context["targets"]}
    assert listed == school and school
    milestones = client.get("/mijlpalen/", {"laag": "student"}).context["milestones"]
    assert {m.code for m in milestones} == set(
        Milestone.objects.filter(layers__code="student").values_list("code", flat=True)
    )
    overview = client.get("/", {"laag": "docent"})
    shown = {t.code for theme in overview.context["themes"] for t in theme.targets.all()}
    assert shown == set(
        queries.route_targets().filter(layers__code="docent").values_list("code", flat=True)
    )
    html = overview.content.decode()
    assert "in meer dan één laag" in html and "Sectordoelen en mijlpalen per laag" in html


def test_an_unknown_layer_is_named_and_filters_nothing(client):
    response = client.get("/doelen/", {"laag": "directie"})
    assert response.status_code == 200
    assert len(response.context["targets"]) == SectorTarget.objects.count()
    assert "Selecteer een geldige keuze" in response.content.decode()
