"""The production stack as docker-compose.yml describes it, and the gunicorn settings.

`docker-compose config -q` in CI proves the file is valid; these tests pin what it must say.
"""

import importlib
import io
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_the_stack_has_its_services_with_health_checks(compose):
    services = compose["services"]
    assert {"migrate", "web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ("web", "worker", "postgres", "redis"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    assert "/healthz/" in " ".join(services["web"]["healthcheck"]["test"])


def test_only_the_reverse_proxy_on_the_host_reaches_gunicorn(compose):
    """A client that could reach gunicorn directly would write its own X-Forwarded-For."""
    assert compose["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_data_lives_in_volumes(compose):
    services = compose["services"]
    assert any("postgres-data:" in v for v in services["postgres"]["volumes"])
    assert any("redis-data:" in v for v in services["redis"]["volumes"])
    # Generated reports are shared by the worker (writes) and the web (serves downloads).
    for name in ("web", "worker"):
        assert any(v.startswith("media:") for v in services[name]["volumes"])


def test_migrations_run_before_every_start_of_the_application(compose):
    services = compose["services"]
    assert "manage.py migrate" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_the_application_runs_in_production_mode_with_secrets_from_files(compose):
    env = compose["services"]["web"]["environment"]
    assert env["DEBUG"] == "false"
    assert env["SECRET_KEY_FILE"].startswith("/run/secrets/")
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://")
    assert "gunicorn" in compose["services"]["web"]["command"]


def test_gunicorn_logs_each_request_as_json(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = importlib.reload(importlib.import_module("roadmap.gunicorn"))
    assert config.workers == 3
    assert config.accesslog == "-"
    fields = json.loads(config.access_log_format)
    assert {"method", "path", "status", "duration_ms"} <= set(fields)


def test_the_access_log_never_holds_a_password_reset_token():
    config = importlib.import_module("roadmap.gunicorn")
    assert config.logger_class is config.RedactingLogger
    assert config.redact("/account/reset/MQ/cz1abc-0123456789abcdef/") == (
        "/account/reset/[redacted]/[redacted]/"
    )
    assert config.redact("GET /account/reset/MQ/set-password/ HTTP/1.1") == (
        "GET /account/reset/[redacted]/[redacted]/ HTTP/1.1"
    )
    assert config.redact("/account/reset/MQ/cz1abc-0123") == "/account/reset/[redacted]/[redacted]/"
    assert config.redact("/dashboard/") == "/dashboard/"


@pytest.mark.django_db
def test_the_start_up_steps_are_safe_to_run_on_every_start():
    """migrate, load_roadmap and setup_roles run at each `docker compose up`."""
    for _ in range(2):
        call_command("migrate", "--check", verbosity=0, stdout=io.StringIO())
        call_command("load_roadmap", verbosity=0, stdout=io.StringIO())
        call_command("setup_roles", stdout=io.StringIO())
