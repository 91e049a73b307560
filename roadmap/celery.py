"""The Celery app. Its configuration lives in Django settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap.settings")

app = Celery("roadmap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# How often the catch-up job looks for answers whose figures are not computed yet. Tests of
# a broker outage set it to a few seconds so the catch-up shows without waiting a minute.
RECOMPUTE_PENDING_EVERY_SECONDS = float(os.environ.get("RECOMPUTE_PENDING_EVERY_SECONDS", "60"))

# All periodic jobs in one place (run by one beat scheduler).
app.conf.beat_schedule = {
    # Catches up on answers whose enqueue failed (broker down) or was missed.
    "recompute-pending-answers": {
        "task": "indicators.recompute_pending",
        "schedule": RECOMPUTE_PENDING_EVERY_SECONDS,
    },
    # Repairs anything missed and rolls "today" over to a new day.
    "recompute-all-nightly": {
        "task": "indicators.recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
    # Reminders of the reporting rounds (at opening, before and on the deadline). Hourly in
    # office hours: each reminder goes out once (rounds.ReminderSent), so a missed run catches up.
    "send-round-reminders": {
        "task": "rounds.send_due_reminders",
        "schedule": crontab(minute=5, hour="8-17"),
    },
    "purge-expired-task-results": {
        "task": "celery.backend_cleanup",
        "schedule": crontab(hour=4, minute=0),
    },
}
