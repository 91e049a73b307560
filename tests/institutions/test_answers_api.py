"""The token API for institutions' own systems: same validation and permissions as the page."""

import hashlib

import pytest

from institutions.models import Answer, ApiToken
from institutions.tokens import issue_api_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/11AA/answers/"


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Token {issue_api_token(user)}"}


def test_an_editor_writes_and_reads_answers_with_a_token(client, cio_a):
    response = client.post(
        URL,
        {"target": "CYB-NBA-GEMIDDELD", "value": "2,6", "explanation": "zelfevaluatie"},
        content_type="application/json",
        **_auth(cio_a),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["target"], body["value"], body["source"]) == ("CYB-NBA-GEMIDDELD", "2.6", "api")
    listed = client.get(URL, **_auth(cio_a)).json()
    assert [a["target"] for a in listed] == ["CYB-NBA-GEMIDDELD"]


def test_invalid_values_get_field_errors_and_nothing_is_saved(client, cio_a):
    response = client.post(
        URL,
        {
            "target": "LZD-WALLET",
            "value": "misschien",
            "applies_on": "2999-01-01",
            "evidence_url": "javascript:alert(1)",
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
            {"target": "DBO-NETWERK", "value": "1"},
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
        {"target": "LZD-WALLET", "value": "gepland"},
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
