"""Reminder e-mails, sent to a real SMTP server (aiosmtpd) on a free local port: the editors of
incomplete institutions and nobody else, once per stage, every send recorded, a failure
retried without holding up the others."""

import socket
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model

from institutions.models import Answer, Institution, Membership
from rounds import reminders
from rounds.models import ReminderSent
from rounds.tasks import retry_reminder
from tests.rounds.conftest import days

pytestmark = pytest.mark.django_db


class Recorder:
    """Keeps every envelope; answers 451 to DATA for the addresses in ``refuse`` and, while
    ``fail_next`` is above zero, to any message."""

    def __init__(self):
        self.envelopes = []
        self.refuse: set[str] = set()
        self.fail_next = 0

    async def handle_DATA(self, server, session, envelope):
        if self.fail_next > 0:
            self.fail_next -= 1
            return "451 Try again later"
        if self.refuse & set(envelope.rcpt_tos):
            return "451 Mailbox temporarily unavailable"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def received(self) -> list[list[str]]:
        return [sorted(envelope.rcpt_tos) for envelope in self.envelopes]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    recorder = Recorder()
    port = _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield recorder
    controller.stop()


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple]:
    sent = []
    monkeypatch.setattr(
        "roadmap.lib.jobs.send_task_safely",
        lambda name, *args, **options: sent.append((name, *args)) or True,
    )
    return sent


def _editor(email, institution, *, role="editor", active=True):
    user = get_user_model().objects.create_user(username=email, email=email, is_active=active)
    Membership.objects.create(user=user, institution=institution, role=role)
    return user


def _complete(institution, round):
    for target in round.targets.all():
        value = {"status": "gepland"} if target.code == "LZD-WALLET" else {"score": 2}
        Answer.objects.create(institution=institution, target=target, applies_on=days(-1), **value)


@pytest.fixture
def cast(open_round, cio_a, viewer_a, cio_b, institution_a, institution_b):
    """A incomplete with two editors, a viewer and a deactivated editor; B complete."""
    _editor("adjunct@a.example", institution_a)
    _editor("vertrokken@a.example", institution_a, active=False)
    _complete(institution_b, open_round)
    return open_round


def test_the_stage_of_a_round(open_round, closed_round, settings):
    settings.ROUND_REMINDER_DAYS_BEFORE = 7
    assert reminders.due_kind(open_round, days(-11)) is None  # planned then
    assert reminders.due_kind(open_round, days(-10)) == "opening"
    assert reminders.due_kind(open_round, days(2)) == "opening"
    assert reminders.due_kind(open_round, days(3)) == "before_deadline"
    assert reminders.due_kind(open_round, days(9)) == "before_deadline"
    assert reminders.due_kind(open_round, days(10)) == "deadline"
    assert reminders.due_kind(open_round, days(11)) is None
    assert reminders.due_kind(closed_round, days(-30)) is None


def test_reminders_reach_exactly_the_editors_of_incomplete_institutions(smtp, cast, enqueued):
    counts = reminders.send_due_reminders(days(-10))
    assert counts == {"sent": 1, "failed": 0}
    assert smtp.received() == [["adjunct@a.example", "cio@a.example"]]
    message = message_from_bytes(smtp.envelopes[0].original_content)
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Rapportageronde 'Winter' is geopend – ROC Proefwijk"
    body = message.get_payload(decode=True).decode()
    assert "Beste invuller van ROC Proefwijk," in body
    assert "0 van de 2 gevraagde doelen" in body
    assert "/instellingen/11AA/" in body
    reminder = ReminderSent.objects.get()
    assert (reminder.kind, reminder.status, reminder.institution.code) == (
        "opening",
        "sent",
        "11AA",
    )
    assert reminder.recipient_list == ["adjunct@a.example", "cio@a.example"]
    assert reminder.sent_at is not None

    # The beat job runs every hour: the same stage never goes out twice.
    assert reminders.send_due_reminders(days(-9)) == {"sent": 0, "failed": 0}
    assert len(smtp.envelopes) == 1
    # The next stage does, and on the deadline day the last one.
    reminders.send_due_reminders(days(3))
    reminders.send_due_reminders(days(10))
    kinds = list(ReminderSent.objects.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds == ["opening", "before_deadline", "deadline"]
    assert len(smtp.envelopes) == 3 and not enqueued


def test_an_institution_that_completes_gets_no_further_reminders(smtp, cast, institution_a):
    reminders.send_due_reminders(days(-10))
    _complete(institution_a, cast)
    assert reminders.send_due_reminders(days(3)) == {"sent": 0, "failed": 0}
    assert len(smtp.envelopes) == 1


def test_a_failed_send_is_recorded_retried_and_does_not_block_the_others(
    smtp, open_round, cio_a, cio_b, institution_a, institution_b, enqueued,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    Institution.objects.create(
        code="33CC", name="ROC Zonder Invullers", kind="roc", active_from=days(-5000)
    )
    smtp.refuse = {"cio@a.example"}
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders.send_due_reminders(days(-10))
    assert counts == {"sent": 1, "failed": 2}
    assert smtp.received() == [["cio@b.example"]]
    by_code = {r.institution.code: r for r in ReminderSent.objects.select_related("institution")}
    assert by_code["11AA"].status == "failed" and "451" in by_code["11AA"].error
    assert by_code["22BB"].status == "sent"
    assert by_code["33CC"].status == "failed" and "Geen invullers" in by_code["33CC"].error
    # Only the refused mail goes to the retry task (nobody to send to is not retried).
    assert enqueued == [("rounds.retry_reminder", by_code["11AA"].pk)]

    # The worker retries; the server takes it now.
    smtp.refuse = set()
    retry_reminder.apply(args=[by_code["11AA"].pk])
    reminder = ReminderSent.objects.get(pk=by_code["11AA"].pk)
    assert (reminder.status, reminder.attempts, reminder.error) == ("sent", 2, "")
    assert smtp.received() == [["cio@b.example"], ["cio@a.example"]]


def test_the_retry_task_retries_until_the_server_takes_it(smtp, open_round, cio_a, institution_a):
    reminder = ReminderSent.objects.create(
        round=open_round, institution=institution_a, kind="manual"
    )
    smtp.fail_next = 2
    result = retry_reminder.apply(args=[reminder.pk])
    assert result.get() == "sent"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("sent", 3)
    assert smtp.received() == [["cio@a.example"]]
    # Sent is sent: running the task again (a redelivered message) sends nothing.
    retry_reminder.apply(args=[reminder.pk])
    assert len(smtp.envelopes) == 1


def test_the_retry_task_gives_up_after_its_retries(smtp, open_round, cio_a, institution_a):
    reminder = ReminderSent.objects.create(
        round=open_round, institution=institution_a, kind="manual"
    )
    smtp.refuse = {"cio@a.example"}
    result = retry_reminder.apply(args=[reminder.pk])
    assert result.failed()
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == ("failed", 1 + retry_reminder.max_retries)


def test_the_beat_schedule_runs_the_reminder_job():
    from roadmap.celery import app

    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["send-round-reminders"]
    assert entry["task"] == "rounds.send_due_reminders"
    assert {"rounds.send_due_reminders", "rounds.retry_reminder"} <= set(app.tasks)


def test_a_retry_after_the_institution_completed_sends_nothing(
    smtp, open_round, cio_a, institution_a
):
    reminder = ReminderSent.objects.create(
        round=open_round, institution=institution_a, kind="opening"
    )
    _complete(institution_a, open_round)
    retry_reminder.apply(args=[reminder.pk])
    reminder.refresh_from_db()
    assert reminder.status == "skipped" and not smtp.envelopes
