"""Background jobs are enqueued after the transaction commits, and never break a save.

A saved answer must be committed before anything else happens. When the broker is down the
enqueue fails, is logged, and the save still succeeds; the periodic full recompute catches up.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

from roadmap.celery import app

logger = logging.getLogger(__name__)

# Fail fast when the broker is unreachable instead of holding the request for minutes.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}

# Names of the tasks that could not be enqueued inside noting_failed_enqueues(), if any.
_failed_enqueues: ContextVar[list[str] | None] = ContextVar("failed_enqueues", default=None)


@contextmanager
def noting_failed_enqueues() -> Iterator[list[str]]:
    """Collect the tasks this block could not enqueue, so a view can say the figures will lag.

    The enqueue runs on commit, so wrap the whole transaction (views do not use
    ATOMIC_REQUESTS: the action's own transaction commits inside the block).
    """
    failed: list[str] = []
    token = _failed_enqueues.set(failed)
    try:
        yield failed
    finally:
        _failed_enqueues.reset(token)


def send_task_safely(task_name: str, *args, countdown: float | None = None) -> bool:
    try:
        app.send_task(
            task_name,
            args=args,
            countdown=countdown,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except Exception:  # any broker or connection error: the data is safe, the job can wait
        logger.warning(
            "Could not enqueue %s%r; the periodic job will catch up", task_name, args, exc_info=True
        )
        failed = _failed_enqueues.get()
        if failed is not None:
            failed.append(task_name)
        return False
    return True


def enqueue_after_commit(task_name: str, *args, countdown: float | None = None) -> None:
    transaction.on_commit(lambda: send_task_safely(task_name, *args, countdown=countdown))
