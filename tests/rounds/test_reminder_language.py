"""Reminders in each editor's language: the language switch stores a logged-in person's
choice (accounts.LanguagePreference), and the reminder goes out per language group, through
a real SMTP server (aiosmtpd)."""

from email import message_from_bytes
from email.header import decode_header, make_header
from html import unescape

import pytest
from django.conf import settings

from accounts.models import LanguagePreference
from rounds import reminders
from rounds.models import ReminderSent
from rounds.tasks import retry_reminder
from tests.rounds import test_reminders
from tests.rounds.conftest import days
from tests.rounds.test_reminders import _editor

# The real SMTP server and the recorded retries of the reminder tests.
smtp = test_reminders.smtp
enqueued = test_reminders.enqueued

pytestmark = pytest.mark.django_db


def _choose(client, language: str):
    return client.post("/i18n/setlang/", {"language": language, "next": "/"})


def _mails(recorder) -> dict[tuple[str, ...], tuple[str, str]]:
    """Recipients -> (subject, body) of every message the server took."""
    mails = {}
    for envelope in recorder.envelopes:
        message = message_from_bytes(envelope.original_content)
        subject = str(make_header(decode_header(message["Subject"])))
        mails[tuple(sorted(envelope.rcpt_tos))] = (
            subject,
            message.get_payload(decode=True).decode(),
        )
    return mails


# --- The preference follows the language switch --------------------------------------------------


def test_switching_language_while_logged_in_stores_the_preference(client, cio_a):
    client.force_login(cio_a)
    response = _choose(client, "en")
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert LanguagePreference.objects.get(user=cio_a).language == "en"
    # Back to Dutch, the default: no preference left, so Dutch reminders.
    _choose(client, "nl")
    assert not LanguagePreference.objects.filter(user=cio_a).exists()


def test_an_anonymous_switch_stores_nothing(client, cio_a):
    response = _choose(client, "en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert not LanguagePreference.objects.exists()


def test_an_invalid_language_stores_nothing(client, cio_a):
    client.force_login(cio_a)
    LanguagePreference.objects.create(user=cio_a, language="en")
    response = _choose(client, "de")
    assert response.status_code == 302
    assert LanguagePreference.objects.get(user=cio_a).language == "en"  # unchanged
    _choose(client, "")
    assert LanguagePreference.objects.get(user=cio_a).language == "en"


def test_a_get_of_the_switch_stores_nothing(client, cio_a):
    client.force_login(cio_a)
    client.get("/i18n/setlang/", {"language": "en", "next": "/"})
    assert not LanguagePreference.objects.exists()


def test_login_takes_the_browsers_language_only_without_a_preference(client, cio_a, viewer_a):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        "/account/login/", {"username": "cio@a.example", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert LanguagePreference.objects.get(user=cio_a).language == "en"
    # Someone who chose otherwise keeps their choice.
    LanguagePreference.objects.create(user=viewer_a, language="nl")
    client.logout()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(
        "/account/login/", {"username": "viewer@a.example", "password": "a-long-test-password"}
    )
    assert LanguagePreference.objects.get(user=viewer_a).language == "nl"


# --- The reminder in each editor's language -------------------------------------------------------


def test_each_editor_gets_the_reminder_in_their_language(
    client, smtp, open_round, cio_a, institution_a, enqueued
):
    english = _editor("english@a.example", institution_a)
    _editor("nederlands@a.example", institution_a)
    client.force_login(english)
    _choose(client, "en")  # chosen with the switch, as a person does

    counts = reminders.send_due_reminders(days(-10))
    assert counts == {"sent": 1, "failed": 0}
    mails = _mails(smtp)
    assert set(mails) == {("cio@a.example", "nederlands@a.example"), ("english@a.example",)}

    subject, body = mails[("english@a.example",)]
    assert subject == "Reporting round 'Winter' has opened – ROC Proefwijk"
    assert "Dear editor of ROC Proefwijk," in body
    assert "The Routekaart sector team" in body
    assert "Beste invuller" not in body

    subject, body = mails[("cio@a.example", "nederlands@a.example")]
    assert subject == "Rapportageronde 'Winter' is geopend – ROC Proefwijk"
    assert "Beste invuller van ROC Proefwijk," in body
    assert "Het sectorteam van de Routekaart" in body

    # One record for the institution, with everyone it reached.
    reminder = ReminderSent.objects.get()
    assert reminder.status == "sent"
    assert reminder.recipient_list == [
        "cio@a.example", "english@a.example", "nederlands@a.example",
    ]  # fmt: skip


def test_a_retry_after_a_partial_failure_sends_only_to_who_missed_it(
    smtp, open_round, cio_a, institution_a, enqueued
):
    english = _editor("english@a.example", institution_a)
    LanguagePreference.objects.create(user=english, language="en")
    reminder = ReminderSent.objects.create(
        round=open_round, institution=institution_a, kind="manual"
    )
    smtp.refuse = {"english@a.example"}
    with pytest.raises(reminders.DeliveryFailed):
        reminders.deliver_reminder(reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == "failed" and "451" in reminder.error
    assert reminder.recipient_list == ["cio@a.example"]  # the Dutch group got it

    smtp.refuse = set()
    retry_reminder.apply(args=[reminder.pk])
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 2)
    assert reminder.recipient_list == ["cio@a.example", "english@a.example"]
    # Nobody got it twice.
    assert smtp.received() == [["cio@a.example"], ["english@a.example"]]
    subject, _body = _mails(smtp)[("english@a.example",)]
    assert subject == "Reminder: reporting round 'Winter' – ROC Proefwijk"


def test_the_preview_shows_the_message_of_each_language_group(
    client, open_round, cio_a, sector_staff, institution_a
):
    english = _editor("english@a.example", institution_a)
    client.force_login(english)
    _choose(client, "en")
    client.force_login(sector_staff)
    _choose(client, "nl")

    html = client.get(f"/beheer/rondes/{open_round.pk}/instellingen/11AA/herinnering/")
    text = " ".join(unescape(html.content.decode()).split())
    assert html.status_code == 200
    dutch = text.index("Herinnering: rapportageronde 'Winter' – ROC Proefwijk")
    english_mail = text.index("Reminder: reporting round 'Winter' – ROC Proefwijk")
    # Dutch first, each message with its own addressees and its text marked with its language.
    assert text.index("cio@a.example") < dutch < text.index("english@a.example") < english_mail
    assert "Beste invuller van ROC Proefwijk," in text and "Dear editor of ROC Proefwijk," in text
    assert '<pre class="mail-preview" lang="en">' in text
    assert '<pre class="mail-preview" lang="nl">' in text
    assert "dagen tot de sluitdatum" in text and "deadline" not in text.split('lang="en"')[0]


def test_the_preview_without_english_editors_shows_only_dutch(
    client, open_round, cio_a, sector_staff
):
    client.force_login(sector_staff)
    text = client.get(f"/beheer/rondes/{open_round.pk}/instellingen/11AA/herinnering/")
    text = text.content.decode()
    assert "Herinnering: rapportageronde &#x27;Winter&#x27;" in text
    assert 'lang="en">' not in text.split("<main", 1)[1].split("</main>")[0]
