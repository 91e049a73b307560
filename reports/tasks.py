"""Celery wrappers; the work is in reports.actions.generate_report and
reports.assembly.freeze_pack."""

from celery import shared_task

from reports import actions, assembly


@shared_task(
    name="reports.generate_report", acks_late=True, time_limit=20 * 60, soft_time_limit=18 * 60
)
def generate_report(report_id: int) -> int:
    # No automatic retry: a failed report shows its error and the person chooses to retry.
    return actions.generate_report(report_id).pk


def _freeze_assembly_pack(pack_id: int) -> int:
    # No automatic retry: a failed pack shows its error and the council asks again.
    return assembly.freeze_pack(pack_id).pk


FREEZE_OPTIONS = {"acks_late": True, "time_limit": 20 * 60, "soft_time_limit": 18 * 60}
freeze_assembly_pack = shared_task(name=assembly.FREEZE_TASK, **FREEZE_OPTIONS)(
    _freeze_assembly_pack
)
# The same task under its name from before the pack moved from rounds to reports, so that a job
# queued before that deploy still runs after it. For one release only: remove it in the next.
freeze_assembly_pack_under_old_name = shared_task(
    name="rounds.freeze_assembly_pack", **FREEZE_OPTIONS
)(_freeze_assembly_pack)
