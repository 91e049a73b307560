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
    "purge-expired-task-results": {
        "task": "celery.backend_cleanup",
        "schedule": crontab(hour=4, minute=0),
    },
}
