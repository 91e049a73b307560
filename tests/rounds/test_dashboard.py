"""The staff dashboard shows the reporting rate of the latest rounds; readers do not see it."""

import re

import pytest

from institutions.models import Answer
from tests.rounds.conftest import days

pytestmark = pytest.mark.django_db


def test_staff_see_the_rate_of_the_open_round_on_the_dashboard(
    client, sector_staff, open_round, institution_a, institution_b, wallet, nba
):
    for target in (wallet, nba):
        value = {"status": "gepland"} if target == wallet else {"score": "2.5"}
        Answer.objects.create(
            institution=institution_a, target=target, applies_on=days(-2), **value
        )
    client.force_login(sector_staff)
    html = client.get("/dashboard/").content.decode()
    section = html[html.index('id="rounds-heading"') :]
    row = section[section.index(open_round.name) :]
    row = row[: row.index("</tr>")]
    cells = [re.sub(r"<[^>]+>", "", c) for c in row.split("</td>")[:-1]]
    # Two institutions expected, 11AA complete (1 of 2: 50%), on time, none late, 1 not complete.
    assert cells[1:] == ["2", "1 (50%)", "1", "0", "1"]
    assert open_round.get_absolute_url() in section


def test_readers_do_not_see_rounds_on_the_dashboard(client, cio_a, open_round):
    assert 'id="rounds-heading"' not in client.get("/dashboard/").content.decode()
    client.force_login(cio_a)
    assert 'id="rounds-heading"' not in client.get("/dashboard/").content.decode()
