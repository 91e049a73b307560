"""Twenty CIOs press "Opslaan" at the same moment: real row locks in PostgreSQL.

Every person has their own logged-in client and database connection (one thread each); a barrier
releases all the saves at once through the real edit view.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from institutions.models import Answer, AnswerSlot, Membership
from institutions.validation import is_answerable, score_range, value_field
from tests.conftest import _person
from tests.reliability.conftest import needs_services
from themes.models import SectorTarget

pytestmark = [*needs_services, pytest.mark.django_db(transaction=True)]

PEOPLE = 20
CONFLICT = "Iemand anders heeft dit antwoord intussen gewijzigd."


def _editors(route, institution) -> list[Client]:
    clients = []
    for number in range(PEOPLE):
        person = _person(f"cio{number}@a.example", memberships=[(institution, "editor")])
        client = Client()
        client.force_login(person)
        clients.append(client)
    assert Membership.objects.filter(institution=institution, role="editor").count() == PEOPLE
    return clients


def _value_for(target: SectorTarget, number: int) -> tuple[str, tuple]:
    """A form value, and the (status, score, percentage) it is stored as, per person."""
    kind = value_field(target)
    if kind == "status":
        status = ["gepland", "in_uitvoering", "gerealiseerd"][number % 3]
        return status, (status, None, None)
    if kind == "score":
        low, _high = score_range(target)
        return f"{low:.1f}".replace(".", ","), (None, Decimal(low), None)
    return f"{number + 1}", (None, None, Decimal(number + 1))


def _save_all_at_once(clients, jobs) -> list:
    """jobs[i] = (target, form value, version) for clients[i]; returns the responses."""
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def save(index: int) -> None:
        target, value, version = jobs[index]
        prefix = f"doel-{target.code}"
        url = reverse("institutions:answer-edit", args=["11AA", target.code])
        try:
            barrier.wait(timeout=30)
            responses[index] = clients[index].post(
                url, {f"{prefix}-value": value, f"{prefix}-version": str(version)}
            )
        except Exception as exc:  # reported below, with the others
            responses[index] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not isinstance(r, Exception) for r in responses), responses
    return responses


@pytest.mark.parametrize("version", [0, 3], ids=["first-answer", "existing-answer"])
def test_twenty_saves_on_one_target_with_the_same_version_land_exactly_once(
    route, institution_a, version
):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    if version:
        AnswerSlot.objects.create(institution=institution_a, target=wallet, version=version)
    clients = _editors(route, institution_a)
    statuses = ["gepland", "in_uitvoering", "gerealiseerd"]
    jobs = [(wallet, statuses[i % 3], version) for i in range(PEOPLE)]

    responses = _save_all_at_once(clients, jobs)

    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [409] * (PEOPLE - 1), codes  # no 500, no second landing
    for response in responses:
        if response.status_code == 409:
            assert CONFLICT in response.content.decode()
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    history = list(Answer.objects.filter(institution=institution_a, target=wallet))
    assert [(a.status, a.entered_by.username) for a in history] == [
        (jobs[winner][1], f"cio{winner}@a.example")
    ]
    slot = AnswerSlot.objects.get(institution=institution_a, target=wallet)
    assert slot.version == version + 1


def test_twenty_saves_on_twenty_targets_all_land(route, institution_a):
    targets = [t for t in SectorTarget.objects.order_by("code") if is_answerable(t)][:PEOPLE]
    assert len(targets) == PEOPLE
    clients = _editors(route, institution_a)
    jobs = [(target, _value_for(target, i)[0], 0) for i, target in enumerate(targets)]

    responses = _save_all_at_once(clients, jobs)

    assert [r.status_code for r in responses] == [302] * PEOPLE
    history = Answer.objects.filter(institution=institution_a).select_related("target")
    assert history.count() == PEOPLE
    stored = {a.target.code: (a.status, a.score, a.percentage) for a in history}
    assert stored == {target.code: _value_for(target, i)[1] for i, target in enumerate(targets)}
    assert (
        sorted(
            AnswerSlot.objects.filter(institution=institution_a).values_list("version", flat=True)
        )
        == [1] * PEOPLE
    )
