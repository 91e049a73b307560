"""Odd query strings and paths on the public pages, the dashboards, the report form and the API:
unknown filter values, very long values, impossible dates, negative pages, huge limits, unicode
and NUL bytes. Never a 500: a clear error, no match, or a sensible clamp. These run on SQLite
and on PostgreSQL (which refuses NUL in text: a query with one must not reach it)."""

import datetime

import pytest
from django.utils import timezone

from accounts.tokens import issue_api_token
from reports.models import Report

pytestmark = pytest.mark.django_db

LONG = "x" * 10_000
ODD_VALUES = ["onbekend", LONG, "%00", "a%00b", "%C3%A9%E2%82%AC%F0%9F%98%80", "%FF%FE", "-1",
              "99999999999999999999", "<script>"]  # fmt: skip
PUBLIC_FILTERS = {
    "/doelen/": ["theme", "measure", "status", "page"],
    "/mijlpalen/": ["theme", "year", "status", "partner", "page"],
    "/dashboard/": ["theme", "deadline", "status"],
    "/dashboard/doelen/LZD-WALLET/": ["peildatum"],
    "/partners/": ["page"],
}


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize(
    ("path", "name"),
    [(path, name) for path, names in PUBLIC_FILTERS.items() for name in names],
)
def test_public_filters_take_any_value_without_an_error(client, path, name, value):
    response = client.get(f"{path}?{name}={value}")
    assert response.status_code in {200, 400}, (path, name, value, response.status_code)


@pytest.mark.parametrize(
    "path",
    ["/doelen/%00/", "/doelen/A%00B/", "/thema/%00/", "/programma/%00/",
     "/dashboard/doelen/%00/", "/doelen/%F0%9F%98%80/", f"/doelen/{LONG}/",
     "/api/v1/targets/%00/", "/api/v1/targets/A%00/series/", "/api/v1/themes/%00/",
     "/api/v1/milestones/%00/", "/api/v1/lines/%00/", "/api/v1/targets/%F0%9F%98%80/",
     f"/api/v1/targets/{LONG}/", "/api/v1/targets/a.b/"],
)  # fmt: skip
def test_odd_codes_in_paths_are_not_found(client, path):
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response["Content-Type"] == "application/json"


# Per list endpoint, the query parameters that must be a number or one of a list: anything else
# is a 400 naming the parameter. Free-text filters take any value (no match is an empty list).
STRICT_PARAMS = {"targets": {"measure"}, "milestones": {"status", "year"}}


@pytest.mark.parametrize("param", ["theme", "measure", "status", "partner", "year"])
@pytest.mark.parametrize("endpoint", ["targets", "milestones", "lines", "themes"])
def test_api_filters_with_a_nul_byte_match_nothing(client, endpoint, param):
    response = client.get(f"/api/v1/{endpoint}/?{param}=a%00b")
    if param in STRICT_PARAMS.get(endpoint, ()):
        assert response.status_code == 400
        assert set(response.json()) == {param}
    else:
        assert response.status_code == 200
        assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("query", "count"),
    [("limit=10000000", None), ("limit=" + "9" * 30, None), ("offset=10000000", 0),
     ("limit=5&offset=99999999999999999999", 0), ("page=-1", None), ("limit=1000", None)],
)  # fmt: skip
def test_api_paging_clamps_huge_limits_and_offsets(client, query, count):
    response = client.get(f"/api/v1/targets/?{query}")
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert body["count"] > 0
    assert len(body["results"]) <= 1000 if count is None else len(body["results"]) == count


@pytest.mark.parametrize(
    ("endpoint", "query", "param"),
    [("targets", "limit=-1", "limit"), ("targets", "limit=0", "limit"),
     ("targets", "limit=abc", "limit"), ("targets", "limit=%00", "limit"),
     ("targets", "limit=1.5", "limit"), ("targets", "limit=%201", "limit"),
     ("targets", "offset=-5", "offset"), ("themes", "offset=null", "offset"),
     ("themes", "offset=null&offset=null", "offset"), ("lines", "offset=1&offset=2", "offset"),
     ("lines", "limit=1&limit=1", "limit"), ("milestones", "year=null", "year"),
     ("milestones", "year=null&year=null", "year"), ("milestones", "year=2026&year=2027", "year"),
     ("milestones", "year=1", "year"), ("milestones", "year=%D9%A2%D9%A0%D9%A2%D9%A6", "year"),
     ("milestones", "status=onbekend", "status"), ("targets", "measure=null", "measure"),
     ("targets", "theme=a&theme=b", "theme"), ("targets", "as_of=null", "as_of"),
     ("targets", "as_of=2026-01-01&as_of=2026-01-02", "as_of"),
     ("targets/LZD-WALLET", "as_of=null&as_of=null", "as_of")],
)  # fmt: skip
def test_api_refuses_query_values_its_schema_does_not_allow(client, endpoint, query, param):
    """Found by schemathesis: ``offset=null&offset=null`` and ``year=null&year=null`` were
    answered 200, as if the parameter had not been sent."""
    response = client.get(f"/api/v1/{endpoint}/?{query}")
    assert response.status_code == 400, (query, response.content[:300])
    assert response["Content-Type"] == "application/json"
    errors = response.json()
    assert set(errors) == {param}, errors
    assert isinstance(errors[param], str) and errors[param]


def test_api_takes_the_query_values_its_schema_allows(client):
    for query in ("limit=1&offset=0", "year=2027&status=planned", "offset=2", "year=2100"):
        response = client.get(f"/api/v1/milestones/?{query}")
        assert response.status_code == 200, (query, response.content[:300])


def _query_parameters(client, path: str) -> dict:
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"][path]["get"]
    return {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}


def test_the_schema_states_the_bounds_the_api_checks(client):
    import re

    targets = _query_parameters(client, "/api/v1/targets/")
    assert targets["limit"]["schema"] == {"type": "integer", "minimum": 1}
    assert targets["offset"]["schema"] == {"type": "integer", "minimum": 0}
    assert targets["measure"]["schema"]["enum"]
    as_of = targets["as_of"]
    assert as_of["schema"]["format"] == "date"
    assert "2020-01-01" in as_of["description"]
    assert "not in the future" in as_of["description"]
    # The pattern holds exactly the days the API takes: from 2020-01-01 up to today.
    pattern = re.compile(as_of["schema"]["pattern"])
    today = timezone.localdate()
    for day in ("2020-01-01", "2024-02-29", today.isoformat()):
        assert pattern.match(day), day
    for day in ("2000-01-01", "2019-12-31", TOMORROW, "2026-13-01", "2026-1-01"):
        assert not pattern.match(day), day
    year = _query_parameters(client, "/api/v1/milestones/")["year"]["schema"]
    assert year == {"type": "integer", "minimum": 2020, "maximum": 2100}
    retrieve = _query_parameters(client, "/api/v1/targets/{code}/")
    assert retrieve["as_of"]["schema"] == as_of["schema"]


def test_the_schema_documents_the_400_that_names_the_parameter(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/themes/", "/api/v1/lines/", "/api/v1/milestones/", "/api/v1/targets/",
                 "/api/v1/targets/{code}/"):  # fmt: skip
        assert "400" in schema["paths"][path]["get"]["responses"], path


# --- Dates in query strings -------------------------------------------------------------------

TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "as_of",
    ["0001-01-01", "1900-01-01", "2019-12-31", "9999-12-31", TOMORROW, "2026-02-30",
     "31-12-2026", "0000-01-01", "%00", "2026-01-01%00", LONG],
)  # fmt: skip
def test_the_api_as_of_gives_a_clear_400_outside_the_route(client, as_of):
    for path in ("/api/v1/targets/", "/api/v1/targets/LZD-WALLET/"):
        response = client.get(f"{path}?as_of={as_of}")
        assert response.status_code == 400, (path, as_of, response.content[:300])
        message = response.json()["as_of"]
        assert "YYYY-MM-DD" in message, message


def test_the_api_as_of_accepts_any_day_of_the_route(client):
    for as_of in ("2020-01-01", "2024-02-29", "2026-03-31", timezone.localdate().isoformat()):
        response = client.get(f"/api/v1/targets/LZD-WALLET/?as_of={as_of}")
        assert response.status_code == 200, response.content[:300]
        assert response.json()["as_of"] == as_of


@pytest.mark.parametrize(
    ("peildatum", "message"),
    [("0001-01-01", "De peildatum ligt voor de start van de route"),
     ("1900-01-01", "De peildatum ligt voor de start van de route"),
     ("9999-12-31", "De peildatum mag niet in de toekomst liggen"),
     (TOMORROW, "De peildatum mag niet in de toekomst liggen"),
     ("2026-02-30", "Voer een geldige datum in"),
     ("%00", "Voer een geldige datum in"),
     (LONG, "Voer een geldige datum in")],
)  # fmt: skip
def test_the_dashboard_peildatum_outside_the_route_is_explained(client, peildatum, message):
    response = client.get(f"/dashboard/doelen/LZD-WALLET/?peildatum={peildatum}")
    assert response.status_code == 200
    assert message in response.content.decode()


def test_the_dashboard_reads_a_dutch_peildatum(client):
    response = client.get("/dashboard/doelen/LZD-WALLET/?peildatum=31-03-2026")
    assert response.status_code == 200
    assert response.context["exact"]["as_of"] == datetime.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("as_of", "0001-01-01", "De peildatum ligt voor de start van de route."),
     ("as_of", "9999-12-31", "De peildatum mag niet in de toekomst liggen."),
     ("as_of", "2026-02-30", "Voer een geldige datum in."),
     ("as_of", "", "Dit veld is vereist."),
     ("as_of", "\x00", "Voer een geldige datum in."),
     ("compare_to", "0001-01-01", "De vergelijkingsdatum ligt voor de start van de route."),
     ("compare_to", "2026-02-30", "Voer een geldige datum in."),
     ("compare_to", "2026-06-30", "De vergelijkingsdatum moet voor de peildatum liggen.")],
)  # fmt: skip
def test_the_report_form_refuses_dates_outside_the_route(client, council, field, value, message):
    client.force_login(council)
    data = {"format": "csv", "as_of": "2026-06-30", "compare_to": "", field: value}
    response = client.post("/rapportages/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.parametrize("value", ["%00", "a%00b", LONG, "-1"])
def test_the_institution_api_takes_odd_codes(client, cio_a, value):
    token = issue_api_token(cio_a)
    response = client.get(
        f"/api/v1/institutions/{value}/answers/", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 404
    response = client.post(
        "/api/v1/institutions/11AA/answers/",
        {"target": "LZD\x00WALLET", "value": "gepland\x00", "version": 0},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"target", "value"}


def test_nul_bytes_in_the_status_form_are_refused(client, cio_a):
    client.force_login(cio_a)
    prefix = "doel-LZD-WALLET"
    response = client.post(
        "/instellingen/11AA/doelen/LZD-WALLET/bewerken/",
        {f"{prefix}-value": "gepland", f"{prefix}-explanation": "a\x00b",
         f"{prefix}-evidence_url": "https://example.org/\x00", f"{prefix}-version": 0},
    )  # fmt: skip
    assert response.status_code == 422
    assert "Null-tekens zijn niet toegestaan." in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/instellingen/%00/", "/instellingen/11AA%00/", "/instellingen/11AA/doelen/%00/bewerken/",
     "/instellingen/11AA/doelen/%00/geschiedenis/", "/dashboard/vergelijking/%00/",
     "/instellingen/11AA/antwoorden.csv?x=%00", "/rapportages/?format=%00"],
)  # fmt: skip
def test_odd_codes_on_private_pages_are_not_found(client, cio_a, path):
    client.force_login(cio_a)
    response = client.get(path)
    assert response.status_code in {200, 404}, (path, response.status_code)
