"""The Celery app. Its configuration lives in Django settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap.settings")

app = Celery("roadmap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# All periodic jobs in one place (run by one beat scheduler).
app.conf.beat_schedule = {
    # Catches up on answers whose enqueue failed (broker down) or was missed.
    "recompute-pending-answers": {"task": "indicators.recompute_pending", "schedule": 60.0},
    # Repairs anything missed and rolls "today" over to a new day.
    "recompute-all-nightly": {
        "task": "indicators.recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
    "purge-expired-task-results": {
        "task": "celery.backend_cleanup",
        "schedule": crontab(hour=4, minute=0),
    },
}
