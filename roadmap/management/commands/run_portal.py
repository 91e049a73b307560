"""`make run`: prepare the database, start the background worker and the web server.

Zero configuration: SQLite and the filesystem Celery broker under var/. Stops the worker when
the web server stops (Ctrl+C).
"""

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from institutions.demo import demo_logins


class Command(BaseCommand):
    help = "Migrates, loads the route and demo data, starts the worker and the web server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host: str, port: int, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database bijgewerkt.")
        call_command("load_roadmap")
        call_command("setup_roles")
        call_command("load_demo_data")
        call_command("recompute_indicators")

        worker = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable, "-m", "celery", "-A", "roadmap", "worker", "--beat",
                "--pool=solo", "--loglevel=INFO",
                f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}",
            ]
        )  # fmt: skip
        url = f"http://{host}:{port}/"
        self.stdout.write(
            self.style.SUCCESS(f"\nRoutekaart draait op {url}\n")
            + f"Beheer (admin): {url}admin/\nOpen-data API: {url}api/docs/\n"
            + "Demo-logins:\n  "
            + "\n  ".join(demo_logins())
            + "\nStoppen: Ctrl+C\n"
        )
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
