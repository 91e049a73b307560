"""The token API for institutions' own systems: same validation and permissions as the page."""

import hashlib

import pytest

from accounts.models import ApiToken
from accounts.tokens import issue_api_token
from institutions.models import Answer

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/11AA/answers/"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Token {issue_api_token(user)}"}


def test_an_editor_writes_and_reads_answers_with_a_token(client, cio_a):
    response = client.post(
        URL,
        {
            "target": "CYB-NBA-GEMIDDELD",
            "value": "2,6",
            "explanation": "zelfevaluatie",
            "version": 0,
        },
        content_type="application/json",
        **_auth(cio_a),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["target"], body["value"], body["source"]) == ("CYB-NBA-GEMIDDELD", "2.6", "api")
    assert body["version"] == 1  # what the next save of this target sends
    listed = client.get(URL, **_auth(cio_a)).json()
    assert [(a["target"], a["version"]) for a in listed] == [("CYB-NBA-GEMIDDELD", 1)]


def test_invalid_values_get_field_errors_and_nothing_is_saved(client, cio_a):
    response = client.post(
        URL,
        {
            "target": "LZD-WALLET",
            "value": "misschien",
            "applies_on": "2999-01-01",
            "evidence_url": "javascript:alert(1)",
            "version": 0,
        },
        content_type="application/json",
        **_auth(cio_a),
    )
    assert response.status_code == 400
    errors = response.json()
    assert "value" in errors and "applies_on" in errors and "evidence_url" in errors
    assert (
        client.post(
            URL,
            {"target": "DBO-NETWERK", "value": "1", "version": 0},
            content_type="application/json",
            **_auth(cio_a),
        ).status_code
        == 400
    )
    assert not Answer.objects.exists()


def test_a_stale_version_is_a_conflict(client, cio_a):
    data = {"target": "LZD-WALLET", "value": "gepland", "version": 0}
    assert (
        client.post(URL, data, content_type="application/json", **_auth(cio_a)).status_code == 201
    )
    conflict = client.post(
        URL, {**data, "value": "gerealiseerd"}, content_type="application/json", **_auth(cio_a)
    )
    assert conflict.status_code == 409
    assert conflict.json()["current"]["value"] == "gepland"
    assert Answer.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "expected"), [("viewer_a", 403), ("cio_b", 404), ("sector_staff", 403)]
)
def test_others_cannot_write(client, request, institution_a, role, expected):
    user = request.getfixturevalue(role)
    response = client.post(
        URL,
        {"target": "LZD-WALLET", "value": "gepland", "version": 0},
        content_type="application/json",
        **_auth(user),
    )
    assert response.status_code == expected
    assert not Answer.objects.exists()


def test_no_or_a_wrong_token_is_refused(client, institution_a):
    assert client.get(URL).status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION="Token not-a-real-token").status_code == 401


def test_an_editor_rotates_their_token_on_the_page(client, cio_a):
    client.force_login(cio_a)
    first = client.post("/mijn/api-token/").context["new_key"]
    second = client.post("/mijn/api-token/").context["new_key"]
    assert first != second
    assert ApiToken.objects.filter(user=cio_a).count() == 1
    client.logout()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {second}").status_code == 200


def test_keys_are_stored_only_as_a_digest(client, cio_a, institution_a):
    key = issue_api_token(cio_a)
    stored = ApiToken.objects.get(user=cio_a)
    assert key not in {stored.prefix, stored.digest}
    assert stored.prefix == key[:8]
    assert stored.digest == hashlib.sha256(key.encode()).hexdigest()
    assert stored.last_used_at is None
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_a_key_with_the_right_prefix_but_wrong_rest_is_refused(client, cio_a, institution_a):
    key = issue_api_token(cio_a)
    forged = key[:8] + "0" * (len(key) - 8)
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {forged}").status_code == 401


def test_the_key_of_a_deactivated_person_stops_working(client, cio_a, institution_a):
    key = issue_api_token(cio_a)
    cio_a.is_active = False
    cio_a.save()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


# --- The version is required ------------------------------------------------------------------


def _post(client, user, body):
    return client.post(URL, body, content_type="application/json", **_auth(user))


def test_a_missing_version_is_refused_naming_the_field(client, cio_a):
    response = _post(client, cio_a, {"target": "LZD-WALLET", "value": "gepland"})
    assert response.status_code == 400
    assert set(response.json()) == {"version"}
    assert "Geef de versie mee" in response.json()["version"][0]
    assert not Answer.objects.exists()


def test_a_stale_version_is_refused_with_the_current_answer_and_the_right_one_saves(client, cio_a):
    first = _post(client, cio_a, {"target": "LZD-WALLET", "value": "gepland", "version": 0})
    assert first.status_code == 201
    stale = _post(client, cio_a, {"target": "LZD-WALLET", "value": "gerealiseerd", "version": 0})
    assert stale.status_code == 409
    body = stale.json()
    assert (body["current"]["value"], body["current"]["version"], body["version"]) == (
        "gepland", 1, 1
    )  # fmt: skip
    assert Answer.objects.count() == 1
    right = _post(client, cio_a, {"target": "LZD-WALLET", "value": "gerealiseerd", "version": 1})
    assert right.status_code == 201
    assert right.json()["version"] == 2
    assert Answer.objects.count() == 2


def test_the_schema_says_the_version_is_required(client):
    schema = client.get("/api/schema/?format=json").json()
    component = schema["components"]["schemas"]["AnswerInput"]
    assert "version" in component["required"]
    operation = schema["paths"]["/api/v1/institutions/{code}/answers/"]["post"]
    assert {"400", "409", "415"} <= set(operation["responses"])


# --- Batches: all or nothing ------------------------------------------------------------------


def _dump():
    from institutions.models import AnswerSlot

    return (
        list(Answer.objects.order_by("pk").values()),
        list(AnswerSlot.objects.order_by("pk").values()),
    )


def test_a_good_batch_saves_every_answer(client, cio_a):
    response = _post(
        client,
        cio_a,
        [
            {"target": "LZD-WALLET", "value": "gepland", "version": 0},
            {"target": "DBO-EDU-V", "value": "45", "version": 0},
        ],
    )
    assert response.status_code == 201, response.content
    assert [(a["target"], a["version"]) for a in response.json()] == [
        ("LZD-WALLET", 1), ("DBO-EDU-V", 1)
    ]  # fmt: skip
    assert Answer.objects.filter(source="api").count() == 2


GOOD_ITEM = {"target": "LZD-WALLET", "value": "gepland", "version": 0}


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"target": "BESTAAT-NIET", "value": "1", "version": 0}, "target", "Onbekend"),
        ({"target": "CYB-NBA-GEMIDDELD", "value": "9", "version": 0}, "value", "tussen 0,0"),
        ({"target": "CYB-NBA-GEMIDDELD", "value": "gepland", "version": 0}, "value", "geen getal"),
        ({"target": "DBO-EDU-V", "value": "101", "version": 0}, "value", "tussen 0 en 100"),
        ({"target": "DBO-EDU-V", "value": "40", "version": 0, "applies_on": "2999-01-01"},
         "applies_on", "toekomst"),
        ({"target": "DBO-EDU-V", "value": "40", "version": 0, "applies_on": "2020-01-01"},
         "applies_on", "De datum mag niet voor"),
        ({"target": "DBO-EDU-V", "value": "40"}, "version", "Geef de versie mee"),
        ({"target": "DBO-EDU-V", "value": "", "version": 0}, "value", "niet leeg"),
        ({"target": "LZD-WALLET", "value": "gerealiseerd", "version": 0}, "target",
         "staat al in item 0"),
        ("geen object", "non_field_errors", ""),
    ],
    ids=["unknown-target", "score-range", "status-for-score", "percentage-range", "future",
         "too-early", "no-version", "empty-value", "same-target-twice", "not-an-object"],
)  # fmt: skip
def test_a_batch_with_one_bad_item_saves_nothing_and_names_item_and_field(
    client, cio_a, bad, field, message
):
    before = _dump()
    second = {**GOOD_ITEM, "target": "DBO-EDU-V", "value": "40"}
    response = _post(client, cio_a, [GOOD_ITEM, second, bad])
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"].startswith("Niets opgeslagen")
    [error] = body["errors"]
    assert (error["item"], error["field"]) == (2, field)
    assert error["message"].startswith(f"item 2, veld {field}: ")
    assert message in error["message"]
    assert _dump() == before


def test_a_batch_item_on_a_stale_version_saves_nothing(client, cio_a):
    _post(client, cio_a, GOOD_ITEM)
    before = _dump()
    response = _post(
        client,
        cio_a,
        [
            {"target": "DBO-EDU-V", "value": "40", "version": 0},
            {"target": "LZD-WALLET", "value": "gerealiseerd", "version": 0},
        ],
    )
    assert response.status_code == 409
    assert (response.json()["item"], response.json()["current"]["value"]) == (1, "gepland")
    assert _dump() == before


@pytest.mark.parametrize("body", [[], [GOOD_ITEM] * 101])
def test_an_empty_or_oversized_batch_is_refused(client, cio_a, body):
    response = _post(client, cio_a, body)
    assert response.status_code == 400
    assert "Stuur 1 tot 100 antwoorden per keer." in response.json()["detail"]
    assert not Answer.objects.exists()


def test_an_answer_for_an_institution_that_no_longer_counts_is_refused(client, cio_a):
    import datetime

    from institutions.models import Institution

    Institution.objects.filter(code="11AA").update(active_to=datetime.date(2026, 1, 31))
    response = _post(client, cio_a, GOOD_ITEM)
    assert response.status_code == 400
    assert "11AA is op" in response.json()["applies_on"][0]
    assert not Answer.objects.exists()
