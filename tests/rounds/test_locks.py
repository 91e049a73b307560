"""A closed or approved round locks the answers dated inside it: on the page, in an upload and
through the token API alike, with one message that says why; a reopening lifts the lock."""

import datetime
import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from accounts.tokens import issue_api_token
from institutions.models import Answer
from rounds import actions, queries
from rounds.models import RoundReview
from tests.rounds.conftest import NBA, WALLET, days

pytestmark = pytest.mark.django_db

IN_CLOSED = days(-45)  # inside the closed round's window
CLOSED_MESSAGE = "Ronde 'Voorjaar' is gesloten op"
ADVICE = "Vraag het sectorteam om heropening."


def _answer(institution, target, day, status="gepland"):
    return Answer.objects.create(
        institution=institution, target=target, status=status, applies_on=day
    )


def test_a_closed_round_locks_answers_dated_inside_it(closed_round, institution_a, wallet):
    lock = queries.lock_for(institution_a, wallet, IN_CLOSED)
    assert lock is not None and lock.kind == "closed"
    assert lock.message.startswith(CLOSED_MESSAGE)
    assert "kunnen niet meer worden gewijzigd" in lock.message and ADVICE in lock.message
    # The first day of the window and its last (the closing day, after the deadline) are in.
    assert queries.lock_for(institution_a, wallet, closed_round.opens_on)
    assert queries.lock_for(institution_a, wallet, closed_round.closed_on)


def test_outside_the_window_or_another_target_nothing_is_locked(closed_round, institution_a):
    from themes.models import SectorTarget

    wallet = SectorTarget.objects.get(code=WALLET)
    other = SectorTarget.objects.exclude(code__in=[WALLET, NBA]).exclude(measure="milestone")[0]
    day_before = closed_round.opens_on - datetime.timedelta(days=1)
    assert queries.lock_for(institution_a, wallet, day_before) is None
    assert queries.lock_for(institution_a, wallet, days(-28)) is None  # after the window
    assert queries.lock_for(institution_a, other, IN_CLOSED) is None


def test_an_open_round_locks_nothing(open_round, institution_a, wallet):
    assert queries.lock_for(institution_a, wallet, days(0)) is None


def test_a_reopening_lifts_the_lock_for_that_institution_only_until_it_is_closed(
    closed_round, institution_a, institution_b, wallet, sector_staff
):
    actions.do_reopen_for_institution(
        round=closed_round, institution=institution_a, reason="Cijfer vergeten", user=sector_staff
    )
    assert queries.lock_for(institution_a, wallet, IN_CLOSED) is None
    assert queries.lock_for(institution_b, wallet, IN_CLOSED) is not None
    actions.do_end_reopening(round=closed_round, institution=institution_a, user=sector_staff)
    assert queries.lock_for(institution_a, wallet, IN_CLOSED) is not None
    rounds_events = AuditEvent.objects.filter(kind__startswith="round_")
    events = list(rounds_events.order_by("occurred_at", "id").values_list("kind", "detail"))
    assert events == [
        ("round_reopened", "ronde 'Voorjaar' heropend: Cijfer vergeten"),
        ("round_reclosed", "heropening van ronde 'Voorjaar' gesloten"),
    ]


def test_a_reopening_needs_a_reason_and_a_lock(
    open_round, closed_round, institution_a, sector_staff
):
    with pytest.raises(actions.RoundActionError, match="reden"):
        actions.do_reopen_for_institution(
            round=closed_round, institution=institution_a, reason="  ", user=sector_staff
        )
    with pytest.raises(actions.RoundActionError, match="niets te heropenen"):
        actions.do_reopen_for_institution(
            round=open_round, institution=institution_a, reason="waarom", user=sector_staff
        )
    assert not AuditEvent.objects.filter(kind__startswith="round_").exists()


def test_approval_freezes_an_open_round_and_a_change_after_reopening_needs_a_new_one(
    open_round, institution_a, wallet, nba, sector_staff
):
    _answer(institution_a, wallet, days(-5))
    first = Answer.objects.create(
        institution=institution_a, target=nba, score=2, applies_on=days(-5)
    )
    actions.do_review_round(
        round=open_round, institution=institution_a, decision="approved", comment="",
        user=sector_staff,
    )  # fmt: skip
    lock = queries.lock_for(institution_a, wallet, days(0))
    assert lock.kind == "approved" and "goedgekeurd op" in lock.message
    assert set(queries.approved_answer_ids(open_round).values_list("pk", flat=True)) == {
        a.pk for a in Answer.objects.all()
    }

    actions.do_reopen_for_institution(
        round=open_round, institution=institution_a, reason="Score herzien", user=sector_staff
    )
    assert queries.lock_for(institution_a, wallet, days(0)) is None
    later = Answer.objects.create(
        institution=institution_a, target=nba, score=3, applies_on=days(0)
    )
    review = queries.latest_review(open_round, institution_a)
    assert queries.changed_since_approval(open_round, institution_a, review)
    approved = set(queries.approved_answer_ids(open_round).values_list("pk", flat=True))
    assert first.pk in approved and later.pk not in approved

    # A new approval, made while the reopening is still open, freezes the answers again.
    actions.do_review_round(
        round=open_round, institution=institution_a, decision="approved", comment="",
        user=sector_staff,
    )  # fmt: skip
    assert queries.lock_for(institution_a, wallet, days(0)).kind == "approved"
    assert later.pk in set(queries.approved_answer_ids(open_round).values_list("pk", flat=True))


def test_an_incomplete_institution_cannot_be_approved(open_round, institution_a, sector_staff):
    with pytest.raises(actions.RoundActionError, match="0 van de 2 doelen"):
        actions.do_review_round(
            round=open_round, institution=institution_a, decision="approved", comment="",
            user=sector_staff,
        )  # fmt: skip
    assert not RoundReview.objects.exists()


# --- The three entry points ------------------------------------------------------------------


def test_the_status_page_refuses_a_locked_answer(client, closed_round, cio_a, institution_a):
    client.force_login(cio_a)
    url = "/instellingen/11AA/doelen/LZD-WALLET/bewerken/"
    data = {
        "theme": "t", "t-LZD-WALLET-value": "gerealiseerd", "t-LZD-WALLET-version": 0,
        "t-LZD-WALLET-applies_on": IN_CLOSED.isoformat(),
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 422
    assert CLOSED_MESSAGE in html.unescape(response.content.decode())
    assert not Answer.objects.exists()
    # Dated today, after the round, the same answer is fine.
    data["t-LZD-WALLET-applies_on"] = days(0).isoformat()
    assert client.post(url, data).status_code == 302
    assert Answer.objects.count() == 1


def test_the_upload_refuses_the_locked_rows_by_row_and_saves_nothing(
    client, closed_round, cio_a, institution_a
):
    client.force_login(cio_a)
    content = (
        "institution,target,value,applies_on\r\n"
        f"11AA,{WALLET},gepland,{days(-1).isoformat()}\r\n"
        f"11AA,{NBA},2.5,{IN_CLOSED.isoformat()}\r\n"
    ).encode()
    upload = SimpleUploadedFile("antwoorden.csv", content, content_type="text/csv")
    response = client.post("/instellingen/11AA/import/", {"file": upload})
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert f"rij 3, kolom applies_on: {CLOSED_MESSAGE}" in page
    assert "rij 2" not in page
    assert not Answer.objects.exists()


def test_the_api_refuses_a_locked_answer_single_and_in_a_batch(
    client, closed_round, cio_a, institution_a
):
    key = issue_api_token(cio_a)
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    url = "/api/v1/institutions/11AA/answers/"
    locked = {
        "target": WALLET,
        "value": "gepland",
        "applies_on": IN_CLOSED.isoformat(),
        "version": 0,
    }
    response = client.post(url, json.dumps(locked), content_type="application/json", **headers)
    assert response.status_code == 400
    assert response.json()["applies_on"][0].startswith(CLOSED_MESSAGE)

    fine = {"target": NBA, "value": "2.5", "applies_on": days(-1).isoformat(), "version": 0}
    response = client.post(
        url, json.dumps([fine, locked]), content_type="application/json", **headers
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["item"], e["field"]) for e in errors] == [(1, "applies_on")]
    assert CLOSED_MESSAGE in errors[0]["message"]
    assert not Answer.objects.exists()


def test_nothing_changed_skips_the_targets_an_approval_froze(
    client, open_round, cio_a, institution_a, wallet, nba, sector_staff
):
    _answer(institution_a, wallet, days(-5))
    Answer.objects.create(institution=institution_a, target=nba, score=2, applies_on=days(-5))
    actions.do_review_round(
        round=open_round, institution=institution_a, decision="approved", comment="",
        user=sector_staff,
    )  # fmt: skip
    client.force_login(cio_a)
    assert client.post("/instellingen/11AA/bevestigen/").status_code == 302
    assert Answer.objects.count() == 2  # nothing confirmed inside the frozen round
