"""No answer is lost while Redis is down, and the figures catch up by themselves afterwards.

A private redis-server (so the machine's shared one is never touched), a real worker and a real
beat with the production scheduler (django_celery_beat's DatabaseScheduler, which copies
app.conf.beat_schedule into its tables on start). The catch-up job runs every 2 s here instead
of every 60 s (RECOMPUTE_PENDING_EVERY_SECONDS).
"""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from indicators.models import Snapshot
from indicators.series import figures_as_of
from institutions.models import Answer
from tests.reliability.conftest import (
    launch_beat,
    launch_worker,
    needs_services,
    subprocess_env,
    wait_ready,
    wait_until,
)
from themes.models import SectorTarget

pytestmark = needs_services

LATER = "De cijfers worden later bijgewerkt."


def _today_value(target: SectorTarget):
    snapshot = Snapshot.objects.filter(target=target, as_of=timezone.localdate()).first()
    return snapshot.value if snapshot else None


def test_answers_saved_while_redis_is_down_reach_the_figures_when_it_is_back(
    route, private_redis, point_app_at, institution_a, cio_a, client
):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    point_app_at(private_redis.url)
    env = subprocess_env(private_redis.url, RECOMPUTE_PENDING_EVERY_SECONDS="2")
    worker = launch_worker(env, "--pool=solo")
    beat = launch_beat(env)
    try:
        wait_ready(worker, beat)
        private_redis.kill()
        client.force_login(cio_a)

        # A CIO saves an answer through the edit form.
        prefix = f"doel-{wallet.code}"
        saved = client.post(
            reverse("institutions:answer-edit", args=[institution_a.code, wallet.code]),
            {f"{prefix}-value": "gerealiseerd", f"{prefix}-version": "0"},
        )
        assert saved.status_code == 302
        page = client.get(saved["Location"]).content.decode()
        assert "Antwoord op LZD-WALLET opgeslagen." in page
        assert LATER in page

        # And uploads a file.
        upload = SimpleUploadedFile(
            "antwoorden.csv",
            (
                "institution;target;value;applies_on;explanation;evidence_url\n"
                f"11AA;CYB-NBA-GEMIDDELD;2,4;{timezone.localdate().isoformat()};;\n"
            ).encode(),
        )
        imported = client.post(
            reverse("institutions:import", args=[institution_a.code]), {"file": upload}
        )
        assert imported.status_code == 302
        page = client.get(imported["Location"]).content.decode()
        assert "1 antwoorden ingelezen." in page
        assert LATER in page

        assert Answer.objects.filter(institution=institution_a, target=wallet).count() == 1
        assert Answer.objects.filter(institution=institution_a, target=nba).count() == 1
        time.sleep(3)  # longer than the catch-up interval: nothing can run without the broker
        assert _today_value(wallet) is None
        assert _today_value(nba) is None

        private_redis.start()
        back = time.monotonic()
        expected_nba = figures_as_of([nba], timezone.localdate())[nba.pk][0].value
        assert expected_nba == pytest.approx(2.4)
        caught_up = wait_until(
            lambda: (
                _today_value(wallet) == pytest.approx(100.0)
                and _today_value(nba) == pytest.approx(expected_nba)
            ),
            timeout=60,
            every=0.2,
        )
        seconds = time.monotonic() - back
        assert caught_up, f"worker:\n{worker.log}\nbeat:\n{beat.log}"
        assert beat.saw("indicators.recompute_pending")
        print(f"figures caught up {seconds:.1f} s after Redis came back")
    finally:
        beat.stop()
        worker.stop()
