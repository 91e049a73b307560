"""Published versions of the route: what each held, and exactly what changed between two."""

from decimal import Decimal

import pytest

from themes import queries
from themes.actions import do_publish_route_version
from themes.loader import load_roadmap
from themes.models import Milestone, RouteVersion, SectorTarget
from themes.versions import Change, diff

pytestmark = pytest.mark.django_db


def test_the_first_load_published_version_1_and_a_reload_publishes_nothing():
    first = queries.current_route_version()
    assert first.number == 1 and first.published_by is None
    assert set(first.content["targets"]) == set(SectorTarget.objects.values_list("code", flat=True))
    assert len(first.content["milestones"]) == Milestone.objects.count()
    load_roadmap()
    assert RouteVersion.objects.count() == 1


def test_a_goal_changed_from_30_to_40_and_published_is_the_one_change(sector_staff):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    assert wallet.goal_value == 30
    v1 = queries.current_route_version()
    wallet.goal_value = Decimal("40")
    wallet.save()
    v2 = do_publish_route_version(note="Ledenvergadering: wallet naar 40%", by=sector_staff)

    assert v2.number == 2 and queries.current_route_version() == v2
    assert diff(v1.content, v2.content) == [
        Change("targets", "LZD-WALLET", "changed", "goal_value", "30", "40")
    ]
    assert queries.goal_in_version(wallet, v1) == Decimal("30")
    assert queries.goal_in_version(wallet, v2) == Decimal("40")


def test_the_diff_names_added_removed_texts_and_deadlines():
    v1 = queries.current_route_version()
    milestone = Milestone.objects.get(code="LZD-RC-2026-1")
    milestone.title = "Pilot Eduwallet in twee proeftuinen"
    milestone.save()
    target = SectorTarget.objects.get(code="LZD-ALL")
    target.deadline = target.deadline.replace(year=2029)
    target.save()
    SectorTarget.objects.filter(code="DBO-PDG").delete()
    v2 = do_publish_route_version(note="Bijgewerkt", by=None)
    changes = diff(v1.content, v2.content)
    assert Change("targets", "DBO-PDG", "removed") in changes
    assert (
        Change("targets", "LZD-ALL", "changed", "deadline", "2028-12-31", "2029-12-31") in changes
    )
    assert (
        Change(
            "milestones",
            "LZD-RC-2026-1",
            "changed",
            "title",
            "Pilot Eduwallet in de proeftuin",
            "Pilot Eduwallet in twee proeftuinen",
        )
        in changes
    )
    assert len(changes) == 3
    assert diff(v2.content, v1.content)[0] == Change("targets", "DBO-PDG", "added")
    assert queries.goal_in_version(SectorTarget(code="DBO-PDG"), v2) is None


def test_the_version_pages_list_versions_and_the_diff(client):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    wallet.goal_value = Decimal("40")
    wallet.save()
    do_publish_route_version(note="Wallet naar 40%", by=None)
    listing = client.get("/route/versies/").content.decode()
    assert "Wallet naar 40%" in listing and 'href="/route/versies/1/2/"' in listing
    assert "Versie publiceren" not in listing  # the form is for staff
    page = client.get("/route/versies/1/2/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 wijziging" in html and "LZD-WALLET" in html and "streefwaarde" in html
    assert client.get("/route/versies/1/9/").status_code == 404


def test_staff_publish_in_the_browser_and_others_may_not(client, sector_staff, cio_a):
    client.force_login(cio_a)
    assert client.post("/route/versies/publiceren/", {"note": "Nee"}).status_code == 403
    client.force_login(sector_staff)
    page = client.get("/route/versies/").content.decode()
    assert "Sinds versie 1 is niets gewijzigd" in page
    assert client.post("/route/versies/publiceren/", {"note": "  "}).status_code == 422
    response = client.post("/route/versies/publiceren/", {"note": "Vastgesteld"})
    assert response.status_code == 302 and response["Location"] == "/route/versies/#versie-2"
    version = queries.current_route_version()
    assert (version.number, version.note, version.published_by) == (2, "Vastgesteld", sector_staff)
