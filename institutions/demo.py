"""Fictional demo data: institutions, people and a history of answers.

Only made-up names (no real institution is ever shown with made-up figures). Deterministic:
the same seed gives the same data, so screenshots and demos are repeatable.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from institutions.access import COUNCIL_GROUP, SECTOR_STAFF_GROUP
from institutions.actions import bump_answer_versions
from institutions.models import Answer, AnswerStatus, Institution, Membership
from institutions.queries import answerable_targets
from institutions.roles import ensure_roles
from institutions.validation import value_field

DEMO_PASSWORD = "routekaart-demo"  # noqa: S105 (printed for local demo logins only)
DEMO_INSTITUTION_COUNT = 60

# Invented towns: none of these is a real Dutch place with an mbo institution.
_TOWNS = [
    "Demodam", "Voorbeeldveen", "Proefwijk", "Schetsburg", "Ontwerpdijk", "Denkbeeldstad",
    "Oefenhaven", "Modelmond", "Fictiedorp", "Testerveld", "Verzinsel", "Droomhoven",
    "Nergenshuizen", "Planweide", "Zandbeeld", "Kladwerk", "Conceptmeer", "Ideaalstede",
    "Probeersloot", "Maquetteburg",
]  # fmt: skip
_REGIONS = ["Noord", "Oost", "Zuid", "West", "Midden"]
_KINDS = [("roc", "ROC"), ("aoc", "AOC Groen"), ("vakinstelling", "Vakcollege")]

DEMO_PEOPLE = [
    # (email, name, groups, superuser, memberships [(institution index, role)], description)
    ("cio@demodam.example", "Chris Cio", [], False, [(0, "editor")],
     "CIO van ROC Demodam Noord: vult de status in"),
    ("delegate@demo.example", "Dana Gedelegeerd", [], False, [(0, "editor"), (1, "editor")],
     "invuller voor twee instellingen"),
    ("viewer@demodam.example", "Vera Meekijker", [], False, [(0, "viewer")],
     "meekijker bij ROC Demodam Noord (alleen lezen)"),
    ("cio@voorbeeldveen.example", "Kim Tweede", [], False, [(1, "editor")],
     "CIO van een tweede instelling"),
    ("staf@routekaart.example", "Sam Sectorstaf", [SECTOR_STAFF_GROUP], False, [],
     "sectorstaf: route bijhouden, alle instellingen, beoordelen"),
    ("raad@routekaart.example", "Rien Raad", [COUNCIL_GROUP], False, [],
     "MBO Raad: ziet alles, exporteert"),
    ("beheer@routekaart.example", "Bo Beheerder", [], True, [],
     "beheerder: alles"),
]  # fmt: skip


def demo_institution_rows(count: int = DEMO_INSTITUTION_COUNT) -> list[dict]:
    rows = []
    for index in range(count):
        town = _TOWNS[index % len(_TOWNS)]
        region = _REGIONS[(index // len(_TOWNS) + index) % len(_REGIONS)]
        # Mostly ROCs, with some AOCs and vakinstellingen, as in the sector.
        kind, label = {3: _KINDS[1], 5: _KINDS[2]}.get(index % 7, _KINDS[0])
        rows.append(
            {
                # BRIN form: two digits and two letters; the letters ZZ-ZA mark them as demo.
                "code": f"{10 + index:02d}Z{chr(ord('A') + index % 26)}",
                "name": f"{label} {town} {region}",
                "kind": kind,
                "region": region,
                "active_from": datetime.date(2020, 1, 1),
                # One merger: this institution stops counting after 30 June 2026.
                "active_to": datetime.date(2026, 6, 30) if index == count - 1 else None,
            }
        )
    return rows


def _value_for(field: str, progress: float, rng: random.Random) -> dict:
    if field == "status":
        statuses = AnswerStatus.values  # ordered from not started to realised
        position = min(len(statuses) - 1, int(progress * len(statuses) + rng.random() * 0.8))
        return {"status": statuses[position]}
    if field == "score":
        return {
            "score": Decimal(str(round(min(5.0, 1.6 + progress * 2.2 + rng.uniform(-0.3, 0.3)), 1)))
        }
    return {
        "percentage": Decimal(str(round(min(100.0, 20 + progress * 60 + rng.uniform(-10, 10)), 1)))
    }


@transaction.atomic
def load_demo_data(*, seed: int = 2026, today: datetime.date | None = None) -> dict[str, int]:
    """Create (or complete) the demo institutions, people and answers. Idempotent."""
    today = today or timezone.localdate()
    rng = random.Random(seed)
    groups = ensure_roles()
    institutions = []
    for row in demo_institution_rows():
        institution, _ = Institution.objects.update_or_create(code=row["code"], defaults=row)
        institutions.append(institution)

    user_model = get_user_model()
    for email, name, group_names, superuser, memberships, _desc in DEMO_PEOPLE:
        first, last = name.split(" ", 1)
        user, created = user_model.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first, "last_name": last}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = superuser or SECTOR_STAFF_GROUP in group_names
        user.is_superuser = superuser
        user.save()
        user.groups.set([groups[g] for g in group_names] if group_names else Group.objects.none())
        for index, role in memberships:
            Membership.objects.update_or_create(
                user=user, institution=institutions[index], defaults={"role": role}
            )

    created_answers = 0
    if not Answer.objects.filter(institution__in=institutions).exists():
        cio = user_model.objects.get(username="cio@demodam.example")
        answers = []
        targets = list(answerable_targets())
        # Some targets move fast, others lag: the dashboards should show every status.
        difficulty = {t.pk: rng.uniform(0.25, 1.3) for t in targets}
        report_days = [
            datetime.date(2026, month, 15)
            for month in (2, 5, 9)
            if datetime.date(2026, month, 15) <= today
        ]
        for number, institution in enumerate(institutions):
            pace = rng.uniform(0.3, 1.0)
            # A few institutions never report: the dashboards must show who is missing.
            if number % 11 == 10:
                continue
            for target in targets:
                field = value_field(target)
                for step, day in enumerate(report_days):
                    if rng.random() < 0.15 or not institution.is_active_on(day):
                        continue
                    progress = min(1.0, pace * difficulty[target.pk] * (step + 1) / 3)
                    answers.append(
                        Answer(
                            institution=institution,
                            target=target,
                            applies_on=day,
                            entered_at=timezone.make_aware(
                                datetime.datetime.combine(day, datetime.time(10))
                            ),
                            entered_by=cio if number == 0 else None,
                            source=Answer.Source.IMPORT if number else Answer.Source.WEB,
                            **_value_for(field, progress, rng),
                        )
                    )
        Answer.objects.bulk_create(answers, batch_size=2000)
        bump_answer_versions({(a.institution_id, a.target_id) for a in answers})
        created_answers = len(answers)
    return {
        "institutions": len(institutions),
        "people": len(DEMO_PEOPLE),
        "answers": created_answers,
    }


def demo_logins() -> list[str]:
    return [f"{email} / {DEMO_PASSWORD}  ({desc})" for email, _n, _g, _s, _m, desc in DEMO_PEOPLE]
