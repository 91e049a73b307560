"""Celery wrapper; the work is in reports.actions.generate_report."""

from celery import shared_task

from reports import actions


@shared_task(
    name="reports.generate_report", acks_late=True, time_limit=20 * 60, soft_time_limit=18 * 60
)
def generate_report(report_id: int) -> int:
    # No automatic retry: a failed report shows its error and the person chooses to retry.
    return actions.generate_report(report_id).pk
