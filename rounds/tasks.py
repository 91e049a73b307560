"""Celery wrappers over rounds.reminders; tests call those directly."""

from celery import shared_task
from django.utils import timezone

from rounds import reminders


@shared_task(name="rounds.send_due_reminders", acks_late=True)
def send_due_reminders() -> dict[str, int]:
    return reminders.send_due_reminders(timezone.localdate())


@shared_task(
    name="rounds.retry_reminder",
    bind=True,
    max_retries=5,
    default_retry_delay=reminders.RETRY_COUNTDOWN_SECONDS,
    acks_late=True,
)
def retry_reminder(self, reminder_id: int) -> str:
    try:
        return reminders.deliver_reminder(reminder_id).status
    except reminders.DeliveryFailed as error:
        raise self.retry(exc=error) from error
