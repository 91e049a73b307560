"""The load benchmark, end to end: a fresh PostgreSQL database, gunicorn, a Celery worker over
Redis, and locust with the mix of benchmarks/load/locustfile.py.

    .venv/bin/python benchmarks/load/run_load.py --institutions 60|2000 \
        [--users 50 --seconds 60 --warmup 15 --workers 2 --threads 4]

Steps: drop and create the database ``routekaart_load``; in a child process migrate, load the
route, collect the static files (production serves the manifest storage), load the data (60:
the demo data; otherwise the benchmark generator with 36 months of answers), give one CIO
account to each of the first active institutions, and run a full recompute; start the worker
and gunicorn as in production (DEBUG off, a random SECRET_KEY) but over plain http on
127.0.0.1; run locust headless: once every user runs and every CIO has logged in, a warm-up,
then the statistics are reset and the measured seconds run; write the summary as Markdown to
stdout and benchmarks/load/results-<n>.md.
Everything started is stopped and the database dropped at the end, also on Ctrl-C.

Exits 1 when any request failed or a dashboard page kind's p95 reached the limit (150 ms).
"""

import argparse
import csv
import datetime
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE_DIR))  # the hidden "prepare" step imports the project
HERE = Path(__file__).resolve().parent
BIN = BASE_DIR / ".venv" / "bin"
PYTHON = BIN / "python"
SERVER_URL = "postgres://postgres@127.0.0.1:5432"
DATABASE = "routekaart_load"
BROKER_URL = "redis://127.0.0.1:6379/14"
# Page kinds whose p95 must stay under the limit; the same list as locustfile.DASHBOARD_KINDS.
DASHBOARD_KINDS = ["dashboard", "dashboard filter (htmx)"]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--institutions", type=int, default=60, help="60: the demo data")
    parser.add_argument("--months", type=int, default=36, help="months of generated answers")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=int, default=10)
    parser.add_argument("--seconds", type=int, default=60, help="measured time")
    parser.add_argument("--warmup", type=int, default=15, help="seconds before the stats reset")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--p95-limit", type=float, default=150.0, help="dashboard p95, ms")
    parser.add_argument("--accounts", type=int, default=50, help="CIO accounts (max)")
    parser.add_argument("--keep-database", action="store_true", help="do not drop it at the end")
    parser.add_argument("--output", type=Path, help="default: benchmarks/load/results-<n>.md")
    # Internal: the preparation, run in a child process with the server's environment.
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


# --- The preparation (child process, Django loaded) -------------------------------------------


def prepare(args: argparse.Namespace) -> None:
    """Schema, route, static files, data, CIO accounts, a full recompute; writes the plan."""
    import django
    from django.conf import settings

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from accounts.roles import ensure_roles
    from benchmarks import data as benchmark_data
    from indicators.actions import recompute
    from indicators.forms import DashboardFilterForm
    from indicators.models import ProgressStatus
    from institutions.demo import DEMO_INSTITUTION_COUNT
    from institutions.models import Answer, Institution, Membership
    from themes.models import SectorTarget, Theme

    started = time.perf_counter()

    def step(text: str) -> None:
        print(f"  {text} ({time.perf_counter() - started:.1f} s)", flush=True)

    call_command("migrate", verbosity=0)
    step("migrated")
    call_command("load_roadmap", verbosity=0)
    step("route loaded")
    # Compressing every file (plotly.js with brotli) takes minutes on a busy machine: skip it
    # while the collected files are newer than our static files and the locked packages.
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    sources = [BASE_DIR / "requirements.lock"]
    sources += [f for folder in settings.STATICFILES_DIRS for f in Path(folder).rglob("*")]
    if manifest.exists() and all(f.stat().st_mtime < manifest.stat().st_mtime for f in sources):
        step(f"static files up to date in {settings.STATIC_ROOT}")
    else:
        call_command("collectstatic", interactive=False, verbosity=0)
        step("static files collected")
    if args.institutions == DEMO_INSTITUTION_COUNT:
        call_command("load_demo_data", verbosity=0)
    else:
        ensure_roles()
        benchmark_data.generate_data(
            institutions=args.institutions, months=args.months, today=timezone.localdate()
        )
    step(f"{Institution.objects.count()} institutions, {Answer.objects.count():,} answers")

    # One CIO per institution, so no two load users ever edit the same answers. Institutions
    # that are active today and have answered, as a CIO's own would be.
    password = secrets.token_urlsafe(18)
    hashed = make_password(password)  # once: the same hash for every account
    active = Q(active_to__isnull=True) | Q(active_to__gte=timezone.localdate())
    institutions = list(
        Institution.objects.filter(active)
        .filter(Exists(Answer.objects.filter(institution=OuterRef("pk"))))
        .order_by("code")[: args.accounts]
    )
    user_model = get_user_model()
    with transaction.atomic():
        emails = [f"cio-{i.code.lower()}@load.example" for i in institutions]
        users = user_model.objects.bulk_create(
            [user_model(username=email, email=email, password=hashed) for email in emails]
        )
        Membership.objects.bulk_create(
            [
                Membership(user=user, institution=institution, role=Membership.Role.EDITOR)
                for user, institution in zip(users, institutions, strict=True)
            ]
        )
    step(f"{len(users)} CIO accounts")
    run = recompute()
    step(f"full recompute: {run.snapshots} snapshots")

    deadline_choices = DashboardFilterForm.base_fields["deadline"].choices
    plan = {
        "password": password,
        "cio_accounts": [
            {"email": u.username, "code": i.code} for u, i in zip(users, institutions, strict=True)
        ],
        "themes": list(Theme.objects.order_by("order").values_list("code", flat=True)),
        "targets": list(SectorTarget.objects.order_by("order").values_list("code", flat=True)),
        "deadline_years": [value for value, _label in deadline_choices if value],
        "progress_statuses": list(ProgressStatus.values),
        "institutions": Institution.objects.count(),
        "answers": Answer.objects.count(),
    }
    args.prepare.write_text(json.dumps(plan), encoding="utf-8")


# --- The run (parent process, no Django) ------------------------------------------------------


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


def database_figures(database_url: str) -> dict:
    """What the Celery worker did during the run, read before the database is dropped."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT kind, COUNT(*), COUNT(*) FILTER (WHERE error <> ''), "
            "AVG(EXTRACT(EPOCH FROM finished_at - started_at)) "
            "FROM indicators_recomputerun GROUP BY kind"
        ).fetchall()
        web_answers = connection.execute(
            "SELECT COUNT(*) FROM institutions_answer WHERE explanation LIKE '%%belastingtest%%'"
        ).fetchone()[0]
    return {
        "recomputes": {kind: (n, errors, avg or 0.0) for kind, n, errors, avg in rows},
        "saved_answers": web_answers,
    }


def cpu_sample(processes: dict, database_url: str) -> dict:
    """CPU seconds so far of each of our processes (with their children), of the PostgreSQL
    backends of our database, and of the whole machine."""
    import psutil
    import psycopg

    def tree_seconds(pid: int) -> float:
        try:
            root = psutil.Process(pid)
            members = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0.0
        total = 0.0
        for member in members:
            try:
                times = member.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total

    sample = {name: tree_seconds(process.pid) for name, process in processes.items()}
    with psycopg.connect(database_url, autocommit=True) as connection:
        pids = [row[0] for row in connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )]  # fmt: skip
    sample["backends"] = {pid: tree_seconds(pid) for pid in pids}
    machine = psutil.cpu_times()
    sample["machine"] = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
    sample["wall"] = time.monotonic()
    return sample


def cpu_used(start: dict, end: dict) -> dict:
    """CPU seconds used between two samples, per part, and what the rest of the machine used.
    A backend that started in between counts whole; one that ended in between is missed."""
    used = {name: end[name] - start[name] for name in ("gunicorn", "Celery worker", "locust")}
    used["PostgreSQL"] = sum(
        seconds - start["backends"].get(pid, 0.0) for pid, seconds in end["backends"].items()
    )
    ours = sum(used.values())
    used["other processes"] = max(0.0, end["machine"] - start["machine"] - ours)
    used["wall"] = end["wall"] - start["wall"]
    return used


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list, env: dict, log: Path) -> subprocess.Popen:
    """A child in its own process group: Ctrl-C reaches only us, and we stop it in order."""
    handle = log.open("wb")
    process = subprocess.Popen(  # noqa: S603 (our own fixed commands)
        command, cwd=BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    process.log_path = log
    return process


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {process.log_path}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own URL)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout:.0f} s")


def wait_for_worker(process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited; see {process.log_path}")
        if b" ready." in process.log_path.read_bytes():
            return
        time.sleep(0.3)
    raise RuntimeError(f"the Celery worker was not ready within {timeout:.0f} s")


def read_stats(prefix: Path) -> tuple[list[dict], list[dict]]:
    with open(f"{prefix}_stats.csv", newline="", encoding="utf-8") as stats_file:
        stats = list(csv.DictReader(stats_file))
    failures_path = Path(f"{prefix}_failures.csv")
    failures = []
    if failures_path.exists():
        with failures_path.open(newline="", encoding="utf-8") as failures_file:
            failures = list(csv.DictReader(failures_file))
    return stats, failures


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def summary(args, plan, stats, failures, figures, context) -> tuple[str, list[str]]:
    """The Markdown report and the list of problems (empty: the run passed)."""
    problems = []
    lines = [
        f"# Load benchmark: {plan['institutions']} institutions",
        "",
        f"- when: {context['when']}, commit {context['commit']}",
        f"- data: {plan['institutions']} institutions, {plan['answers']:,} answers, "
        f"{len(plan['cio_accounts'])} CIO accounts (one institution each)",
        f"- load: {args.users} users (anonymous 5 : CIO 3 : API 2), spawn rate "
        f"{args.spawn_rate}/s; once all run and every CIO has logged in, {args.warmup} s warm-up "
        f"(not counted), then {args.seconds} s measured",
        f"- server: gunicorn {args.workers} workers x {args.threads} threads (gthread), DEBUG "
        "off, PostgreSQL and a Celery worker (solo pool) over Redis on 127.0.0.1; "
        "API_ANON_RATE raised so the anonymous API throttle does not answer 429",
        f"- machine: {os.cpu_count()} CPUs (shared with locust, PostgreSQL, Redis and the "
        f"worker); load average at start {context['load_start']}, at end {context['load_end']}",
        "",
        "| page kind | requests | failures | p50 ms | p95 ms | p99 ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in stats:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | "
            f"{row['95%']} | {row['99%']} | {float(row['Requests/s']):.1f} |"
        )
    recomputes = ", ".join(
        f"{kind}: {n} runs ({errors} failed), mean {avg:.2f} s"
        for kind, (n, errors, avg) in sorted(figures["recomputes"].items())
    )
    lines += [
        "",
        f"Answers saved through the form during the run (warm-up included): "
        f"{figures['saved_answers']}. Recomputes in the database: {recomputes or 'none'}.",
    ]
    total = next((r for r in stats if r["Name"] == "Aggregated"), None)
    cpu = figures.get("cpu")
    if cpu and total and int(total["Request Count"]):
        requests = int(total["Request Count"])
        parts = ["gunicorn", "PostgreSQL", "Celery worker", "locust", "other processes"]
        lines += [
            "",
            f"CPU seconds used during the measured {cpu['wall']:.0f} s "
            f"({os.cpu_count()} CPUs: {os.cpu_count() * cpu['wall']:.0f} available):",
            "",
            "| | " + " | ".join(parts) + " |",
            "|---|" + "---:|" * len(parts),
            "| seconds | " + " | ".join(f"{cpu[p]:.1f}" for p in parts) + " |",
            "| ms per request | "
            + " | ".join(f"{1000 * cpu[p] / requests:.1f}" for p in parts)
            + " |",
        ]
        server = cpu["gunicorn"] + cpu["PostgreSQL"] + cpu["Celery worker"]
        lines += [
            "",
            f"The server side (gunicorn, PostgreSQL, worker) used {1000 * server / requests:.0f}"
            f" ms of CPU per request: alone on {os.cpu_count()} CPUs that is at most about "
            f"{os.cpu_count() * requests / server:.0f} requests/s for this mix (PostgreSQL "
            "counts the backends of this database alive at the end of the measured time: a "
            "lower bound).",
        ]
    if total is None or int(total["Request Count"]) == 0:
        problems.append("no requests were measured")
    elif int(total["Failure Count"]):
        problems.append(f"{total['Failure Count']} failed requests")
    for row in stats:
        p95 = row["95%"]
        measured = row["Name"] in DASHBOARD_KINDS and p95 not in ("N/A", "")
        if measured and float(p95) >= args.p95_limit:
            problems.append(f"{row['Name']}: p95 {p95} ms >= {args.p95_limit:.0f} ms")
    if not any(r["Name"] in DASHBOARD_KINDS for r in stats):
        problems.append("no dashboard requests were measured")
    if failures:
        lines += ["", "Failures:", ""]
        lines += [f"- {f['Method']} {f['Name']}: {f['Error']} ({f['Occurrences']}x)"
                  for f in failures[:20]]  # fmt: skip
    lines += ["", f"Result: {'FAIL: ' + '; '.join(problems) if problems else 'pass'}", ""]
    return "\n".join(lines), problems


def run(args: argparse.Namespace) -> int:
    if args.institutions < 1 or args.users < 1 or args.seconds < 1 or args.warmup < 0:
        raise SystemExit("--institutions, --users and --seconds must be positive")
    load_start = loadavg()
    work = Path(tempfile.mkdtemp(prefix="routekaart-load-"))
    database_url = f"{SERVER_URL}/{DATABASE}"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "roadmap.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain http on 127.0.0.1: no redirect to https, cookies without the Secure flag.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": BROKER_URL,
        # The anonymous API throttle (600/minute per address) would answer 429 to a load
        # test that comes from one address.
        "API_ANON_RATE": "1000000/minute",
        "DEMO_DATA_ALLOWED": "true",
        "ROUTEKAART_VAR_DIR": str(work / "var"),
        # Kept between runs: whitenoise compresses only new files, and compressing plotly.js
        # with brotli takes minutes on a busy machine.
        "STATIC_ROOT": str(BASE_DIR / "var" / "load-static"),
        "LOG_LEVEL": "WARNING",
    }
    plan_path, prefix = work / "plan.json", work / "locust"
    print(f"Load benchmark: {args.institutions} institutions; work files in {work}", flush=True)
    interrupted = False

    def on_sigterm(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    with ExitStack() as cleanup:
        try:
            cleanup.callback(shutil.rmtree, work, ignore_errors=True)
            admin_sql(
                f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}"
            )
            if not args.keep_database:
                cleanup.callback(admin_sql, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            import redis

            redis.Redis.from_url(BROKER_URL).flushdb()  # no tasks left over from an earlier run
            print("Preparing the database:", flush=True)
            subprocess.run(  # noqa: S603
                [PYTHON, __file__, "--prepare", plan_path, "--institutions", str(args.institutions),
                 "--months", str(args.months), "--accounts", str(args.accounts)],
                cwd=BASE_DIR, env=env, check=True,
            )  # fmt: skip
            plan = json.loads(plan_path.read_text(encoding="utf-8"))

            worker = start(
                [BIN / "celery", "-A", "roadmap", "worker", "--pool=solo", "--loglevel=INFO",
                 "--without-mingle", "--without-gossip"],
                env, work / "worker.log",
            )  # fmt: skip
            cleanup.callback(stop, worker)
            # gthread: one process per CPU runs the Python; the threads overlap the waits on
            # PostgreSQL. Two processes leave room for PostgreSQL, the worker and locust.
            server = start(
                [BIN / "gunicorn", "roadmap.wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(args.workers), "--threads", str(args.threads),
                 "--worker-class", "gthread", "--keep-alive", "5"],
                env, work / "gunicorn.log",
            )  # fmt: skip
            cleanup.callback(stop, server)
            wait_for_worker(worker)
            wait_until_up(f"http://127.0.0.1:{port}/healthz/", server)
            print(f"gunicorn on 127.0.0.1:{port} and the Celery worker are up; locust:", flush=True)

            locust_env = {
                **os.environ,
                "ROUTEKAART_LOAD_PLAN": str(plan_path),
                "ROUTEKAART_LOAD_WARMUP": str(args.warmup),
                "ROUTEKAART_LOAD_SECONDS": str(args.seconds),
            }
            # The locustfile ends the run after the measured seconds; --run-time is a safety
            # limit for logins that take far too long.
            locust = subprocess.Popen(  # noqa: S603
                [BIN / "locust", "-f", HERE / "locustfile.py", "--headless",
                 "-u", str(args.users), "-r", str(args.spawn_rate),
                 "--run-time", f"{args.warmup + args.seconds + 180}s", "--stop-timeout", "10",
                 "--host", f"http://127.0.0.1:{port}", "--csv", prefix, "--only-summary",
                 "--loglevel", "WARNING"],
                cwd=BASE_DIR, env=locust_env, stderr=subprocess.PIPE, text=True,
                start_new_session=True,
            )  # fmt: skip
            cleanup.callback(stop, locust)
            processes = {"gunicorn": server, "Celery worker": worker, "locust": locust}
            cpu_start = cpu_end = None
            for line in locust.stderr:
                print(line, end="", file=sys.stderr, flush=True)
                if "statistics reset" in line:  # the measured time starts
                    cpu_start = cpu_sample(processes, database_url)
                elif "measured time over" in line:  # and ends (locust still runs)
                    cpu_end = cpu_sample(processes, database_url)
                    load_end = loadavg()
            locust.wait()
            if cpu_end is None:
                load_end = loadavg()
            stats, failures = read_stats(prefix)
            stop(worker, timeout=60)  # let it finish the recompute it is running
            figures = database_figures(database_url)
            figures["cpu"] = cpu_used(cpu_start, cpu_end) if cpu_start and cpu_end else None
            for process in (server, worker):
                if process.poll() not in (None, 0, -signal.SIGTERM):
                    print(f"{process.args[0]} exited with {process.returncode}:")
                    print(process.log_path.read_text(errors="replace")[-3000:])
        except KeyboardInterrupt:
            interrupted = True
            print("\nInterrupted: stopping the servers and dropping the database.", flush=True)
        except Exception:
            for log in ("gunicorn.log", "worker.log"):
                if (work / log).exists():
                    print(f"--- last lines of {log}:")
                    print((work / log).read_text(errors="replace")[-3000:])
            raise
    if interrupted:
        return 130

    commit = subprocess.run(
        ["/usr/bin/env", "git", "rev-parse", "--short", "HEAD"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    ).stdout.strip()
    context = {
        "when": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": commit or "?",
        "load_start": load_start,
        "load_end": load_end,
    }
    report, problems = summary(args, plan, stats, failures, figures, context)
    output = args.output or HERE / f"results-{args.institutions}.md"
    output.write_text(report, encoding="utf-8")
    print()
    print(report)
    print(f"(written to {output})")
    return 1 if problems else 0


def main() -> int:
    args = parse_args()
    if args.prepare:
        prepare(args)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
