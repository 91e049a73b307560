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

from accounts.roles import COUNCIL_GROUP, SECTOR_STAFF_GROUP, ensure_roles
from institutions.actions import bump_answer_versions
from institutions.models import Answer, AnswerStatus, Institution, Membership
from institutions.queries import answerable_targets
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


# Report rounds: a baseline measurement (nulmeting) in November 2025, then three rounds in 2026.
BASELINE_DAY = datetime.date(2025, 11, 15)
REPORT_DAYS = [BASELINE_DAY, datetime.date(2026, 2, 15), datetime.date(2026, 5, 15),
               datetime.date(2026, 9, 15)]  # fmt: skip
# How far along the way from the baseline to the last round's value each round is (by time).
_ROUND_PROGRESS = [0.0, 0.3, 0.6, 1.0]
# The day the demo's pace is set against: the month end the dashboards open on after the last
# round. Its figures then show every status, not a wall of red (nor of green).
DEMO_AS_OF = datetime.date(2026, 11, 30)

# A sector's pace per target, as a multiple of the pace needed to reach the goal at the deadline:
# ahead of it (on track), at three quarters (moderate), far behind (insufficient). The targets
# take these in turn; small goals are already reached and one target goes backwards.
_PACE_CYCLE = [("ahead", 1.6), ("moderate", 0.75), ("behind", 0.3), ("ahead", 1.4),
               ("moderate", 0.7), ("behind", 0.25)]  # fmt: skip
_REACHED_GOAL_AT_MOST = Decimal(20)  # goals of 20% or less: the forerunners already made them
_DECLINING_INDEX = 4  # one target loses ground (a supplier stops, say): the fifth in code order


def _never_reports(number: int) -> bool:
    """A few institutions never report: the dashboards must show who is missing."""
    return number % 11 == 10


def _late(number: int) -> bool:
    """Some stopped after May: their answers go stale and the overview shows it."""
    return number % 12 == 4


def _skipped_baseline(number: int) -> bool:
    """Not everyone took part in the nulmeting; they start in February."""
    return number % 5 == 2


def _pace_fraction(target, day: datetime.date) -> float:
    """The share of the way from the baseline to the deadline that is behind us on ``day``."""
    start = BASELINE_DAY.replace(day=30)  # the baseline's month end (November has 30 days)
    return min(1.0, max(0.0, (day - start).days / max(1, (target.deadline - start).days)))


def _share_per_round(target, index: int, rng: random.Random) -> list[float]:
    """The sector's share (0-100) of institutions that have realised ``target`` per round."""
    goal = float(target.goal_value)
    if target.goal_value <= _REACHED_GOAL_AT_MOST:
        base = goal * rng.uniform(0.2, 0.4)
        last = min(100.0, goal * rng.uniform(1.2, 1.6))
        return [base + (last - base) * step for step in _ROUND_PROGRESS]
    if index == _DECLINING_INDEX:
        base = goal * rng.uniform(0.35, 0.5)
        peak = base + (goal - base) * 0.3 * _pace_fraction(target, DEMO_AS_OF)
        return [base, (base + peak) / 2, peak, base * 0.7]
    _name, pace = _PACE_CYCLE[index % len(_PACE_CYCLE)]
    base = goal * rng.uniform(0.05, 0.2)
    last = base + (goal - base) * pace * _pace_fraction(target, DEMO_AS_OF)
    return [base + (last - base) * step for step in _ROUND_PROGRESS]


def _statuses(ranked: list[int], share: float, active: int) -> dict[int, str]:
    """Statuses of the reporting institutions (``ranked`` forerunners first) for a sector share:
    the first ones have realised it, the next are busy with it, then planning, then not yet."""
    realised = round(share / 100 * active)
    count = len(ranked)
    statuses = {}
    for position, institution in enumerate(ranked):
        if position < realised:
            statuses[institution] = AnswerStatus.REALISED
        elif position < realised + 0.3 * count:
            statuses[institution] = AnswerStatus.IN_PROGRESS
        elif position < realised + 0.55 * count:
            statuses[institution] = AnswerStatus.PLANNED
        else:
            statuses[institution] = AnswerStatus.NOT_STARTED
    return statuses


def _answer_values(targets, institutions, rng: random.Random) -> dict[tuple[int, int, int], dict]:
    """{(round, institution number, target id): the answer's value fields} for every institution
    that is active and reporting in that round. Progress grows from round to round; forerunners
    are ahead on most targets."""
    reporting = [n for n in range(len(institutions)) if not _never_reports(n)]
    forwardness = {n: rng.random() for n in reporting}
    # One NBA maturity level per institution: both NBA targets ask for the same measurement.
    nba_level = {n: min(4.6, max(0.8, rng.gauss(2.3, 0.45))) for n in reporting}
    nba_gain = {n: rng.uniform(0.0, 0.6) for n in reporting}
    values = {}
    share_adopted_number = 0
    for target in targets:
        field = value_field(target)
        if field == "status":
            shares = _share_per_round(target, share_adopted_number, rng)
            share_adopted_number += 1
            readiness = {n: 0.6 * forwardness[n] + 0.4 * rng.random() for n in reporting}
        elif field == "percentage":
            base = {n: min(95.0, max(0.0, rng.gauss(30, 10))) for n in reporting}
            gain = {n: rng.uniform(0.0, 10.0) for n in reporting}
        for step, day in enumerate(REPORT_DAYS):
            active = [n for n in reporting if institutions[n].is_active_on(day)]
            if field == "status":
                ranked = sorted(active, key=readiness.__getitem__)
                all_active = sum(1 for i in institutions if i.is_active_on(day))
                round_values = {
                    n: {"status": status}
                    for n, status in _statuses(ranked, shares[step], all_active).items()
                }
            elif field == "score":
                round_values = {
                    n: {
                        "score": Decimal(
                            str(round(nba_level[n] + nba_gain[n] * _ROUND_PROGRESS[step], 1))
                        )
                    }
                    for n in active
                }
            else:
                round_values = {
                    n: {
                        "percentage": Decimal(
                            str(round(min(100.0, base[n] + gain[n] * _ROUND_PROGRESS[step]), 1))
                        )
                    }
                    for n in active
                }
            for n, value in round_values.items():
                values[(step, n, target.pk)] = value
    return values


def _reports_in(number: int, step: int, rng: random.Random) -> bool:
    if step == 0 and _skipped_baseline(number):
        return False
    if step == len(REPORT_DAYS) - 1:
        return not _late(number)  # the last round is always complete, but for the late ones
    return number == 0 or rng.random() >= 0.05  # now and then a round is skipped


@transaction.atomic
def load_demo_institutions(
    *, seed: int = 2026, today: datetime.date | None = None
) -> tuple[list[Institution], dict[str, int]]:
    """Create (or complete) the demo institutions, people and answers. Idempotent. Returns
    the institutions and what was made (roadmap.demo adds the rounds on top)."""
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
        targets = sorted(answerable_targets(), key=lambda t: t.code)
        values = _answer_values(targets, institutions, rng)
        answers = []
        for step, day in enumerate(REPORT_DAYS):
            if day > today:
                break
            for number, institution in enumerate(institutions):
                if not _reports_in(number, step, rng):
                    continue
                entered_at = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(9 + number % 8, number % 60))
                )
                answers += [
                    Answer(
                        institution=institution,
                        target=target,
                        applies_on=day,
                        entered_at=entered_at,
                        entered_by=cio if number == 0 else None,
                        source=Answer.Source.IMPORT if number else Answer.Source.WEB,
                        **values[(step, number, target.pk)],
                    )
                    for target in targets
                    if (step, number, target.pk) in values
                ]
        Answer.objects.bulk_create(answers, batch_size=2000)
        bump_answer_versions({(a.institution_id, a.target_id) for a in answers})
        created_answers = len(answers)
    return institutions, {
        "institutions": len(institutions),
        "people": len(DEMO_PEOPLE),
        "answers": created_answers,
    }


def demo_logins() -> list[str]:
    return [f"{email} / {DEMO_PASSWORD}  ({desc})" for email, _n, _g, _s, _m, desc in DEMO_PEOPLE]
