"""Demo reporting rounds for `make run`: one closed spring round, one open winter round."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from institutions.models import Institution
from institutions.queries import answerable_targets
from rounds import queries
from rounds.models import Round, RoundReview

# The spring round took in the demo's May answers (institutions.demo.REPORT_DAYS) and was
# closed the day after its deadline; the winter round is open around the demo's "today"
# (2026-12-03) and has no answers yet, so every CIO sees stale targets to bring up to date.
SPRING = {
    "name": "Voorjaar 2026",
    "opens_on": datetime.date(2026, 4, 15),
    "closes_on": datetime.date(2026, 5, 31),
    "assembly_on": datetime.date(2026, 6, 18),
    "closed_on": datetime.date(2026, 6, 1),
}
WINTER = {
    "name": "Winter 2026",
    "opens_on": datetime.date(2026, 11, 16),
    "closes_on": datetime.date(2026, 12, 15),
    "assembly_on": datetime.date(2027, 1, 21),
    "closed_on": None,
}
# In the closed round, staff approved the first complete institutions in code order.
APPROVED_IN_SPRING = 5


def _round(spec: dict, today: datetime.date, staff) -> Round | None:
    if spec["opens_on"] > today:
        return None
    round, created = Round.objects.get_or_create(
        name=spec["name"],
        defaults={
            "opens_on": spec["opens_on"],
            "closes_on": spec["closes_on"],
            "assembly_on": spec["assembly_on"],
            "created_by": staff,
        },
    )
    if created:
        round.targets.set(answerable_targets())
        closed_on = spec["closed_on"]
        if closed_on is not None and closed_on <= today:
            round.closed_at = timezone.make_aware(
                datetime.datetime.combine(closed_on, datetime.time(9, 0))
            )
            round.closed_by = staff
            round.save(update_fields=["closed_at", "closed_by"])
    return round


def load_demo_rounds(*, today: datetime.date, institutions: list[Institution]) -> int:
    """Create the demo rounds (idempotent); returns how many exist afterwards."""
    staff = get_user_model().objects.filter(username="staf@routekaart.example").first()
    spring = _round(SPRING, today, staff)
    _round(WINTER, today, staff)
    if spring is not None and spring.is_closed and not spring.reviews.exists():
        complete = queries.complete_institutions(spring).filter(pk__in=[i.pk for i in institutions])
        reviewed_at = spring.closed_at + datetime.timedelta(days=1)
        RoundReview.objects.bulk_create(
            RoundReview(
                round=spring,
                institution=institution,
                decision=RoundReview.Decision.APPROVED,
                reviewed_by=staff,
                reviewed_at=reviewed_at,
            )
            for institution in complete.order_by("code")[:APPROVED_IN_SPRING]
        )
    return Round.objects.filter(name__in=[SPRING["name"], WINTER["name"]]).count()
