"""The open-data API: read-only JSON, no login, stable codes, an OpenAPI schema."""

import pytest

from themes.models import Milestone, SectorTarget

pytestmark = pytest.mark.django_db


def test_targets_list_carries_the_contract_fields(client, django_assert_max_num_queries):
    # Layers and milestones (two prefetches) and the institutions still needed (two snapshot
    # queries) add four, whatever the number of targets.
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/targets/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["count"] == SectorTarget.objects.count()
    wallet = next(t for t in body["results"] if t["code"] == "LZD-WALLET")
    assert wallet["title"].startswith("30% van de mbo-instellingen heeft een wallet")
    assert wallet["themes"] == ["leren-zonder-drempels"]
    assert wallet["measure"] == "share_adopted"
    assert wallet["goal_value"] == 30.0
    assert wallet["unit"] == "%"
    assert wallet["threshold"] is None
    assert wallet["deadline"] == "2028-12-31"


def test_one_target_by_code(client):
    body = client.get("/api/v1/targets/CYB-NBA-INDIVIDUEEL/").json()
    assert body["measure"] == "share_at_least"
    assert body["threshold"] == 3.0
    assert body["goal_value"] == 100.0
    assert body["deadline"] == "2030-12-31"
    assert client.get("/api/v1/targets/NOPE/").status_code == 404


def test_a_shared_target_lists_both_themes(client):
    body = client.get("/api/v1/targets/DBO-CTL/").json()
    assert body["themes"] == ["doorlopend-het-beste-onderwijs", "samen-transformeren"]


def test_targets_filter_by_theme_and_measure(client):
    body = client.get("/api/v1/targets/", {"theme": "cyberweerbaarheid"}).json()
    assert sorted(t["code"] for t in body["results"]) == [
        "CYB-NBA-GEMIDDELD",
        "CYB-NBA-INDIVIDUEEL",
    ]
    body = client.get("/api/v1/targets/", {"measure": "mean_score"}).json()
    assert [t["code"] for t in body["results"]] == ["CYB-NBA-GEMIDDELD"]


def test_themes_lines_and_milestones(client, django_assert_max_num_queries):
    themes = client.get("/api/v1/themes/").json()["results"]
    assert [t["code"] for t in themes][:2] == [
        "doorlopend-het-beste-onderwijs",
        "leren-zonder-drempels",
    ]
    assert len(themes) == 6
    lines = client.get("/api/v1/lines/", {"theme": "data-ai"}).json()["results"]
    assert len(lines) == 4
    with django_assert_max_num_queries(6):
        milestones = client.get("/api/v1/milestones/", {"limit": 500}).json()
    assert milestones["count"] == Milestone.objects.count()
    okx = next(m for m in milestones["results"] if m["when"] == "start mrt. '27")
    assert okx["year"] == 2027 and okx["due_date"] == "2027-03-01"
    filtered = client.get("/api/v1/milestones/", {"year": 2028}).json()
    assert filtered["count"] == 3


def test_the_api_is_read_only(client, admin_client):
    assert client.post("/api/v1/targets/", {}).status_code in (403, 405)
    assert admin_client.delete("/api/v1/targets/LZD-WALLET/").status_code == 405
    assert SectorTarget.objects.filter(code="LZD-WALLET").exists()


def test_the_openapi_schema_and_docs(client):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/themes/",
        "/api/v1/lines/",
        "/api/v1/milestones/",
        "/api/v1/targets/",
        "/api/v1/targets/{code}/",
    ):
        assert path in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
