"""Bodies the token API cannot read: every one gets a JSON 400 (415 for a body that is not
JSON at all), never a 500, and nothing is saved. The parser is the one of every DRF endpoint
(roadmap.lib.parsers), so the fix holds for endpoints added later too."""

import pytest

from accounts.tokens import issue_api_token
from institutions.models import Answer

pytestmark = pytest.mark.django_db

URL = "/api/v1/institutions/11AA/answers/"


def _post(client, cio, body: bytes, content_type="application/json"):
    token = issue_api_token(cio)
    return client.post(URL, body, content_type=content_type, HTTP_AUTHORIZATION=f"Token {token}")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 1_000 + b"]" * 1_000, "te diep genest"),
        (b"[" * 100_000 + b"]" * 100_000, "te diep genest"),
        (b'{"a":' * 1_000 + b"1" + b"}" * 1_000, "te diep genest"),
        (b'{"a":' * 100_000 + b"1" + b"}" * 100_000, "te diep genest"),
        (b"[" * 40 + b"]" * 40, "te diep genest"),  # under the recursion limit, over ours
        (b'{"target": "LZD-WALLET", "value": "gepland", "explanation": "\xff\xfe"}',
         "geen geldige JSON"),
        (b'{"target": "LZD-WALLET", "value": "gep', "geen geldige JSON"),
        (b"", None),
        (b"{,}", "geen geldige JSON"),
        (b"NaN", "geen geldige JSON"),
    ],
    ids=["1k-arrays", "100k-arrays", "1k-objects", "100k-objects", "40-arrays", "bad-utf8",
         "truncated", "empty", "not-json", "nan"],
)  # fmt: skip
def test_a_malformed_body_is_a_400_in_json(client, cio_a, body, message):
    response = _post(client, cio_a, body)
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"] == "application/json"
    if message:
        assert message in response.json()["detail"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize("body", [b"42", b'"gepland"', b"true", b"null"])
def test_a_json_scalar_is_a_400_in_json(client, cio_a, body):
    response = _post(client, cio_a, body)
    assert response.status_code == 400, response.content
    assert response.json()  # names what is wrong ("non_field_errors": an object is expected)
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data"],
)
def test_a_body_that_is_not_json_is_refused_as_such(client, cio_a, content_type):
    response = _post(client, cio_a, b"target=LZD-WALLET&value=gepland&version=0", content_type)
    assert response.status_code == 415, response.content
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert not Answer.objects.exists()


def test_the_open_data_api_reads_with_the_same_parser(client):
    from rest_framework.settings import api_settings

    from roadmap.lib.parsers import JSONParser

    assert api_settings.DEFAULT_PARSER_CLASSES[0] is JSONParser
