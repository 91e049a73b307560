"""Configuration comes from the environment; production refuses to start without a real key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from roadmap.lib.env import env_bool, env_int, env_list, env_secret

BASE_DIR = Path(__file__).resolve().parents[2]


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import roadmap.settings"],
        cwd=BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "roadmap.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _import_settings({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _import_settings({"DEBUG": "false", "SECRET_KEY": "short"})
    assert result.returncode != 0


def test_production_starts_with_a_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("x" * 50 + "\n")
    result = _import_settings({"DEBUG": "false", "SECRET_KEY_FILE": str(key_file)})
    assert result.returncode == 0, result.stderr


def test_env_helpers(monkeypatch, tmp_path):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("NUMBER", "42")
    monkeypatch.setenv("HOSTS", "a.example, b.example,")
    assert env_bool("FLAG") is True
    assert env_bool("MISSING", default=True) is True
    assert env_int("NUMBER", 1) == 42
    assert env_list("HOSTS") == ["a.example", "b.example"]
    monkeypatch.setenv("FLAG", "perhaps")
    with pytest.raises(ValueError, match="FLAG must be a boolean"):
        env_bool("FLAG")
    monkeypatch.setenv("NUMBER", "many")
    with pytest.raises(ValueError, match="NUMBER must be a whole number"):
        env_int("NUMBER", 1)
    secret = tmp_path / "s"
    secret.write_text("from-file\n")
    monkeypatch.setenv("TOKEN_FILE", str(secret))
    assert env_secret("TOKEN") == "from-file"


def _production_setting(name: str, **env: str) -> str:
    result = subprocess.run(  # noqa: S603 (our own interpreter, a fixed script)
        [sys.executable, "-c", f"import roadmap.settings as s; print(s.{name})"],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "roadmap.settings", "DEBUG": "false",
             "SECRET_KEY": "k" * 50, **env},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_production_logs_json_and_sends_mail_through_the_smtp_relay():
    assert _production_setting("LOG_FORMAT") == "json"
    # Never the console in production: it would write password-reset links into the logs.
    assert _production_setting("EMAIL_BACKEND") == "django.core.mail.backends.smtp.EmailBackend"
    smtp = {"EMAIL_HOST": "smtp.example", "EMAIL_PORT": "587"}
    assert _production_setting("EMAIL_HOST", **smtp) == "smtp.example"
    assert _production_setting("EMAIL_USE_TLS", **smtp) == "True"
    assert _production_setting("EMAIL_USE_SSL", EMAIL_HOST="smtp.example", EMAIL_PORT="465") == (
        "True"
    )


def test_the_api_throttle_keys_on_the_address_the_proxy_saw():
    behind = _production_setting("REST_FRAMEWORK['NUM_PROXIES']", BEHIND_PROXY="true")
    assert behind == "1"
    assert _production_setting("REST_FRAMEWORK['NUM_PROXIES']") == "0"


def test_the_language_cookie_is_secure_and_not_for_scripts_in_production():
    assert _production_setting("LANGUAGE_COOKIE_SECURE") == "True"
    assert _production_setting("LANGUAGE_COOKIE_HTTPONLY") == "True"
    assert _production_setting("LANGUAGE_COOKIE_SAMESITE") == "Lax"


def test_the_embedded_broker_keeps_every_folder_under_the_var_directory(tmp_path):
    """kombu's filesystem transport writes its exchange tables to "control/" in the working
    directory unless told otherwise; they once ended up committed."""
    printed = _production_setting(
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        ROUTEKAART_VAR_DIR=str(tmp_path),
        CELERY_BROKER_URL="filesystem://",
    )
    options = eval(printed)  # noqa: S307 (a dict literal we printed ourselves)
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        assert Path(options[key]).is_relative_to(tmp_path), key
        assert Path(options[key]).is_dir()
