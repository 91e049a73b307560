"""/healthz/: 503 without the database, "degraded" (still 200) without the broker."""

import json
import logging
import socket
import time

import pytest
from celery import Celery
from django.db import OperationalError

from roadmap import health
from roadmap.lib.logging import JSONFormatter

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert "no-cache" in response["Cache-Control"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_broker_degrades_but_keeps_the_portal_in_service(client, monkeypatch):
    # A Celery app of its own: the portal's app and its connection pool stay untouched.
    # (Celery lets the CELERY_BROKER_URL environment variable win over any configured URL.)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setattr(health, "app", Celery(broker=f"redis://127.0.0.1:{_closed_port()}/0"))
    started = time.monotonic()
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "broker": "unreachable"},
    }
    # Bounded by the broker timeout, not by the client's (a hung check would take minutes);
    # generous, so that a busy machine does not fail it.
    assert time.monotonic() - started < 4 * health.BROKER_TIMEOUT_SECONDS + 5


def test_an_unreachable_database_makes_the_portal_unavailable(client, monkeypatch):
    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(health.connection, "cursor", BrokenCursor)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "unreachable"


def test_logs_are_one_json_object_per_line_with_extra_fields():
    record = logging.makeLogRecord(
        {"name": "indicators", "levelname": "INFO", "msg": "recomputed %d targets", "args": (3,)}
    )
    record.task_id = "abc"
    line = JSONFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "recomputed 3 targets"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "indicators"
    assert entry["task_id"] == "abc"
    assert entry["time"].endswith("+00:00")
