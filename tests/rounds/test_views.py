"""The staff pages of the rounds, and what a CIO sees of them on the status page."""

import html
import re

import pytest
from django.core import mail

from accounts.models import AuditEvent
from institutions.models import Answer
from institutions.queries import answerable_targets
from rounds.models import ReminderSent, Round, RoundReview
from tests.rounds.conftest import days

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    """The page's text without tags, as a person reads it."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _complete(institution, round):
    for target in round.targets.all():
        value = {"status": "gepland"} if target.code == "LZD-WALLET" else {"score": 2}
        Answer.objects.create(institution=institution, target=target, applies_on=days(-1), **value)


def test_staff_create_a_round_that_asks_for_every_answerable_target_by_default(
    client, sector_staff
):
    client.force_login(sector_staff)
    form = client.get("/beheer/rondes/nieuw/")
    assert form.status_code == 200
    # Every answerable target is ticked when the form opens (and the default figures' basis).
    assert form.content.decode().count(" checked") == answerable_targets().count() + 1
    data = {
        "name": "Winter 2026", "opens_on": days(-1).isoformat(), "closes_on": days(12).isoformat(),
        "assembly_on": days(40).isoformat(),
        "targets": list(answerable_targets().values_list("pk", flat=True)),
    }  # fmt: skip
    response = client.post("/beheer/rondes/nieuw/", data)
    round = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/beheer/rondes/{round.pk}/"
    assert round.targets.count() == answerable_targets().count()
    assert round.state() == "open" and round.created_by == sector_staff


def test_bad_dates_are_refused_with_a_reason_and_nothing_is_saved(client, sector_staff):
    client.force_login(sector_staff)
    data = {
        "name": "Verkeerd", "opens_on": days(5).isoformat(), "closes_on": days(1).isoformat(),
        "assembly_on": days(0).isoformat(), "targets": [],
    }  # fmt: skip
    response = client.post("/beheer/rondes/nieuw/", data)
    assert response.status_code == 422
    text = _text(response)
    assert "De sluitdatum ligt voor de opening." in text
    assert "Kies minstens één sectordoel." in text
    assert not Round.objects.exists()


def test_cios_and_the_council_cannot_manage_rounds(client, cio_a, council, open_round):
    for person in (cio_a, council):
        client.force_login(person)
        assert client.get("/beheer/rondes/").status_code == 403
        assert client.get(f"/beheer/rondes/{open_round.pk}/").status_code == 403
        assert client.post(f"/beheer/rondes/{open_round.pk}/sluiten/").status_code == 403
    open_round.refresh_from_db()
    assert not open_round.is_closed


def test_the_round_page_shows_the_rate_and_who_is_incomplete(
    client, sector_staff, open_round, institution_a, institution_b, django_assert_max_num_queries
):
    _complete(institution_b, open_round)
    client.force_login(sector_staff)
    with django_assert_max_num_queries(20):
        response = client.get(f"/beheer/rondes/{open_round.pk}/")
    text = _text(response)
    assert (
        "Verwacht: 2 instellingen · compleet: 1 (op tijd 1, te laat 0) · nooit compleet: 1" in text
    )
    incomplete = text.split("Nog niet compleet")[1].split("Compleet: beoordelen")[0]
    assert "ROC Proefwijk" in incomplete and "AOC Schetsburg" not in incomplete


def test_open_close_and_the_lock_on_the_status_page(
    client, sector_staff, cio_a, institution_a, wallet, nba
):
    round = Round.objects.create(
        name="Later", opens_on=days(5), closes_on=days(20), assembly_on=days(30)
    )
    round.targets.set([wallet, nba])
    client.force_login(sector_staff)
    client.post(f"/beheer/rondes/{round.pk}/openen/")
    round.refresh_from_db()
    assert round.opens_on == days(0) and round.state() == "open"
    client.post(f"/beheer/rondes/{round.pk}/sluiten/")
    round.refresh_from_db()
    assert round.state() == "closed"

    client.force_login(cio_a)
    text = _text(client.get("/instellingen/11AA/"))
    assert "Rapportageronde Later" in text and "Gesloten op" in text


def test_the_cio_sees_the_round_its_deadline_and_a_returned_comment(
    client, sector_staff, cio_a, institution_a, open_round
):
    client.force_login(sector_staff)
    response = client.post(
        f"/beheer/rondes/{open_round.pk}/instellingen/11AA/beoordelen/",
        {"decision": "returned", "comment": "Graag de NBA-score onderbouwen."},
    )
    assert response.status_code == 302
    client.force_login(cio_a)
    text = _text(client.get("/instellingen/11AA/"))
    assert "Rapportageronde Winter" in text
    assert "nog 10 dagen" in text
    assert "0 van 2 gevraagde doelen beantwoord in deze ronde · 0 verouderd" in text
    assert "Teruggestuurd door het sectorteam: Graag de NBA-score onderbouwen." in text


def test_returning_without_a_comment_or_approving_too_early_is_refused(
    client, sector_staff, institution_a, open_round
):
    client.force_login(sector_staff)
    url = f"/beheer/rondes/{open_round.pk}/instellingen/11AA/beoordelen/"
    response = client.post(url, {"decision": "returned", "comment": " "})
    assert response.status_code == 422
    assert "Zeg de instelling wat er herzien moet worden." in _text(response)
    response = client.post(url, {"decision": "approved"})
    assert response.status_code == 409  # valid input, but not possible in this state
    assert "0 van de 2 doelen" in _text(response)
    assert not RoundReview.objects.exists()


def test_staff_reopen_with_a_reason_in_the_audit_log_and_close_it_again(
    client, sector_staff, institution_a, closed_round
):
    client.force_login(sector_staff)
    base = f"/beheer/rondes/{closed_round.pk}/instellingen/11AA/"
    assert client.post(base + "heropenen/", {"reason": ""}).status_code == 422
    assert client.post(base + "heropenen/", {"reason": "Fout in het bestand"}).status_code == 302
    event = AuditEvent.objects.get(kind="round_reopened")
    assert event.institution_code == "11AA" and "Fout in het bestand" in event.detail
    assert event.actor == sector_staff
    assert "Heropend op" in _text(client.get(base))
    assert client.post(base + "heropening-sluiten/").status_code == 302
    assert AuditEvent.objects.filter(kind="round_reclosed").count() == 1


def test_staff_preview_and_send_a_reminder_by_hand(
    client, sector_staff, cio_a, viewer_a, institution_a, open_round
):
    client.force_login(sector_staff)
    url = f"/beheer/rondes/{open_round.pk}/instellingen/11AA/herinnering/"
    preview = _text(client.get(url))
    assert "cio@a.example" in preview and "viewer@a.example" not in preview
    assert "Herinnering: rapportageronde 'Winter'" in preview
    assert not mail.outbox
    response = client.post(url)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["cio@a.example"]]
    reminder = ReminderSent.objects.get()
    assert (reminder.kind, reminder.status, reminder.sent_by) == ("manual", "sent", sector_staff)


def test_no_reminder_by_hand_to_a_complete_institution(
    client, sector_staff, cio_a, institution_a, open_round
):
    _complete(institution_a, open_round)
    client.force_login(sector_staff)
    client.post(f"/beheer/rondes/{open_round.pk}/instellingen/11AA/herinnering/")
    assert not mail.outbox and not ReminderSent.objects.exists()


def test_the_landing_of_an_editor_of_two_institutions_shows_both_rounds(
    client, institution_a, institution_b, open_round
):
    from tests.conftest import _person

    delegate = _person(
        "delegate@x.example", memberships=[(institution_a, "editor"), (institution_b, "editor")]
    )
    client.force_login(delegate)
    text = _text(client.get("/mijn/"))
    assert text.count("Rapportageronde Winter") == 2
