"""Reminder e-mails to the editors of institutions that have not completed a round.

Three go out by themselves (the beat job calls ``send_due_reminders`` every hour of the working
day): at the opening, ROUND_REMINDER_DAYS_BEFORE days before the deadline and on the deadline
day, each at most once per round and institution (ReminderSent's unique constraint), never to
an institution that has completed the round. Staff send one by hand from the round page.

Each editor gets the mail in their preferred language (accounts.LanguagePreference, set by
the language switch; Dutch without one): the editors of an institution are grouped by language
and each group gets one message, its members together in To.

Every send is recorded. Each institution's reminder is sent and recorded on its own (one
ReminderSent for all its language groups): a failure is stored with its error and retried by a
Celery task (rounds.retry_reminder), and the others go out regardless. ``recipients`` holds the
addresses the mail has reached so far, so a retry after a partial failure sends only to the
language groups that have not had it.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from institutions.models import Institution
from roadmap.lib.jobs import enqueue_after_commit
from rounds import queries
from rounds.models import ReminderSent, Round, RoundState

logger = logging.getLogger(__name__)

RETRY_TASK = "rounds.retry_reminder"
RETRY_COUNTDOWN_SECONDS = 120
REMINDER_LANGUAGE = "nl"

Kind = ReminderSent.Kind


class DeliveryFailed(Exception):
    """The SMTP server did not take the reminder; it is recorded and can be retried."""


def due_kind(round: Round, today: datetime.date) -> str | None:
    """The scheduled reminder whose stage the round is in today: on the deadline day the
    deadline reminder; from ROUND_REMINDER_DAYS_BEFORE days before it the "before" reminder;
    from the opening until then the opening reminder (so a missed run catches up within the
    stage, and a round opened late skips straight to the stage it is in). None for a planned or
    closed round and after the deadline."""
    if round.state(today) != RoundState.OPEN or today > round.closes_on:
        return None
    if today == round.closes_on:
        return Kind.DEADLINE
    if today >= round.closes_on - datetime.timedelta(days=settings.ROUND_REMINDER_DAYS_BEFORE):
        return Kind.BEFORE_DEADLINE
    return Kind.OPENING


@dataclass(frozen=True)
class ReminderMail:
    subject: str
    body: str
    recipients: list[str]
    language: str = REMINDER_LANGUAGE


def compose(
    round: Round,
    institution: Institution,
    kind: str,
    today=None,
    *,
    language: str = REMINDER_LANGUAGE,
    recipients: list[str] | None = None,
) -> ReminderMail:
    """The reminder as it would be sent now in ``language``: subject, text and addresses (by
    default all the editors' addresses, as the preview on the round page shows them)."""
    today = today or timezone.localdate()
    with translation.override(language):
        context = {
            "round": round,
            "institution": institution,
            "kind": kind,
            "days_left": round.days_left(today),
            "completeness": queries.completeness(round, institution),
            "status_url": settings.PORTAL_URL
            + reverse("institutions:status", args=[institution.code]),
        }
        subject = render_to_string("rounds/email/reminder_subject.txt", context)
        body = render_to_string("rounds/email/reminder_body.txt", context)
    return ReminderMail(
        subject=" ".join(subject.split()),
        body=body.strip() + "\n",
        recipients=queries.reminder_recipients(institution) if recipients is None else recipients,
        language=language,
    )


def compose_per_language(
    round: Round, institution: Institution, kind: str, today=None, *, exclude=()
) -> list[ReminderMail]:
    """The reminder's messages: one per language group of the editors (Dutch first), leaving
    out the addresses in ``exclude`` (and a group left empty)."""
    mails = []
    for language, addresses in queries.reminder_recipients_by_language(institution).items():
        if addresses := [address for address in addresses if address not in exclude]:
            mails.append(
                compose(round, institution, kind, today, language=language, recipients=addresses)
            )
    return mails


def compose_for_preview(round: Round, institution: Institution) -> list[ReminderMail]:
    """The messages a reminder by hand would send now, one per language group as
    deliver_reminder sends them; without editors to send to, the Dutch text addressed to no one
    (so staff still see what the reminder says)."""
    return compose_per_language(round, institution, Kind.MANUAL) or [
        compose(round, institution, Kind.MANUAL, recipients=[])
    ]


def deliver_reminder(reminder_id: int) -> ReminderSent:
    """Send a recorded reminder (again) to whoever has not had it yet; already sent ones are
    left alone (idempotent). Records the outcome; raises DeliveryFailed when the mail server
    refused a message (the groups sent before it stay recorded as reached)."""
    reminder = ReminderSent.objects.select_related("round", "institution").get(pk=reminder_id)
    if reminder.status == ReminderSent.Status.SENT:
        return reminder
    if queries.completeness(reminder.round, reminder.institution).complete:
        # Completed between the first try and this retry: never remind those who are done.
        reminder.status = ReminderSent.Status.SKIPPED
        reminder.error = "Niet meer nodig: de instelling heeft de ronde compleet."
        reminder.save(update_fields=["status", "error"])
        return reminder
    reached = reminder.recipient_list
    mails = compose_per_language(
        reminder.round, reminder.institution, reminder.kind, exclude=set(reached)
    )
    reminder.attempts += 1
    if not mails and not reached:
        reminder.status = ReminderSent.Status.FAILED
        reminder.error = "Geen invullers met een e-mailadres bij deze instelling."
        reminder.save(update_fields=["attempts", "status", "error"])
        return reminder
    for mail in mails:
        try:
            # One message per language with its editors in To: they see who else got it
            # (colleagues at one institution).
            EmailMessage(mail.subject, mail.body, to=mail.recipients).send()
        except Exception as error:  # SMTP errors, refused connections, timeouts alike
            reminder.status = ReminderSent.Status.FAILED
            reminder.error = f"{type(error).__name__}: {error}"[:2000]
            reminder.save(update_fields=["attempts", "recipients", "status", "error"])
            logger.warning("Reminder %s not sent: %s", reminder.pk, reminder.error)
            raise DeliveryFailed(reminder.error) from error
        reached = sorted(set(reached) | set(mail.recipients))
        reminder.recipients = "\n".join(reached)
    reminder.status = ReminderSent.Status.SENT
    reminder.sent_at = timezone.now()
    reminder.error = ""
    reminder.save(update_fields=["attempts", "recipients", "status", "sent_at", "error"])
    return reminder


def _send(reminder: ReminderSent) -> ReminderSent:
    """Try now; on failure leave the retry to the worker (after this transaction commits)."""
    try:
        return deliver_reminder(reminder.pk)
    except DeliveryFailed:
        enqueue_after_commit(RETRY_TASK, reminder.pk, countdown=RETRY_COUNTDOWN_SECONDS)
        reminder.refresh_from_db()
        return reminder


def send_reminder(
    round: Round, institution: Institution, *, user: AbstractBaseUser | None = None
) -> ReminderSent:
    """Staff send a reminder by hand (kind "manual"); recorded like the scheduled ones."""
    reminder = ReminderSent.objects.create(
        round=round, institution=institution, kind=Kind.MANUAL, sent_by=user
    )
    return _send(reminder)


def send_due_reminders(today: datetime.date) -> dict[str, int]:
    """Send today's scheduled reminders of every open round to the institutions that have not
    completed it and have not had this reminder yet. Returns counts: {"sent", "failed"}."""
    counts = {"sent": 0, "failed": 0}
    for round in Round.objects.filter(closed_at__isnull=True, opens_on__lte=today):
        kind = due_kind(round, today)
        if kind is None:
            continue
        already = ReminderSent.objects.filter(round=round, kind=kind).values("institution")
        for institution in queries.incomplete_institutions(round).exclude(pk__in=already):
            try:
                with transaction.atomic():
                    reminder = ReminderSent.objects.create(
                        round=round, institution=institution, kind=kind
                    )
            except IntegrityError:  # another run recorded it a moment ago
                continue
            reminder = _send(reminder)
            counts["sent" if reminder.status == ReminderSent.Status.SENT else "failed"] += 1
    return counts
