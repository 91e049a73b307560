"""A pg_dump of a populated database restores into a fresh one with identical figures.

The procedure of docs/operations.md, on two databases of its own: migrate and fill a source
(the demo data and a full recompute, each step a real manage.py process), `pg_dump -Fc` it,
`pg_restore` into an empty database, and compare. Then a fresh recompute on the restored
database must give the same figures again: the backup holds everything the figures come from.
"""

import os
import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from indicators.models import Snapshot
from institutions.models import Answer
from tests.reliability.conftest import BASE_DIR, needs_services

pytestmark = needs_services

SOURCE, RESTORED = "routekaart_rel_src", "routekaart_rel_restored"
FIGURE_COLUMNS = (
    "target_id, as_of, is_month_end, value, coverage, active_institutions, answered_institutions,"
    " details::text, expected_value, status, projected_on"
)


def _server() -> dict:
    db = connection.settings_dict
    return {"user": db["USER"], "host": db["HOST"], "port": str(db["PORT"])}


def _url(name: str) -> str:
    server = _server()
    return f"postgres://{server['user']}@{server['host']}:{server['port']}/{name}"


def _admin(sql: str) -> None:
    with psycopg.connect(**_server(), dbname="postgres", autocommit=True) as admin:
        admin.execute(sql)


def _run(*args: str, database: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": _url(database),
        "DEMO_DATA_ALLOWED": "true",
        "CELERY_BROKER_URL": "memory://",  # nothing here may reach a real queue
    }
    done = subprocess.run(  # noqa: S603 (fixed commands)
        args, cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _manage(*commands: str, database: str) -> str:
    """Run manage.py commands one after the other in one process (Django starts only once)."""
    script = (
        "import sys, django; django.setup(); from django.core.management import call_command\n"
        "for command in sys.argv[1:]: call_command(*command.split())"
    )
    return _run(sys.executable, "-c", script, *commands, database=database)


def _rows(database: str, sql: str) -> list[tuple]:
    with psycopg.connect(**_server(), dbname=database) as db:
        return db.execute(sql).fetchall()


def _figures(database: str, *, columns: str = FIGURE_COLUMNS) -> list[tuple]:
    table = Snapshot._meta.db_table
    return _rows(database, f"SELECT {columns} FROM {table} ORDER BY target_id, as_of")  # noqa: S608


@pytest.fixture
def databases():
    for name in (SOURCE, RESTORED):
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{SOURCE}"')
    yield
    for name in (SOURCE, RESTORED):
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_backup_has_the_same_figures_and_recomputes_to_them(databases, tmp_path):
    filled = _manage(
        "migrate --noinput", "load_roadmap", "load_demo_data", "recompute_indicators",
        database=SOURCE,
    )  # fmt: skip
    assert "Demodata klaar" in filled and "Herberekend" in filled
    before = _figures(SOURCE, columns="*")
    assert len(before) > 100

    dump = tmp_path / "routekaart.dump"
    server = _server()
    connect = ["-h", server["host"], "-p", server["port"], "-U", server["user"]]
    _run("/usr/bin/pg_dump", "-Fc", *connect, "-f", str(dump), SOURCE, database=SOURCE)
    _admin(f'CREATE DATABASE "{RESTORED}"')
    _run(
        "/usr/bin/pg_restore", "--no-owner", "--exit-on-error", *connect, "-d", RESTORED,
        str(dump), database=RESTORED,
    )  # fmt: skip

    # Everything, to the row id and the computed_at stamp.
    assert _figures(RESTORED, columns="*") == before
    answers = f"SELECT * FROM {Answer._meta.db_table} ORDER BY id"  # noqa: S608
    assert _rows(RESTORED, answers) == _rows(SOURCE, answers)
    # The restored database migrates to nothing new and recomputes to the same figures.
    again = _manage("migrate --noinput", "recompute_indicators", database=RESTORED)
    assert "No migrations to apply" in again and "Herberekend" in again
    assert _figures(RESTORED) == _figures(SOURCE)
