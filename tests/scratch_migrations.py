"""Real migrations in scratch databases, for the tests that a model moved between rooms keeps
its rows (the suite's own database is built from the models, --no-migrations).

Each step runs ``manage.py`` in a subprocess, so this process's connections and settings stay
as they are: SQLite always, and PostgreSQL too when the suite runs on it (a database of its
own next to the suite's, dropped afterwards).
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def manage(env: dict, *args: str, code: str | None = None) -> str:
    """``manage.py`` with these arguments (``code``: for ``shell -c``); its output."""
    command = [sys.executable, "manage.py", *args]
    if code is not None:
        command += ["-c", code]
    done = subprocess.run(  # noqa: S603 (our own manage.py, a fixed argument list)
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def in_scratch_databases(tmp_path: Path, prefix: str, steps: Callable[[dict], object]) -> dict:
    """{"sqlite": steps(env), "postgres": steps(env)}: the steps run against each scratch
    database (``env`` has its DATABASE_URL). Check the results afterwards: a PostgreSQL
    database is dropped before this returns, whatever the steps did."""
    results = {}
    databases = [("sqlite", f"sqlite:///{tmp_path / f'{prefix}.sqlite3'}", None)]
    main = os.environ.get("DATABASE_URL", "")
    if main.startswith("postgres"):
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        server = main.rsplit("/", 1)[0]
        databases.append(("postgres", f"{server}/{name}", (f"{server}/postgres", name)))
    for label, url, scratch in databases:
        if scratch:
            import psycopg

            with psycopg.connect(scratch[0], autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{scratch[1]}"')
        try:
            env = {**os.environ, "DATABASE_URL": url, "ROUTEKAART_VAR_DIR": str(tmp_path / label)}
            results[label] = steps(env)
        finally:
            if scratch:
                with psycopg.connect(scratch[0], autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{scratch[1]}" WITH (FORCE)')
    return results
