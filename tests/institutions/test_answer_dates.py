"""How far back an answer may be dated. A CIO (status page, upload, token API) goes back at
most ANSWER_MAX_BACKDATE_DAYS and never before ROUTE_START; the operator's import_answers may
load history back to 2020-01-01. The bound lives in validation.earliest_applies_on()."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from accounts.tokens import issue_api_token
from institutions import validation
from institutions.models import Answer

pytestmark = pytest.mark.django_db

HEADER = "institution;target;value;applies_on;explanation;evidence_url"


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def _send(channel: str, client, cio, day: datetime.date):
    client.force_login(cio)
    if channel == "form":
        response = client.post(
            "/instellingen/11AA/doelen/LZD-WALLET/bewerken/",
            {"doel-LZD-WALLET-value": "gepland", "doel-LZD-WALLET-applies_on": day.isoformat(),
             "doel-LZD-WALLET-version": 0},
        )  # fmt: skip
    elif channel == "upload":
        content = f"{HEADER}\n11AA;LZD-WALLET;gepland;{day.isoformat()};;\n".encode()
        response = client.post(
            "/instellingen/11AA/import/", {"file": SimpleUploadedFile("a.csv", content)}
        )
    else:
        response = client.post(
            "/api/v1/institutions/11AA/answers/",
            {"target": "LZD-WALLET", "value": "gepland", "applies_on": day.isoformat(),
             "version": 0},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {issue_api_token(cio)}",
        )  # fmt: skip
    return response.status_code, response.content.decode()


CHANNELS = ["form", "upload", "api"]
SAVED = {"form": 302, "upload": 302, "api": 201}
REFUSED = {"form": 422, "upload": 422, "api": 400}


@pytest.fixture
def thirty_days(settings):
    settings.ROUTE_START, settings.ANSWER_MAX_BACKDATE_DAYS = "2020-01-01", 30


def test_the_default_bound_is_a_year_and_the_route_start(settings):
    assert settings.ANSWER_MAX_BACKDATE_DAYS == 366
    start = datetime.date.fromisoformat(settings.ROUTE_START)
    assert validation.earliest_applies_on() == max(start, _days_ago(366))
    assert validation.earliest_applies_on(history_load=True) == datetime.date(2020, 1, 1)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_cio_may_date_back_to_the_bound(client, cio_a, thirty_days, channel):
    status_code, text = _send(channel, client, cio_a, _days_ago(30))
    assert status_code == SAVED[channel], text[:2000]
    assert Answer.objects.get().applies_on == _days_ago(30)


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_cio_may_not_date_past_the_bound_and_is_told_the_earliest_date(
    client, cio_a, thirty_days, channel
):
    status_code, text = _send(channel, client, cio_a, _days_ago(31))
    assert status_code == REFUSED[channel], text[:2000]
    assert f"De datum mag niet voor {_days_ago(30).isoformat()} liggen." in text
    assert not Answer.objects.exists()


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_cio_may_never_date_before_the_route_start(client, cio_a, settings, channel):
    settings.ROUTE_START, settings.ANSWER_MAX_BACKDATE_DAYS = _days_ago(10).isoformat(), 366
    status_code, text = _send(channel, client, cio_a, _days_ago(11))
    assert status_code == REFUSED[channel], text[:2000]
    assert f"De datum mag niet voor {_days_ago(10).isoformat()} liggen." in text
    assert not Answer.objects.exists()


def test_the_form_offers_no_date_before_the_bound(client, cio_a, thirty_days):
    client.force_login(cio_a)
    html = client.get("/instellingen/11AA/doelen/LZD-WALLET/bewerken/").content.decode()
    assert f'min="{_days_ago(30).isoformat()}"' in html


def test_the_operator_loads_history_back_to_2020(tmp_path, institution_a, thirty_days):
    path = tmp_path / "geschiedenis.csv"
    path.write_text(
        f"{HEADER}\n11AA;LZD-WALLET;niet_gestart;2020-01-01;;\n"
        f"11AA;LZD-WALLET;gepland;{_days_ago(400).isoformat()};;\n"
    )
    call_command("import_answers", str(path), stdout=io.StringIO())
    assert sorted(Answer.objects.values_list("applies_on", flat=True)) == [
        datetime.date(2020, 1, 1), _days_ago(400)
    ]  # fmt: skip
