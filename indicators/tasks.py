"""Celery wrappers. The work is in indicators.actions; tests call those functions directly."""

from celery import shared_task

from indicators import actions


@shared_task(
    name="indicators.recompute_pending",
    autoretry_for=(Exception,),
    retry_backoff=5,
    max_retries=5,
    acks_late=True,
)
def recompute_pending() -> int | None:
    run = actions.recompute_pending()
    return run.pk if run else None


@shared_task(
    name="indicators.recompute_all",
    autoretry_for=(Exception,),
    retry_backoff=30,
    max_retries=3,
    acks_late=True,
)
def recompute_all() -> int:
    return actions.recompute().pk
