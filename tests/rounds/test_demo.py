"""`make run` shows a closed past round and an open current one."""

import datetime

import pytest

from institutions.models import Institution
from roadmap.demo import load_demo_data
from rounds import queries
from rounds.models import Round

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 12, 3)


def test_the_demo_has_a_closed_spring_round_and_an_open_winter_round():
    assert load_demo_data(today=TODAY)["rounds"] == 2
    spring, winter = Round.objects.get(name="Voorjaar 2026"), Round.objects.get(name="Winter 2026")
    assert spring.state(TODAY) == "closed" and winter.state(TODAY) == "open"
    rate = queries.reporting_rate(spring)["total"]
    assert rate["expected"] == 60 and 0 < rate["reported"] < 60
    assert spring.reviews.filter(decision="approved").count() == 5
    # Nobody has answered the winter round yet: the CIO sees stale targets to update.
    demodam = Institution.objects.get(name="ROC Demodam Noord")
    banner = queries.round_banners(demodam, TODAY)[0]
    assert banner.round == winter and banner.days_left == 12
    assert banner.completeness.answered == 0 and banner.completeness.stale > 0
    # A second run adds nothing.
    assert load_demo_data(today=TODAY)["rounds"] == 2
    assert Round.objects.count() == 2
