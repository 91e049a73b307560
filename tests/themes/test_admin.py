"""Sector staff keep the route current in the admin; every change is kept with who and when."""

import datetime
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


def test_sector_staff_change_a_milestone_due_date_and_the_history_keeps_who(client, sector_staff):
    milestone = Milestone.objects.get(title__startswith="Pilot Eduwallet")
    url = f"/admin/themes/milestone/{milestone.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    # The status is not a field here: it changes with a date and a reason on its own page.
    assert "status" not in form.fields
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["owners"] = [o.pk for o in milestone.owners.all()]
    data["layers"] = [layer.pk for layer in milestone.layers.all()]
    data["targets"] = [target.pk for target in milestone.targets.all()]
    data["due_date"] = "2026-09-30"
    for prefix in ("status_changes",):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    milestone.refresh_from_db()
    assert milestone.due_date == datetime.date(2026, 9, 30)
    latest = milestone.history.first()
    assert latest.history_user == sector_staff
    assert latest.due_date == datetime.date(2026, 9, 30)
    assert milestone.history.count() == 2


def test_an_empty_due_date_is_the_end_of_the_milestone_year(client, sector_staff):
    milestone = Milestone.objects.get(title__startswith="Pilot Eduwallet")
    milestone.due_date = None
    milestone.save()
    assert milestone.due_date == datetime.date(milestone.year, 12, 31)


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
