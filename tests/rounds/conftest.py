"""Rounds around today: an open one and a closed one, both asking for two targets."""

import datetime

import pytest
from django.utils import timezone

from rounds.models import Round
from themes.models import SectorTarget

WALLET = "LZD-WALLET"  # a status target
NBA = "CYB-NBA-GEMIDDELD"  # a score target


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def wallet(db):
    return SectorTarget.objects.get(code=WALLET)


@pytest.fixture
def nba(db):
    return SectorTarget.objects.get(code=NBA)


@pytest.fixture
def open_round(wallet, nba):
    round = Round.objects.create(
        name="Winter", opens_on=days(-10), closes_on=days(10), assembly_on=days(40)
    )
    round.targets.set([wallet, nba])
    return round


@pytest.fixture
def closed_round(wallet, nba):
    """Ran from 60 to 30 days ago, closed 29 days ago: its window ends on the closing day."""
    round = Round.objects.create(
        name="Voorjaar", opens_on=days(-60), closes_on=days(-30), assembly_on=days(-20)
    )
    round.targets.set([wallet, nba])
    round.closed_at = timezone.now() - datetime.timedelta(days=29)
    round.save()
    return round
