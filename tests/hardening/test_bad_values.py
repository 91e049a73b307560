"""Bad values in an answer, through each of the three ways in: the status page form, the file
upload and the token API. Each is refused with a message that says what is wrong, and nothing is
saved: the answers already there stay exactly as they were."""

import csv
import datetime
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.tokens import issue_api_token
from institutions import actions, queries, validation
from institutions.models import Answer, Institution
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

STATUS, SCORE, PERCENTAGE = "LZD-WALLET", "CYB-NBA-GEMIDDELD", "DBO-EDU-V"
GOOD_VALUE = {STATUS: "gepland", SCORE: "2,5", PERCENTAGE: "40"}
CHANNELS = ("form", "upload", "api")
ANSWER_COLUMNS = ["institution", "target", "value", "applies_on", "explanation", "evidence_url"]


@pytest.fixture
def existing(institution_a, cio_a):
    """An earlier answer on each of the three targets; none of them may change."""
    for code, value in ((STATUS, {"status": "in_uitvoering"}), (SCORE, {"score": "1.5"}),
                        (PERCENTAGE, {"percentage": "20"})):  # fmt: skip
        actions.do_save_answer(
            institution=institution_a,
            target=SectorTarget.objects.get(code=code),
            answer=actions.AnswerValue(value=value, applies_on=datetime.date(2025, 6, 1)),
            user=cio_a,
            based_on_version=0,
        )
    return _snapshot()


def _snapshot():
    return list(Answer.objects.order_by("pk").values())


def submit(channel: str, client, cio, target: str, **fields) -> tuple[int, str]:
    """Send one answer for 11AA through ``channel``; the status code and the response text."""
    fields = {"value": GOOD_VALUE[target], "applies_on": "", "explanation": "",
              "evidence_url": "", **fields}  # fmt: skip
    client.force_login(cio)
    if channel == "form":
        prefix = f"doel-{target}"
        version = queries.answer_version(Institution.objects.get(code="11AA"), _target(target))
        data = {f"{prefix}-{name}": value for name, value in fields.items()}
        response = client.post(
            f"/instellingen/11AA/doelen/{target}/bewerken/", {**data, f"{prefix}-version": version}
        )
        return response.status_code, response.content.decode()
    if channel == "upload":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(ANSWER_COLUMNS)
        writer.writerow(["11AA", target, *(fields[name] for name in ANSWER_COLUMNS[2:])])
        upload = SimpleUploadedFile("antwoorden.csv", buffer.getvalue().encode("utf-8-sig"))
        response = client.post("/instellingen/11AA/import/", {"file": upload})
        return response.status_code, response.content.decode()
    body = {"target": target, **{name: value for name, value in fields.items() if value != ""}}
    body["version"] = queries.answer_version(Institution.objects.get(code="11AA"), _target(target))
    token = issue_api_token(cio)
    response = client.post(
        "/api/v1/institutions/11AA/answers/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    return response.status_code, response.content.decode()


def _target(code: str) -> SectorTarget:
    return SectorTarget.objects.get(code=code)


REFUSED = {"form": 422, "upload": 422, "api": 400}


def assert_refused(channel, status_code, text, message, existing):
    assert status_code == REFUSED[channel], text[:2000]
    if channel == "api":  # the messages of every field, as a person would read them
        text = " ".join(" ".join(messages) for messages in json.loads(text).values())
    assert message in text, text[:3000]
    assert _snapshot() == existing  # nothing added, nothing changed


# --- Evidence links ---------------------------------------------------------------------------

ONLY_HTTP = "Alleen links die met http:// of https:// beginnen."
BAD_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "   javascript:alert(1)",
    "\x01\x08javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/pad",
    "ftp://example.org/bestand",
]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("link", BAD_LINKS)
def test_a_link_that_is_not_http_is_refused(client, cio_a, existing, channel, link):
    status_code, text = submit(channel, client, cio_a, STATUS, evidence_url=link)
    assert_refused(channel, status_code, text, ONLY_HTTP, existing)


@pytest.mark.parametrize(
    ("channel", "message"),
    [
        ("form", "niet meer dan 500 tekens"),
        ("upload", "De link is te lang (hoogstens 500 tekens)."),
        ("api", "niet meer dan 500 karakters"),
    ],
)
def test_a_ten_thousand_character_link_is_refused_by_its_length(
    client, cio_a, existing, channel, message
):
    link = "https://example.org/" + "a" * 10_000
    status_code, text = submit(channel, client, cio_a, STATUS, evidence_url=link)
    assert_refused(channel, status_code, text, message, existing)
    if channel != "form":  # the form gives the person their input back to correct it
        assert link not in text  # the message names the limit, it does not echo the link


# --- Dates ------------------------------------------------------------------------------------

# A CIO may date an answer back to the route's start or ANSWER_MAX_BACKDATE_DAYS, the later.
TOO_EARLY = f"De datum mag niet voor {validation.earliest_applies_on().isoformat()} liggen."
FUTURE = "De datum mag niet in de toekomst liggen."
NOT_A_DATE = {
    "form": "Voer een geldige datum in.",
    "upload": "is geen datum in de vorm JJJJ-MM-DD",
    "api": "is geen datum in de vorm JJJJ-MM-DD",
}


def _tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("applies_on", "message"),
    [
        ("0001-01-01", TOO_EARLY),
        ("1900-01-01", TOO_EARLY),
        ("9999-12-31", FUTURE),
        (_tomorrow, FUTURE),
        ("2026-02-30", NOT_A_DATE),
        ("2026-13-01", NOT_A_DATE),
        ("gisteren", NOT_A_DATE),
    ],
)
def test_an_impossible_date_is_refused(client, cio_a, existing, channel, applies_on, message):
    applies_on = applies_on() if callable(applies_on) else applies_on
    message = message[channel] if isinstance(message, dict) else message
    status_code, text = submit(channel, client, cio_a, STATUS, applies_on=applies_on)
    assert_refused(channel, status_code, text, message, existing)


def test_the_form_reads_a_dutch_day_month_year_date(client, cio_a, existing):
    """A person who types 1-3-2026 in the form (no date picker) means 1 March: the form is Dutch."""
    status_code, _text = submit("form", client, cio_a, STATUS, applies_on="01-03-2026")
    assert status_code == 302
    assert Answer.objects.latest("pk").applies_on == datetime.date(2026, 3, 1)


@pytest.mark.parametrize("channel", ["upload", "api"])
def test_files_and_the_api_refuse_the_ambiguous_day_month_order(client, cio_a, existing, channel):
    """Machines and spreadsheets write dates in any order; only JJJJ-MM-DD is unambiguous."""
    status_code, text = submit(channel, client, cio_a, STATUS, applies_on="01-03-2026")
    assert_refused(channel, status_code, text, NOT_A_DATE[channel], existing)


@pytest.mark.parametrize("channel", CHANNELS)
def test_an_empty_date_means_today(client, cio_a, existing, channel):
    status_code, text = submit(channel, client, cio_a, STATUS, applies_on="")
    assert status_code in {302, 201}, text[:2000]
    assert Answer.objects.latest("pk").applies_on == timezone.localdate()


# --- Numbers ----------------------------------------------------------------------------------

OUT_OF_RANGE = "De score moet tussen 0,0 en 5,0 liggen."
NOT_A_NUMBER = "is geen getal."
EMPTY = {
    "form": "Dit veld is vereist.",
    "upload": "Vul een waarde in.",
    "api": "Dit veld mag niet leeg zijn.",
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("target", "value", "message"),
    [
        (SCORE, "-1", OUT_OF_RANGE),
        (SCORE, "5.01", OUT_OF_RANGE),
        (SCORE, "5,01", OUT_OF_RANGE),
        (SCORE, "1e309", OUT_OF_RANGE),
        (SCORE, "-1e309", OUT_OF_RANGE),
        (SCORE, "2.55", "Geef de score met hoogstens één decimaal"),
        (SCORE, "NaN", NOT_A_NUMBER),
        (SCORE, "nan", NOT_A_NUMBER),
        (SCORE, "sNaN", NOT_A_NUMBER),
        (SCORE, "inf", NOT_A_NUMBER),
        (SCORE, "-inf", NOT_A_NUMBER),
        (SCORE, "Infinity", NOT_A_NUMBER),
        (SCORE, "3,5,1", NOT_A_NUMBER),
        (SCORE, "drie", NOT_A_NUMBER),
        (SCORE, "   ", EMPTY),
        (PERCENTAGE, "-0.1", "Het percentage moet tussen 0 en 100 liggen."),
        (PERCENTAGE, "100.1", "Het percentage moet tussen 0 en 100 liggen."),
        (PERCENTAGE, "1e309", "Het percentage moet tussen 0 en 100 liggen."),
        (PERCENTAGE, "12.345", "Geef het percentage met hoogstens twee decimalen."),
        (PERCENTAGE, "NaN", NOT_A_NUMBER),
        (STATUS, "misschien", "is geen status; kies uit"),
    ],
)
def test_a_bad_number_is_refused(client, cio_a, existing, channel, target, value, message):
    message = message[channel] if isinstance(message, dict) else message
    if channel == "form" and target == STATUS:
        message = "Selecteer een geldige keuze."  # the form offers the statuses as choices
    status_code, text = submit(channel, client, cio_a, target, value=value)
    assert_refused(channel, status_code, text, message, existing)


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("target", "value", "stored"),
    [(SCORE, "3,5", {"score": "3.5"}), (SCORE, " 0 ", {"score": "0.0"}),
     (PERCENTAGE, "99,5", {"percentage": "99.50"}), (PERCENTAGE, "100", {"percentage": "100.00"})],
)  # fmt: skip
def test_a_dutch_decimal_comma_is_read_as_a_decimal_point(
    client, cio_a, existing, channel, target, value, stored
):
    status_code, text = submit(channel, client, cio_a, target, value=value)
    assert status_code in {302, 201}, text[:2000]
    latest = Answer.objects.latest("pk")
    ((field, number),) = stored.items()
    assert str(getattr(latest, field)) == number
