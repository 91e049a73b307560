"""Helpers for the reliability proofs: a private Redis, real Celery workers and beat.

The tests that use them run in the PostgreSQL + Redis flavour (DATABASE_URL, CELERY_BROKER_URL)
and skip on the zero-config defaults. They start their own processes and stop exactly those.
"""

import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_SERVER = "/usr/bin/redis-server"

needs_services = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis://") or connection.vendor != "postgresql",
        reason="needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL)",
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, every: float = 0.05):
    """Poll ``condition`` until it returns something truthy; that value, or None at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return None


class Logged:
    """A subprocess whose combined output is collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.process = subprocess.Popen(  # noqa: S603 (our own fixed commands)
            args, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.decode(errors="replace"))

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def saw(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


class PrivateRedis:
    """A redis-server of our own on a free port, which a test may stop and start again."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server: Logged | None = None

    def start(self) -> None:
        args = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"]
        self.server = Logged([*args, "--save", "", "--appendonly", "no"], env=dict(os.environ))
        if not wait_until(lambda: self.server.saw("Ready to accept connections"), timeout=10):
            raise RuntimeError(f"redis-server did not start:\n{self.server.log}")

    def kill(self) -> None:
        self.server.process.kill()
        self.server.process.wait(timeout=5)


@pytest.fixture
def private_redis():
    if not os.path.exists(REDIS_SERVER):
        pytest.skip("needs /usr/bin/redis-server")
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.server.stop()


def subprocess_env(broker_url: str, **extra: str) -> dict[str, str]:
    """The environment for a worker or beat on this test's database and the given broker."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **extra,
    }


def launch_worker(env: dict[str, str], *options: str) -> Logged:
    """Start a worker without waiting for it (it takes seconds to boot: prepare meanwhile)."""
    return Logged(
        [
            sys.executable, "-m", "celery", "-A", "roadmap", "worker", "--loglevel=INFO",
            "--without-mingle", "--without-gossip", *options,
        ],
        env,
    )  # fmt: skip


def launch_beat(env: dict[str, str], *options: str) -> Logged:
    return Logged(
        [sys.executable, "-m", "celery", "-A", "roadmap", "beat", "--loglevel=INFO", *options], env
    )


def wait_ready(*processes: Logged) -> None:
    """Until each worker says " ready." and each beat "beat: Starting" (60 s: a busy machine)."""
    for process in processes:
        signal_text = "beat: Starting" if "beat" in process.process.args else " ready."
        if not wait_until(lambda p=process, t=signal_text: p.saw(t), timeout=60):
            for started in processes:
                started.stop()
            raise RuntimeError(f"{' '.join(process.process.args)} did not start:\n{process.log}")


def pool_children(worker: Logged) -> list[int]:
    """The prefork pool's child processes of a worker (the ones that run the tasks)."""
    found = subprocess.run(  # noqa: S603 (a fixed command and a pid)
        ["/usr/bin/pgrep", "-P", str(worker.pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


@pytest.fixture
def point_app_at(monkeypatch):
    """Make this process's Celery app send to another broker (and forget pooled connections).

    Celery reads CELERY_BROKER_URL from the environment before its own setting, and kombu keeps
    a connection pool per app: all three are switched, and restored afterwards.
    """
    from roadmap.celery import app

    def forget_connections():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    def point(url: str) -> None:
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        monkeypatch.setitem(app.conf, "broker_url", url)
        forget_connections()

    yield point
    forget_connections()


@pytest.fixture
def route(transactional_db):
    """The route, also after an earlier transactional test flushed the database."""
    from themes.models import Theme

    if not Theme.objects.exists():
        call_command("load_roadmap", verbosity=0, stdout=io.StringIO())
