"""Schemathesis fuzzes every operation of the API as described by its own OpenAPI schema.

The schema is read from the app itself, so a view that drifts from its schema fails here: an
undocumented status code, a field of another type, a 500 on odd input, but also input the
schema allows that the API refuses (``as_of=2000-01-01`` was refused although the schema said
"any date") and input the schema forbids that the API takes (``offset=null&offset=null`` was
answered 200). Both generation modes run (valid and invalid data, 30 examples per operation),
with every check below.

Requests carry the token of an editor of 11AA. Valid cases are pointed at real codes half of the
time: the answers operations at 11AA (which the token may write) or 22BB (which it may not see),
with a real target and a fitting value, so reads, validation errors, saves and conflicts are
fuzzed; the open-data look-ups at a real theme, line, milestone or target, so their query
parameters reach real figures instead of a 404.
"""

import zlib

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from accounts.tokens import issue_api_token
from themes.models import Line, Milestone, SectorTarget, Theme

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    positive_data_acceptance,
    negative_data_rejection,
    missing_required_header,
    unsupported_method,
]
EXAMPLES_PER_OPERATION = 30
ANSWERS_PATH = "/api/v1/institutions/{code}/answers/"

# A schema-valid answer can still be refused with the documented 400: whether a target code
# exists and is answerable, and which values fit it, is data, which no schema can hold. Every
# other operation must accept every schema-valid request (2xx, or 404 for an unknown code).
CONFIG = SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                "include-path": ANSWERS_PATH,
                "include-method": "POST",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
                    }
                },
            }
        ]
    }
)

# pytest-django has set Django up before collection; the schema is the app's own /api/schema/.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), config=CONFIG
)

# Real answers for the token API: (target, value) of a status target and of a score target.
REAL_ANSWERS = [("LZD-WALLET", "gepland"), ("CYB-NBA-GEMIDDELD", "2.5")]


@pytest.fixture
def connections_kept_open():
    """The test's transaction must survive the requests. Django's test client detaches this
    handler for the same reason; schemathesis calls the WSGI app directly, so we do it here
    (on PostgreSQL the handler would close the connection mid-test)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(cio_a, institution_b):
    return issue_api_token(cio_a)


@pytest.fixture
def real_codes():
    """Per path parameter of the open-data look-ups, codes that exist."""
    return {
        "/api/v1/themes/{code}/": list(Theme.objects.values_list("code", flat=True)[:3]),
        "/api/v1/lines/{id}/": [str(pk) for pk in Line.objects.values_list("pk", flat=True)[:3]],
        "/api/v1/milestones/{code}/": list(Milestone.objects.values_list("code", flat=True)[:3]),
        "/api/v1/targets/{code}/": list(SectorTarget.objects.values_list("code", flat=True)[:3]),
        "/api/v1/targets/{code}/series/": ["LZD-WALLET", "CYB-NBA-GEMIDDELD"],
        "/api/v1/versions/{number}/": ["1"],
    }


def _pick(case, choices: list):
    """One of ``choices``, or None for "keep what was generated": the same for the same case,
    so the derandomised run stays reproducible (``hash()`` of a string is not)."""
    key = repr((case.path_parameters, case.query, case.body)).encode()
    index = zlib.crc32(key) % (2 * len(choices))
    return choices[index] if index < len(choices) else None


def _point_at_real_data(case, real_codes: dict) -> None:
    # An invalid part must stay as generated, or its check would judge another request.
    if not case.meta or case.meta.is_negative_at(ParameterLocation.PATH):
        return
    path = case.operation.path
    if path == ANSWERS_PATH:
        # Invalid bodies too go to 11AA: past the 404, to the validation that must refuse them.
        code = _pick(case, ["11AA", "22BB"])
        case.path_parameters = {**(case.path_parameters or {}), "code": code or "11AA"}
        negative = case.meta.generation.mode.is_negative
        answer = _pick(case, REAL_ANSWERS) if case.method == "POST" and not negative else None
        if answer and isinstance(case.body, dict):
            case.body = {**case.body, "target": answer[0], "value": answer[1]}
    elif case.meta.generation.mode.is_negative:
        return
    elif path in real_codes and (code := _pick(case, real_codes[path])):
        name = next(iter(case.path_parameters))
        case.path_parameters = {**case.path_parameters, name: code}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI failures reproduce
    suppress_health_check=list(HealthCheck),
    database=None,
)
@pytest.mark.django_db
def test_every_operation_keeps_to_its_schema(case, token, real_codes, connections_kept_open):
    _point_at_real_data(case, real_codes)
    # The anonymous rate limit (600/minute) would otherwise turn later cases into 429s.
    cache.clear()
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def test_the_fuzzer_covers_every_operation_of_the_schema():
    """A new operation is fuzzed the moment it is in the schema; this pins that none is
    filtered out and that both kinds of data are generated."""
    operations = {
        f"{result.ok().method.upper()} {result.ok().path}" for result in schema.get_all_operations()
    }
    assert len(operations) == 14, sorted(operations)
    assert {"GET /api/v1/targets/", "POST " + ANSWERS_PATH} <= operations
    modes = {mode.value for mode in schema.config.generation.modes}
    assert modes == {"positive", "negative"}
