"""Sector staff keep the route current in the admin; every change is kept with who and when."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from themes.models import Milestone, SectorTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def sector_staff(client):
    call_command("load_demo_data", stdout=io.StringIO())
    user = get_user_model().objects.get(username="staf@routekaart.example")
    client.force_login(user)
    return user


def test_sector_staff_change_a_milestone_status_and_the_history_keeps_who(client, sector_staff):
    milestone = Milestone.objects.get(title__startswith="Pilot Eduwallet")
    url = f"/admin/themes/milestone/{milestone.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["owners"] = [o.pk for o in milestone.owners.all()]
    data["status"] = "in_progress"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    milestone.refresh_from_db()
    assert milestone.status == "in_progress"
    latest = milestone.history.first()
    assert latest.history_user == sector_staff
    assert latest.status == "in_progress"
    assert milestone.history.count() == 2


def test_sector_staff_see_the_history_page(client, sector_staff):
    target = SectorTarget.objects.get(code="LZD-WALLET")
    response = client.get(f"/admin/themes/sectortarget/{target.pk}/history/")
    assert response.status_code == 200


def test_sector_staff_cannot_manage_users(client, sector_staff):
    assert client.get("/admin/auth/user/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/admin/themes/milestone/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_demo_accounts_are_refused_in_production(settings):
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="alleen voor lokaal gebruik"):
        call_command("load_demo_data")
