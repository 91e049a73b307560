"""Data that several test modules build the same way. Plain functions (not fixtures), called
by each module's own fixture, so that a module still says in one place what its data is."""

import datetime

from institutions.models import Answer, Institution
from themes.models import RouteVersion, SectorTarget

WALLET = "LZD-WALLET"
# Version 1 of the route (made at its first load) counts as published on this day.
FIRST_PUBLISHED = datetime.datetime(2026, 1, 5, 11, tzinfo=datetime.UTC)


def institutions(count: int, code_prefix: str, **fields) -> list[Institution]:
    """``count`` active institutions named "Instelling <n>", with codes "<prefix>NN"."""
    defaults = {"kind": "roc", "active_from": datetime.date(2020, 1, 1)}
    return [
        Institution.objects.create(
            code=f"{code_prefix}{n:02d}", name=f"Instelling {n}", **(defaults | fields)
        )
        for n in range(count)
    ]


def adopt_wallet(
    some: list[Institution],
    *,
    adopted_first: int,
    first_day: datetime.date,
    later: list[Institution] = (),
    later_day: datetime.date | None = None,
) -> SectorTarget:
    """The first ``adopted_first`` of ``some`` have the wallet from ``first_day`` and the
    others plan it; ``later`` realise it on ``later_day``."""
    wallet = SectorTarget.objects.get(code=WALLET)
    for n, institution in enumerate(some):
        Answer.objects.create(
            institution=institution, target=wallet, applies_on=first_day,
            status="gerealiseerd" if n < adopted_first else "gepland",
        )  # fmt: skip
    for institution in later:
        Answer.objects.create(
            institution=institution, target=wallet, applies_on=later_day, status="gerealiseerd"
        )
    return wallet


def wallet_adoption(code_prefix: str) -> tuple[SectorTarget, list[Institution]]:
    """Version 1 published on 5 January 2026; eight institutions, two with the wallet from
    15 February (25%), a third from 15 June (37.5%); the others plan it."""
    RouteVersion.objects.filter(number=1).update(published_at=FIRST_PUBLISHED)
    eight = institutions(8, code_prefix)
    wallet = adopt_wallet(
        eight, adopted_first=2, first_day=datetime.date(2026, 2, 15),
        later=eight[2:3], later_day=datetime.date(2026, 6, 15),
    )  # fmt: skip
    return wallet, eight
