"""The fictional demo data of the whole portal, room by room: the institutions, people and
answers (institutions.demo), then the reporting rounds over them (rounds.demo). It lives in the
project package because it is the one place that needs both rooms; neither imports the other
for it (README "How the code is laid out")."""

import datetime

from django.utils import timezone

from institutions.demo import load_demo_institutions
from rounds.demo import load_demo_rounds


def load_demo_data(*, seed: int = 2026, today: datetime.date | None = None) -> dict[str, int]:
    """Create (or complete) the demo institutions, people, answers and rounds. Idempotent."""
    today = today or timezone.localdate()
    institutions, counts = load_demo_institutions(seed=seed, today=today)
    rounds = load_demo_rounds(today=today, institutions=institutions)
    return {**counts, "rounds": rounds}
