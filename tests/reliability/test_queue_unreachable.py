"""What people see when the job queue cannot be reached (any flavour: the app is pointed at a
port where no Redis listens). Their data is saved; what depends on the queue says so."""

from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from institutions.models import Answer
from reports.actions import NOT_QUEUED
from reports.models import Report
from tests.reliability.conftest import free_port

pytestmark = pytest.mark.django_db

LATER = "De cijfers worden later bijgewerkt."


@pytest.fixture
def dead_broker(point_app_at):
    point_app_at(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there


@pytest.mark.django_db(transaction=True)  # real commits: the enqueue runs inside the view
def test_an_answer_and_an_upload_are_saved_and_say_the_figures_follow_later(
    route, dead_broker, client, cio_a
):
    client.force_login(cio_a)
    saved = client.post(
        reverse("institutions:answer-edit", args=["11AA", "LZD-WALLET"]),
        {"doel-LZD-WALLET-value": "gepland", "doel-LZD-WALLET-version": "0"},
    )
    assert saved.status_code == 302
    page = client.get(saved["Location"]).content.decode()
    assert "Antwoord op LZD-WALLET opgeslagen." in page and LATER in page

    upload = SimpleUploadedFile(
        "antwoorden.csv",
        "institution;target;value;applies_on;explanation;evidence_url\n"
        f"11AA;CYB-NBA-GEMIDDELD;2,4;{timezone.localdate().isoformat()};;\n".encode(),
    )
    imported = client.post(reverse("institutions:import", args=["11AA"]), {"file": upload})
    assert imported.status_code == 302
    page = client.get(imported["Location"]).content.decode()
    assert "1 antwoorden ingelezen." in page and LATER in page
    assert sorted(Answer.objects.values_list("target__code", flat=True)) == [
        "CYB-NBA-GEMIDDELD",
        "LZD-WALLET",
    ]


def test_with_a_working_queue_nothing_is_said(client, cio_a, django_capture_on_commit_callbacks):
    client.force_login(cio_a)
    with (
        mock.patch("roadmap.lib.jobs.app.send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        saved = client.post(
            reverse("institutions:answer-edit", args=["11AA", "LZD-WALLET"]),
            {"doel-LZD-WALLET-value": "gepland", "doel-LZD-WALLET-version": "0"},
        )
    assert send_task.call_args.args == ("indicators.recompute_pending",)
    assert LATER not in client.get(saved["Location"]).content.decode()


def test_a_report_that_could_not_be_queued_fails_at_once_and_can_be_retried(
    dead_broker, client, council, django_capture_on_commit_callbacks, point_app_at, settings
):
    client.force_login(council)
    form = {"format": "csv", "as_of": "2026-06-30", "compare_to": "", "institution": ""}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rapportages/", form)
    report = Report.objects.get()
    assert response["Location"] == f"/rapportages/{report.pk}/"
    assert (report.state, report.error) == ("failed", NOT_QUEUED)  # not "queued" forever
    page = client.get(response["Location"]).content.decode()
    assert NOT_QUEUED in page and "Probeer opnieuw" in page

    point_app_at(settings.CELERY_BROKER_URL)  # the queue is back
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert client.post(f"/rapportages/{report.pk}/opnieuw/").status_code == 302
    report.refresh_from_db()
    assert (report.state, report.error, len(callbacks)) == ("queued", "", 1)
