"""Background jobs are enqueued after the transaction commits, and never break a save.

A saved answer must be committed before anything else happens. When the broker is down the
enqueue fails, is logged, and the save still succeeds; the periodic full recompute catches up.
"""

import logging

from django.db import transaction

from roadmap.celery import app

logger = logging.getLogger(__name__)

# Fail fast when the broker is unreachable instead of holding the request for minutes.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}


def send_task_safely(task_name: str, *args) -> bool:
    try:
        app.send_task(task_name, args=args, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # any broker or connection error: the data is safe, the job can wait
        logger.warning(
            "Could not enqueue %s%r; the periodic job will catch up", task_name, args, exc_info=True
        )
        return False
    return True


def enqueue_after_commit(task_name: str, *args) -> None:
    transaction.on_commit(lambda: send_task_safely(task_name, *args))
