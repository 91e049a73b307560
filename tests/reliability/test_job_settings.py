"""A killed worker loses no job: the settings that make Celery redeliver it, one beat in the
deployment, and jobs that give the same result when they run a second time.

No services needed: these run in every flavour.
"""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from indicators import actions as indicator_actions
from indicators.models import RecomputeRun, Snapshot
from indicators.tasks import recompute_all, recompute_pending
from institutions.models import Answer
from reports import actions as report_actions
from reports.models import Report
from reports.tasks import generate_report
from themes.models import SectorTarget

BASE_DIR = Path(__file__).resolve().parents[2]
OUR_TASKS = [recompute_pending, recompute_all, generate_report]


def _redis_settings() -> dict:
    """The Celery settings as production (CELERY_BROKER_URL=redis://...) gets them."""
    script = (
        "import json, django; django.setup(); from roadmap.celery import app; "
        "print(json.dumps({'transport': app.conf.broker_transport_options, "
        "'time_limit': app.conf.task_time_limit, 'acks_late': app.conf.task_acks_late, "
        "'reject': app.conf.task_reject_on_worker_lost, "
        "'prefetch': app.conf.worker_prefetch_multiplier}))"
    )
    env = {**os.environ, "CELERY_BROKER_URL": "redis://redis.invalid:6379/0"}
    out = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, check=True
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def test_a_task_of_a_killed_worker_is_redelivered_and_never_runs_twice_at_once():
    conf = _redis_settings()
    # Acknowledged only after it ran, and put back when the process running it dies.
    assert conf["acks_late"] is True
    assert conf["reject"] is True
    # One message at a time per process: a killed process holds no others hostage.
    assert conf["prefetch"] == 1
    # Redis hands an unacknowledged task to another worker after the visibility timeout, so
    # every task must be stopped (hard limit) well before that: never two copies at once.
    visibility = conf["transport"]["visibility_timeout"]
    assert conf["time_limit"] < visibility
    for task in OUR_TASKS:
        assert task.acks_late is True, task.name
        assert task.reject_on_worker_lost in (None, True), task.name  # None: the setting
        assert (task.time_limit or conf["time_limit"]) < visibility, task.name
        assert task.soft_time_limit is None or task.soft_time_limit < (
            task.time_limit or conf["time_limit"]
        )


def test_the_deployment_runs_exactly_one_beat():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    commands = {
        name: " ".join(service.get("command") or [])
        if isinstance(service.get("command"), list)
        else str(service.get("command") or "")
        for name, service in compose["services"].items()
    }
    beats = [name for name, command in commands.items() if " beat" in command]
    assert beats == ["beat"], commands
    assert "django_celery_beat.schedulers:DatabaseScheduler" in commands["beat"]
    embedded = [n for n, c in commands.items() if {"-B", "--beat"} & set(c.split())]
    assert embedded == []  # no worker with an embedded beat
    assert "worker" in commands["worker"]
    # A scaled beat would run every periodic job twice.
    assert compose["services"]["beat"].get("deploy", {}).get("replicas", 1) == 1


@pytest.fixture
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def answers(institution_a, institution_b):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    for institution, status in ((institution_a, "gerealiseerd"), (institution_b, "gepland")):
        Answer.objects.create(
            institution=institution,
            target=wallet,
            status=status,
            applies_on=datetime.date(2026, 3, 15),
        )


def _report_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def test_a_report_redelivered_after_its_worker_died_starts_over_and_leaves_one_file(
    _media, answers, council
):
    report = Report.objects.create(
        format="csv", as_of=datetime.date(2026, 6, 30), created_by=council
    )
    # What a run killed while writing leaves behind: a running state, progress, a partial file.
    Report.objects.filter(pk=report.pk).update(state="running", progress=95, step="Bestand opslaan")
    partial_dir = _media / report_actions.PARTIAL_DIR
    partial_dir.mkdir(parents=True)
    (partial_dir / f"{report.pk}-abc.part").write_bytes(b"target,theme,da")
    someone_elses = partial_dir / f"{report.pk + 1}-def.part"  # another report, still writing
    someone_elses.write_bytes(b"x")

    seen_progress = []
    real_set_progress = report_actions._set_progress

    def recording(report_id, percent, step):
        seen_progress.append(percent)
        real_set_progress(report_id, percent, step)

    report_actions._set_progress = recording
    try:
        report_actions.generate_report(report.pk)  # the redelivered task
    finally:
        report_actions._set_progress = real_set_progress
    report.refresh_from_db()
    assert (report.state, report.progress, report.step) == ("done", 100, "Klaar")
    assert seen_progress == sorted(seen_progress) and seen_progress[0] < 95  # started over
    files = _report_files(_media)
    assert files == sorted([Path(report.file.path), someone_elses])
    assert report.file.read().decode("utf-8-sig").startswith("Code,Sectordoel,Thema,Peildatum")

    # Delivered once more (a duplicate message): a finished report is left alone.
    first_file = report.file.name
    report_actions.generate_report(report.pk)
    report.refresh_from_db()
    assert report.file.name == first_file
    assert _report_files(_media) == files


def test_a_recompute_killed_midway_does_not_count_and_the_next_run_gives_the_same_figures(
    answers,
):
    first = indicator_actions.recompute()
    rows = list(
        Snapshot.objects.order_by("target_id", "as_of").values_list(
            "target_id", "as_of", "value", "coverage", "status", "expected_value"
        )
    )
    assert rows
    newest = Answer.objects.order_by("-id").first()
    # A newer answer, and a run that was killed before it finished (no finished_at, no error).
    Answer.objects.create(
        institution=newest.institution,
        target=newest.target,
        status="gerealiseerd",
        applies_on=datetime.date(2026, 4, 1),
    )
    killed = RecomputeRun.objects.create(
        kind="incremental", started_at=first.finished_at, answers_up_to=newest.id + 1
    )
    run = indicator_actions.recompute_pending()
    assert run is not None and run.pk != killed.pk  # the killed run's mark is not trusted
    after_incremental = list(
        Snapshot.objects.order_by("target_id", "as_of").values_list(
            "target_id", "as_of", "value", "coverage", "status", "expected_value"
        )
    )
    assert after_incremental != rows
    indicator_actions.recompute()  # and a full recompute agrees with it
    assert (
        list(
            Snapshot.objects.order_by("target_id", "as_of").values_list(
                "target_id", "as_of", "value", "coverage", "status", "expected_value"
            )
        )
        == after_incremental
    )
