"""Load mix for Routekaart: anonymous visitors, CIOs who save answers, and API clients.

Run by benchmarks/load/run_load.py, which prepares the database and writes the plan (a JSON
file named by ROUTEKAART_LOAD_PLAN: theme and target codes, filter choices, and one CIO
account per institution).
By hand, against a server prepared the same way:

    ROUTEKAART_LOAD_PLAN=plan.json locust -f benchmarks/load/locustfile.py --headless \
        -u 50 -r 10 --run-time 75s --host http://127.0.0.1:8000

ROUTEKAART_LOAD_WARMUP (seconds, default 0) resets the statistics that long after every user
runs and every CIO has logged in, so the logins, cold caches and first connections stay out of
the figures; ROUTEKAART_LOAD_SECONDS (default 0: until --run-time) then ends the run after
that many measured seconds (keep --run-time as a longer safety limit).

Requests are named by page kind (``name=``) so the summary groups them. Every 4xx/5xx is a
failure, and so is a 200 that is not what the page should be: a login form instead of the
status page, a form with errors, or a version conflict (each CIO has an institution of their
own, so a conflict means a bug, not a race).
"""

import itertools
import json
import logging
import os
import random
import re

import gevent
import gevent.event
from locust import FastHttpUser, between, events, task

PLAN = json.loads(open(os.environ["ROUTEKAART_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
WARMUP_SECONDS = float(os.environ.get("ROUTEKAART_LOAD_WARMUP", "0"))
MEASURE_SECONDS = float(os.environ.get("ROUTEKAART_LOAD_SECONDS", "0"))

# Page kinds whose p95 the run checks against the limit (run_load.py reads this list).
DASHBOARD_KINDS = ["dashboard", "dashboard filter (htmx)"]

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_EDIT_LINK = re.compile(r'hx-get="(/instellingen/[^/"]+/doelen/[^/"]+/bewerken/\?theme=[^"]*)"')
_VERSION_INPUT = re.compile(r'name="([^"]+)-version" value="(\d+)"')
_SELECT_OPTIONS = re.compile(r'<select name="[^"]+-value"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="([^"]+)"')
_SCORE_RANGE = re.compile(r"Score \((\d+(?:,\d+)?)–(\d+(?:,\d+)?)\)")
_DATE_INPUT = re.compile(r'name="[^"]+-applies_on" value="([^"]*)"')
# Dutch is the default language; the load users send no Accept-Language.
_SAVED = "Opgeslagen."
_CONFLICT = "Iemand anders heeft dit antwoord intussen gewijzigd."


_spawned = gevent.event.Event()
_logins_running = 0  # CIO users between the start of on_start and the end of their login


@events.spawning_complete.add_listener
def _on_spawned(**_kwargs):
    _spawned.set()


@events.test_start.add_listener
def _measure_after_warmup(environment, **_kwargs):
    """Warm-up, then reset the statistics, then (with a measuring time) stop the run.

    The warm-up counts from the moment every user is running and every CIO has logged in: a
    login hashes the password on purpose slowly (PBKDF2), and fifteen at once would otherwise
    weigh on the first measured seconds."""
    if environment.runner is None or (WARMUP_SECONDS <= 0 and MEASURE_SECONDS <= 0):
        return

    def phases():
        _spawned.wait()
        gevent.sleep(1)  # the last users' on_start has begun
        while _logins_running:
            gevent.sleep(0.2)
        logging.warning("all users running and logged in; warm-up of %.0f s", WARMUP_SECONDS)
        gevent.sleep(WARMUP_SECONDS)
        environment.runner.stats.reset_all()
        logging.warning("statistics reset; measuring for %.0f s", MEASURE_SECONDS)
        if MEASURE_SECONDS > 0:
            gevent.sleep(MEASURE_SECONDS)
            logging.warning("measured time over; stopping")
            environment.runner.quit()

    gevent.spawn(phases)


def _htmx_headers(current_url: str, target: str) -> dict:
    """The headers htmx 2 sends with a request (the views only look at HX-Request)."""
    return {"HX-Request": "true", "HX-Current-URL": current_url, "HX-Target": target}


class AnonymousVisitor(FastHttpUser):
    """Reads the route and the public dashboard, filtering it as the page's htmx form does."""

    weight = 5
    wait_time = between(1, 4)

    @task(2)
    def route_overview(self):
        self.client.get("/", name="route overview")

    @task(4)
    def dashboard(self):
        self.client.get("/dashboard/", name="dashboard")

    @task(3)
    def dashboard_filter(self):
        # The filter form sends all its fields on change; usually one is set.
        params = {"theme": "", "deadline": "", "status": ""}
        choice = random.random()
        if choice < 0.6:
            params["theme"] = random.choice(PLAN["themes"])
        elif choice < 0.8:
            params["deadline"] = str(random.choice(PLAN["deadline_years"]))
        else:
            params["status"] = random.choice(PLAN["progress_statuses"])
        query = "&".join(f"{k}={v}" for k, v in params.items())
        self.client.get(
            f"/dashboard/?{query}",
            name="dashboard filter (htmx)",
            headers=_htmx_headers(f"{self.host}/dashboard/", "dashboard-results"),
        )

    @task(2)
    def dashboard_target(self):
        code = random.choice(PLAN["targets"])
        self.client.get(f"/dashboard/doelen/{code}/", name="dashboard target")

    @task(1)
    def theme_page(self):
        self.client.get(f"/thema/{random.choice(PLAN['themes'])}/", name="theme page")


_accounts = itertools.cycle(PLAN["cio_accounts"])


class CIO(FastHttpUser):
    """Logs in through the login form, reads the status page and saves changed answers."""

    weight = 3
    wait_time = between(2, 6)

    def on_start(self):
        global _logins_running
        _logins_running += 1
        try:
            self._log_in()
        finally:
            _logins_running -= 1
        self.status_page()

    def _log_in(self):
        account = next(_accounts)  # no lock: the users are greenlets in one thread
        self.code = account["code"]
        self.status_url = f"/instellingen/{self.code}/"
        self.edit_links: list[str] = []
        form = self.client.get("/account/login/", name="login form")
        token = _CSRF_INPUT.search(form.text or "")
        with self.client.post(
            "/account/login/",
            data={
                "csrfmiddlewaretoken": token.group(1) if token else "",
                "username": account["email"],
                "password": PLAN["password"],
                "next": self.status_url,
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "") if response.headers else ""
            if response.status_code != 302 or not location.endswith(self.status_url):
                response.failure(f"login as {account['email']}: {response.status_code} {location}")
                self.stop()

    @task(3)
    def status_page(self):
        with self.client.get(self.status_url, name="status page", catch_response=True) as page:
            links = _EDIT_LINK.findall(page.text or "")
            if page.status_code == 200 and not links:
                page.failure("no edit links on the status page (not logged in as an editor?)")
                return
            self.edit_links = [link.replace("&amp;", "&") for link in links]

    @task(2)
    def edit_and_save(self):
        if not self.edit_links:
            self.status_page()
            return
        url = random.choice(self.edit_links)
        target = "target-" + url.split("?theme=")[1] + "-" + url.split("/")[4]
        current_url = f"{self.host}{self.status_url}"
        with self.client.get(
            url,
            name="answer edit form (htmx)",
            headers=_htmx_headers(current_url, target),
            catch_response=True,
        ) as form:
            html = form.text or ""
            version = _VERSION_INPUT.search(html)
            token = _CSRF_INPUT.search(html)
            if form.status_code != 200 or not version or not token:
                form.failure("the edit form has no version or CSRF token")
                return
        prefix = version.group(1)
        applies_on = _DATE_INPUT.search(html)
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "theme": url.split("?theme=")[1],
            f"{prefix}-version": version.group(2),
            f"{prefix}-value": _new_value(html),
            f"{prefix}-applies_on": applies_on.group(1) if applies_on else "",
            f"{prefix}-explanation": "Bijgewerkt tijdens de belastingtest.",
            f"{prefix}-evidence_url": "",
        }
        headers = {**_htmx_headers(current_url, target), "X-CSRFToken": token.group(1)}
        with self.client.post(
            url, data=data, name="answer save (htmx)", headers=headers, catch_response=True
        ) as saved:
            text = saved.text or ""
            if saved.status_code == 200 and _CONFLICT in text:
                saved.failure("version conflict on the CIO's own institution")
            elif saved.status_code == 200 and _SAVED not in text:
                saved.failure("saved form came back without 'Opgeslagen.' (validation error?)")

    @task(1)
    def comparison_page(self):
        self.client.get(f"/dashboard/vergelijking/{self.code}/", name="comparison page")


def _new_value(form_html: str) -> str:
    """A valid answer of the field's kind, usually different from the current one."""
    select = _SELECT_OPTIONS.search(form_html)
    if select:  # a status target
        return random.choice(_OPTION.findall(select.group(1)))
    score = _SCORE_RANGE.search(form_html)
    if score:
        low, high = (float(v.replace(",", ".")) for v in score.groups())
        return f"{random.uniform(low, high):.1f}".replace(".", ",")
    return f"{random.uniform(0, 100):.1f}".replace(".", ",")


class APIClient(FastHttpUser):
    """Reads the open-data API: targets with their figures, a target's series, the themes."""

    weight = 2
    wait_time = between(0.5, 2)

    @task(3)
    def targets(self):
        self.client.get("/api/v1/targets/", name="api targets")

    @task(2)
    def target(self):
        self.client.get(f"/api/v1/targets/{random.choice(PLAN['targets'])}/", name="api target")

    @task(2)
    def target_series(self):
        code = random.choice(PLAN["targets"])
        self.client.get(f"/api/v1/targets/{code}/series/", name="api target series")

    @task(1)
    def themes(self):
        self.client.get("/api/v1/themes/", name="api themes")
