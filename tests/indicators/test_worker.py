"""A real Celery worker over Redis recomputes the figures after a saved answer.

Runs in the PostgreSQL + Redis flavour of CI (.ci/run sets DATABASE_URL and CELERY_BROKER_URL);
skipped on the zero-config defaults, where the filesystem broker and SQLite are used.
"""

import io
import time

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from indicators.models import Snapshot
from institutions.actions import AnswerValue, do_save_answer
from tests.reliability.conftest import launch_worker, needs_services, subprocess_env, wait_ready
from themes.models import SectorTarget, Theme

pytestmark = needs_services


@pytest.fixture
def worker(transactional_db):
    if not Theme.objects.exists():  # an earlier transactional test flushed the route
        call_command("load_roadmap", verbosity=0, stdout=io.StringIO())
    process = launch_worker(subprocess_env(settings.CELERY_BROKER_URL), "--pool=solo")
    wait_ready(process)
    yield process
    process.stop()


def _save_and_wait(institution, target, user, status, version, expected_value):
    """Save an answer; return the seconds until the worker's figures show it."""
    do_save_answer(
        institution=institution,
        target=target,
        answer=AnswerValue(value={"status": status}, applies_on=timezone.localdate()),
        user=user,
        based_on_version=version,
    )
    saved_at = time.monotonic()
    while time.monotonic() < saved_at + 30:
        snapshot = Snapshot.objects.filter(target=target, as_of=timezone.localdate()).first()
        if snapshot is not None and snapshot.value == pytest.approx(expected_value):
            return time.monotonic() - saved_at
        time.sleep(0.05)
    return None


def test_a_saved_answer_reaches_the_figures_through_a_real_worker(worker, institution_a, cio_a):
    target = SectorTarget.objects.get(code="LZD-WALLET")
    first = _save_and_wait(institution_a, target, cio_a, "gerealiseerd", 0, 100.0)
    assert first is not None, worker.log
    # The second save shows the steady state: a warm worker, one target, a few months.
    second = _save_and_wait(institution_a, target, cio_a, "gepland", 1, 0.0)
    assert second is not None, worker.log
    print(f"answer visible in the figures {first:.2f} s (first) and {second:.2f} s after the save")
