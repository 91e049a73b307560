"""Which version's goals apply on a date, and the versions in the open API."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest

from indicators.tasks import recompute_all
from themes.actions import do_publish_route_version
from themes.models import RouteVersion, SectorTarget
from themes.versions import Change, Goal, diff, goals_in_force, goals_timeline
from themes.views import RECOMPUTE_ALL_TASK

pytestmark = pytest.mark.django_db

WALLET = "LZD-WALLET"
DEADLINE = datetime.date(2028, 12, 31)
# Noon in Amsterdam: the version's local date is the day itself.
FIRST_PUBLISHED = datetime.datetime(2026, 1, 5, 11, tzinfo=datetime.UTC)
CHANGE_PUBLISHED = datetime.datetime(2026, 4, 15, 11, tzinfo=datetime.UTC)


@pytest.fixture
def wallet_30_then_40(sector_staff):
    """Version 1 (the first load) with the wallet at 30 on 5 January; the goal changed to 40
    and published as version 2 on 15 April."""
    RouteVersion.objects.filter(number=1).update(published_at=FIRST_PUBLISHED)
    wallet = SectorTarget.objects.get(code=WALLET)
    wallet.goal_value = Decimal("40")
    wallet.save()
    do_publish_route_version(note="Wallet naar 40%", by=sector_staff, now=CHANGE_PUBLISHED)
    return wallet


def test_the_goal_in_force_is_that_of_the_last_version_published_on_or_before_the_date(
    wallet_30_then_40, django_assert_num_queries
):
    with django_assert_num_queries(1):
        goals = goals_timeline()
    wallet = wallet_30_then_40
    assert goals.goal(wallet, datetime.date(2026, 4, 14)) == Goal(Decimal("30"), DEADLINE)
    assert goals.goal(wallet, datetime.date(2026, 4, 15)) == Goal(Decimal("40"), DEADLINE)
    assert goals.goal(wallet, datetime.date(2027, 1, 1)) == Goal(Decimal("40"), DEADLINE)
    # Before the first publication: the first version, not today's edits.
    assert goals.goal(wallet, datetime.date(2025, 6, 30)) == Goal(Decimal("30"), DEADLINE)
    assert goals.version_on(datetime.date(2026, 4, 14)).number == 1
    assert goals.version_on(datetime.date(2026, 4, 15)).number == 2
    assert goals_in_force(datetime.date(2026, 3, 31))[WALLET] == (Decimal("30"), DEADLINE)
    assert goals_in_force(datetime.date(2026, 5, 31))[WALLET] == (Decimal("40"), DEADLINE)


def test_an_unpublished_edit_does_not_change_the_goal_in_force(wallet_30_then_40):
    wallet = wallet_30_then_40
    wallet.goal_value = Decimal("55")
    wallet.save()
    assert goals_timeline().goal(wallet, datetime.date(2026, 12, 1)).value == Decimal("40")


def test_a_target_not_in_any_version_and_a_route_without_versions_use_the_live_goal():
    new = SectorTarget(code="NIEUW-DOEL", goal_value=Decimal("25"), deadline=DEADLINE)
    assert goals_timeline().goal(new, datetime.date(2026, 6, 30)) == Goal(Decimal("25"), DEADLINE)
    RouteVersion.objects.all().delete()
    wallet = SectorTarget.objects.get(code=WALLET)
    goals = goals_timeline()
    assert goals.version_on(datetime.date(2026, 6, 30)) is None
    assert goals.goal(wallet, datetime.date(2026, 6, 30)) == Goal(wallet.goal_value, DEADLINE)
    assert goals_in_force(datetime.date(2026, 6, 30)) == {}


def test_the_diff_lists_the_one_change(wallet_30_then_40):
    v1, v2 = RouteVersion.objects.get(number=1), RouteVersion.objects.get(number=2)
    assert diff(v1.content, v2.content) == [
        Change("targets", WALLET, "changed", "goal_value", "30", "40")
    ]


def test_the_api_lists_the_versions_newest_first(client, wallet_30_then_40):
    response = client.get("/api/v1/versions/")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert [v["number"] for v in body] == [2, 1]
    assert body[0]["note"] == "Wallet naar 40%"
    assert body[0]["published_at"].startswith("2026-04-15T13:00:00")  # Amsterdam, summer time
    assert set(body[0]) == {"number", "note", "published_at"}


def test_the_api_detail_has_the_diff_against_the_previous_version(
    client, wallet_30_then_40, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        body = client.get("/api/v1/versions/2/").json()
    assert body["number"] == 2 and body["previous"] == 1
    assert body["changes"] == [
        {
            "kind": "targets",
            "code": WALLET,
            "change": "changed",
            "field": "goal_value",
            "old": "30",
            "new": "40",
        }
    ]
    first = client.get("/api/v1/versions/1/").json()
    assert first["previous"] is None and first["changes"] == []


@pytest.mark.parametrize("number", ["3", "0", "abc", "99999999999999999999"])
def test_an_unknown_version_is_the_apis_json_404(client, number):
    response = client.get(f"/api/v1/versions/{number}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_the_versions_api_is_read_only(client, sector_staff):
    client.force_login(sector_staff)
    assert client.post("/api/v1/versions/", {"note": "x"}).status_code in (403, 405)
    assert RouteVersion.objects.count() == 1


PUBLISH_URL = "/route/versies/publiceren/"


def test_publishing_a_version_queues_the_full_recompute_after_commit(
    client, sector_staff, django_capture_on_commit_callbacks
):
    assert recompute_all.name == RECOMPUTE_ALL_TASK  # the task indicators registers
    client.force_login(sector_staff)
    with mock.patch("roadmap.lib.jobs.app.send_task") as send_task:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post(PUBLISH_URL, {"note": "Vastgesteld"})
        assert response.status_code == 302
        assert RouteVersion.objects.filter(number=2).exists()
        send_task.assert_not_called()  # not before the commit
        assert len(callbacks) == 1

        callbacks[0]()

    send_task.assert_called_once()
    assert send_task.call_args.args == (RECOMPUTE_ALL_TASK,)
    assert send_task.call_args.kwargs["args"] == ()


def test_a_refused_publish_queues_nothing(
    client, sector_staff, cio_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.force_login(cio_a)
        assert client.post(PUBLISH_URL, {"note": "Nee"}).status_code == 403
        client.force_login(sector_staff)
        assert client.post(PUBLISH_URL, {"note": "  "}).status_code == 422
    assert callbacks == []
    assert not RouteVersion.objects.filter(number=2).exists()


def test_the_version_is_published_when_the_broker_is_down(
    client, sector_staff, django_capture_on_commit_callbacks
):
    client.force_login(sector_staff)
    broken = mock.patch(
        "roadmap.lib.jobs.app.send_task", side_effect=ConnectionError("broker down")
    )
    with broken as send_task, django_capture_on_commit_callbacks(execute=True):
        response = client.post(PUBLISH_URL, {"note": "Vastgesteld"})
    send_task.assert_called_once()
    assert response.status_code == 302
    assert RouteVersion.objects.filter(number=2, note="Vastgesteld").exists()
