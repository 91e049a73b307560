"""Requesting a report, generating it in the background, following it and downloading it."""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.conf import settings
from django.utils import translation

from indicators.models import ProgressStatus
from institutions.models import Answer
from reports import actions
from reports.models import Report
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 6, 30)
WALLET_TITLE = (
    "30% van de mbo-instellingen heeft een wallet en bijbehorende voorzieningen geadopteerd."
)


def _wallet_row(text: str) -> list[str]:
    rows = csv.reader(io.StringIO(text))
    return next(r for r in rows if r[0] == "LZD-WALLET" and r[3] == AS_OF.isoformat())


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def answers(institution_a, institution_b):
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    Answer.objects.create(
        institution=institution_a,
        target=wallet,
        status="gerealiseerd",
        applies_on=datetime.date(2026, 3, 15),
    )
    Answer.objects.create(
        institution=institution_b,
        target=wallet,
        status="gepland",
        applies_on=datetime.date(2026, 3, 15),
    )


def _request(client, **data):
    form = {"format": "csv", "as_of": AS_OF.isoformat(), "compare_to": "", "institution": ""}
    form.update(data)
    return client.post("/rapportages/", form)


def test_council_requests_a_sector_report_that_is_made_after_commit(
    client, council, answers, django_capture_on_commit_callbacks
):
    client.force_login(council)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _request(client)
    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rapportages/{report.pk}/"
    assert (report.state, report.created_by, report.institution) == ("queued", council, None)
    assert len(callbacks) == 1  # the job is enqueued only once the request committed

    page = client.get(f"/rapportages/{report.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<progress" in page

    actions.generate_report(report.pk)
    report.refresh_from_db()
    assert (report.state, report.progress) == ("done", 100)
    done = client.get(f"/rapportages/{report.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "every 1s" not in done and "De rapportage is klaar." in done
    download = client.get(f"/rapportages/{report.pk}/download/")
    assert download.status_code == 200
    assert (
        download["Content-Disposition"]
        == 'attachment; filename="routekaart-voortgang-sector-2026-06-30.csv"'
    )
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert report.language == "nl"
    assert body.splitlines()[0].startswith("Code,Sectordoel,Thema,Peildatum,Waarde,Eenheid")
    assert _wallet_row(body)[:6] == [
        "LZD-WALLET",
        WALLET_TITLE,
        "Leren zonder drempels",
        "2026-06-30",
        "50.0",
        "%",
    ]


def test_a_report_asked_for_in_english_has_english_headers_and_labels(client, council, answers):
    client.force_login(council)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _request(client)
    report = Report.objects.get()
    assert report.language == "en"
    actions.generate_report(report.pk)
    body = b"".join(client.get(f"/rapportages/{report.pk}/download/").streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:6] == ["Code", "Sector target", "Theme", "As-of date", "Value", "Unit"]
    assert "Progress" in rows[0] and "Coverage (%)" in rows[0]
    statuses = {row[rows[0].index("Progress")] for row in rows[1:]}
    with translation.override("en"):
        english = {str(status.label) for status in ProgressStatus}
    assert statuses and statuses <= english, statuses
    assert "op koers" not in statuses and "op_koers" not in statuses


def test_a_failure_says_what_went_wrong_leaves_no_file_and_can_be_retried(client, council, answers):
    client.force_login(council)
    _request(client)
    report = Report.objects.get()
    with (
        mock.patch("reports.actions.render_report", side_effect=RuntimeError("schijf vol")),
        pytest.raises(RuntimeError),
    ):
        actions.generate_report(report.pk)
    report.refresh_from_db()
    assert report.state == "failed" and "schijf vol" in report.error and not report.file
    assert client.get(f"/rapportages/{report.pk}/download/").status_code == 404
    assert "Probeer opnieuw" in client.get(f"/rapportages/{report.pk}/").content.decode()

    assert client.post(f"/rapportages/{report.pk}/opnieuw/").status_code == 302
    actions.generate_report(report.pk)
    report.refresh_from_db()
    assert report.state == "done" and report.file


def test_a_cio_makes_only_reports_of_their_own_institution(client, cio_a, institution_b, answers):
    client.force_login(cio_a)
    refused = _request(client, institution="")  # the sector is not theirs to report on
    assert refused.status_code == 422 and not Report.objects.exists()
    other = _request(client, institution="22BB")
    assert other.status_code == 422 and not Report.objects.exists()
    ok = _request(client, institution="11AA")
    assert ok.status_code == 302
    assert Report.objects.get().institution.code == "11AA"


def test_reports_of_others_are_not_visible(client, council, cio_b, answers):
    client.force_login(council)
    _request(client)
    report = Report.objects.get()
    actions.generate_report(report.pk)
    client.force_login(cio_b)
    assert client.get(f"/rapportages/{report.pk}/").status_code == 404
    assert client.get(f"/rapportages/{report.pk}/download/").status_code == 404


def test_invalid_dates_are_refused(client, council):
    client.force_login(council)
    future = _request(client, as_of="2999-01-01")
    assert future.status_code == 422 and "niet in de toekomst" in future.content.decode()
    backwards = _request(client, compare_to="2026-12-31")
    assert "moet voor de peildatum liggen" in backwards.content.decode()
    assert not Report.objects.exists()


def test_the_command_writes_the_same_report_to_a_file(tmp_path, answers):
    from django.core.management import call_command

    output = tmp_path / "rapport.csv"
    call_command(
        "export_report",
        "--format",
        "csv",
        "--as-of",
        "2026-06-30",
        "--output",
        str(output),
        stdout=mock.MagicMock(),
    )
    text = output.read_text(encoding="utf-8-sig")
    assert _wallet_row(text)[3:6] == ["2026-06-30", "50.0", "%"]
    assert not (tmp_path / "rapport.csv.part").exists()

    call_command(
        "export_report", "--format", "csv", "--as-of", "2026-06-30", "--language", "en",
        "--output", str(output), stdout=mock.MagicMock(),
    )  # fmt: skip
    assert output.read_text(encoding="utf-8-sig").startswith("Code,Sector target,Theme,")


def test_a_cio_report_withholds_figures_from_too_few_answers_as_the_pages_do(
    client, settings, cio_a, council, answers
):
    """Two answers and a minimum group size of 3: the CIO's report shows "te weinig
    antwoorden" where the council's report shows 50.0 (the council sees the answers anyway)."""
    settings.MIN_GROUP_SIZE = 3
    rows = {}
    for person in (cio_a, council):
        client.force_login(person)
        assert _request(client, institution="11AA").status_code == 302
        report = Report.objects.latest("pk")
        actions.generate_report(report.pk)
        body = b"".join(client.get(f"/rapportages/{report.pk}/download/").streaming_content)
        rows[person] = _wallet_row(body.decode("utf-8-sig"))
    header = ["Code", "Sectordoel", "Thema", "Peildatum", "Waarde", "Eenheid"]
    assert rows[council][4] == "50.0"
    assert rows[cio_a][4] == ""
    assert "te weinig antwoorden" in rows[cio_a] and "te weinig antwoorden" not in rows[council]
    assert len(rows[cio_a]) == len(rows[council]) > len(header)


@pytest.mark.parametrize("file_format", ["pdf", "xlsx"])
def test_a_cio_report_with_withheld_figures_is_written_in_every_format(
    client, settings, cio_a, answers, file_format
):
    settings.MIN_GROUP_SIZE = 3
    client.force_login(cio_a)
    assert _request(client, institution="11AA", format=file_format).status_code == 302
    report = Report.objects.get()
    actions.generate_report(report.pk)
    report.refresh_from_db()
    assert report.state == "done", report.error
