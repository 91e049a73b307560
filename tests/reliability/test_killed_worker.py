"""A worker's pool process killed in the middle of a recompute and of a report.

A real prefork worker (concurrency 1) over a private Redis. As soon as the job's own row says it
started (a RecomputeRun without finished_at; a Report in state "running"), the pool process
running it gets SIGKILL. With acks_late and reject_on_worker_lost the worker's main process puts
the message back and a fresh pool process runs the job again from the start.
"""

import io
import os
import signal
import threading
import time

from django.db import connection
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from benchmarks.data import generate_data
from indicators.actions import recompute
from indicators.models import RecomputeRun, Snapshot
from reports.models import Report
from roadmap.celery import app
from tests.reliability.conftest import (
    launch_worker,
    needs_services,
    pool_children,
    subprocess_env,
    wait_ready,
    wait_until,
)

pytestmark = needs_services

SNAPSHOT_FIELDS = [
    "target_id", "as_of", "is_month_end", "value", "coverage", "active_institutions",
    "answered_institutions", "details", "expected_value", "status", "projected_on",
]  # fmt: skip


def _snapshot_rows() -> list[tuple]:
    return list(Snapshot.objects.order_by("target_id", "as_of").values_list(*SNAPSHOT_FIELDS))


def _kill_the_pool_process(worker) -> int:
    children = pool_children(worker)
    assert len(children) == 1, (children, worker.log)
    os.kill(children[0], signal.SIGKILL)
    return children[0]


def test_a_killed_recompute_and_report_run_again_and_finish_as_if_undisturbed(
    route, private_redis, point_app_at, settings, tmp_path, council
):
    settings.MEDIA_ROOT = tmp_path / "media"
    point_app_at(private_redis.url)
    worker = launch_worker(subprocess_env(private_redis.url), "--pool=prefork", "--concurrency=1")
    try:
        # Prepared while the worker boots: many answers, and the figures of an undisturbed run.
        today = timezone.localdate()
        generated = generate_data(institutions=60, months=24, today=today, seed=11)
        started = time.monotonic()
        recompute(today=today)
        undisturbed_seconds = time.monotonic() - started
        undisturbed = _snapshot_rows()
        Snapshot.objects.all().delete()
        RecomputeRun.objects.all().delete()
        wait_ready(worker)

        # --- The recompute ---------------------------------------------------------------------
        app.send_task("indicators.recompute_all")
        first_run = wait_until(
            lambda: RecomputeRun.objects.filter(finished_at__isnull=True).first(),
            timeout=30,
            every=0.005,
        )
        assert first_run is not None, worker.log
        killed_pid = _kill_the_pool_process(worker)
        killed_at = time.monotonic()
        finished = wait_until(
            lambda: RecomputeRun.objects.filter(finished_at__isnull=False, error="").first(),
            timeout=60,
            every=0.1,
        )
        recompute_recovery = time.monotonic() - killed_at
        assert finished is not None, worker.log
        first_run.refresh_from_db()
        assert first_run.finished_at is None  # the kill did hit the recompute midway
        assert finished.pk != first_run.pk
        assert _snapshot_rows() == undisturbed
        assert killed_pid not in pool_children(worker)

        # --- The report, followed by its owner the whole time -----------------------------------
        client = Client()
        client.force_login(council)
        report = Report.objects.create(format="xlsx", as_of=today, created_by=council)
        served: list[tuple[int, bytes]] = []
        pages: list[int] = []
        stop = threading.Event()

        def follow() -> None:
            try:
                while not stop.is_set():
                    pages.append(client.get(f"/rapportages/{report.pk}/").status_code)
                    response = client.get(f"/rapportages/{report.pk}/download/")
                    ok = response.status_code == 200
                    served.append(
                        (response.status_code, b"".join(response.streaming_content) if ok else b"")
                    )
                    time.sleep(0.02)
            finally:
                connection.close()

        follower = threading.Thread(target=follow, daemon=True)
        follower.start()
        app.send_task("reports.generate_report", args=[report.pk])
        assert wait_until(
            lambda: Report.objects.filter(pk=report.pk, state="running").exists(),
            timeout=30,
            every=0.005,
        ), worker.log
        _kill_the_pool_process(worker)
        killed_at = time.monotonic()
        done = wait_until(
            lambda: Report.objects.filter(pk=report.pk, state__in=["done", "failed"]).first(),
            timeout=60,
            every=0.1,
        )
        report_recovery = time.monotonic() - killed_at
        time.sleep(0.3)  # let the follower fetch the finished file too
        stop.set()
        follower.join(timeout=10)

        assert done is not None and done.state == "done", (done and done.error, worker.log)
        assert (done.progress, done.step) == (100, "Klaar")
        files = sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
        assert files == [settings.MEDIA_ROOT / done.file.name]  # one file, no partial left over
        workbook = load_workbook(files[0], read_only=True)
        assert workbook.sheetnames
        # Whatever the owner was served while it ran: "not ready" or the complete file.
        downloads = [body for status, body in served if status == 200]
        assert {status for status, _body in served} <= {200, 404}
        assert set(pages) == {200}
        assert downloads, "the follower never saw the finished report"
        assert all(body == files[0].read_bytes() for body in downloads)
        load_workbook(io.BytesIO(downloads[0]), read_only=True)
        assert "WorkerLostError" in worker.log or "SIGKILL" in worker.log
    finally:
        worker.stop()
    print(
        f"{generated.answers} answers; undisturbed recompute {undisturbed_seconds:.2f} s; "
        f"recompute done {recompute_recovery:.2f} s after the kill; "
        f"report done {report_recovery:.2f} s after the kill"
    )
