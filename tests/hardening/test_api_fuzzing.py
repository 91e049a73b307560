"""Schemathesis fuzzes every operation of the API as described by its own OpenAPI schema.

The schema is read from the app itself, so a view that drifts from its schema (an undocumented
status code, a field of another type, a 500 on odd input) fails here. Requests carry the token
of an editor of 11AA, and the answers operations are pointed at 11AA, so the authenticated
paths (reads, validation errors, saves, conflicts) are fuzzed too, not only 401s and 404s.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from institutions.tokens import issue_api_token

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
ANSWERS_PATH = "/api/v1/institutions/{code}/answers/"

# pytest-django has set Django up before collection; the schema is the app's own /api/schema/.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


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
def token(cio_a):
    return issue_api_token(cio_a)


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,  # the same cases on every run: CI failures reproduce
    suppress_health_check=list(HealthCheck),
    database=None,
)
@pytest.mark.django_db
def test_every_operation_keeps_to_its_schema(case, token, connections_kept_open):
    if case.operation.path == ANSWERS_PATH:
        case.path_parameters = {**(case.path_parameters or {}), "code": "11AA"}
    # The anonymous rate limit (600/minute) would otherwise turn later cases into 429s.
    cache.clear()
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
