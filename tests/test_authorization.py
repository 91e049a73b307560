"""Every URL of the portal, for every role: allowed or refused, as this table says.

The test walks the URL resolver, so a new page that is missing from the table fails the test
until someone decides who may see it. Institution pages use institution A (11AA): its editor
and viewer belong to it; the editor of institution B must get 404 (no hint that it exists).
"""

import datetime
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import ApiToken
from accounts.tokens import issue_api_token
from institutions import actions, queries
from institutions.models import Answer, AnswerReview
from reports.models import Report
from rounds.models import Round
from themes.models import Line, SectorTarget

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "cio_a", "viewer_a", "cio_b", "sector_staff", "council", "administrator"]
PUBLIC = dict.fromkeys(ROLES, 200)
LOGIN = "login"  # a redirect to the login page


def _everyone(code):
    return dict.fromkeys(ROLES, code)


def _private(
    anonymous=LOGIN, cio_a=200, viewer_a=200, cio_b=404, staff=200, council=200, admin=200
):
    return {
        "anonymous": anonymous, "cio_a": cio_a, "viewer_a": viewer_a, "cio_b": cio_b,
        "sector_staff": staff, "council": council, "administrator": admin,
    }  # fmt: skip


NOT_FOUND = {"cio_a": 404, "viewer_a": 404, "staff": 404, "council": 404, "admin": 404}
ROUNDS_NOT_FOUND = {
    "cio_a": 403, "viewer_a": 403, "cio_b": 403, "staff": 404, "council": 403, "admin": 404,
}  # fmt: skip
# Assembly packs: the council and sector staff; no pack for round 999.
PACK_NOT_FOUND = {
    "cio_a": 403, "viewer_a": 403, "cio_b": 403, "staff": 404, "council": 404, "admin": 404,
}  # fmt: skip

# URL name -> (sample path, expected GET status per role)
GET_TABLE = {
    "themes:overview": ("/", PUBLIC),
    "themes:theme-detail": ("/thema/data-ai/", PUBLIC),
    "themes:target-list": ("/doelen/", PUBLIC),
    "themes:target-detail": ("/doelen/LZD-WALLET/", PUBLIC),
    "themes:milestone-list": ("/mijlpalen/", PUBLIC),
    "themes:milestone-detail": ("/mijlpalen/LZD-RC-2026-1/", PUBLIC),
    "themes:milestone-status": ("/mijlpalen/LZD-RC-2026-1/status/", _everyone(405)),
    "themes:overdue": ("/route/achterstand/", PUBLIC),
    "themes:version-list": ("/route/versies/", PUBLIC),
    "themes:version-publish": ("/route/versies/publiceren/", _everyone(405)),
    "themes:version-diff": ("/route/versies/1/1/", PUBLIC),
    "themes:partner-list": ("/partners/", PUBLIC),
    "themes:programme-detail": ("/programma/digitaal-bekwaam-mbo/", PUBLIC),
    "themes:about": ("/over/", PUBLIC),
    "themes:accessibility": ("/toegankelijkheid/", PUBLIC),
    "indicators:overview": ("/dashboard/", PUBLIC),
    "indicators:target": ("/dashboard/doelen/LZD-WALLET/", PUBLIC),
    "indicators:method": ("/methode/", PUBLIC),
    "indicators:status-override": ("/dashboard/doelen/LZD-WALLET/bijstellen/", _everyone(405)),
    "indicators:comparison": ("/dashboard/vergelijking/11AA/", _private()),
    "indicators:comparison-old": ("/instellingen/11AA/vergelijking/", _everyone(301)),
    "api-root": ("/api/v1/", PUBLIC),
    "theme-list": ("/api/v1/themes/", PUBLIC),
    "theme-detail": ("/api/v1/themes/data-ai/", PUBLIC),
    "line-list": ("/api/v1/lines/", PUBLIC),
    # Lines are numbered by the database; "{line}" is the first one (ids differ after a reload).
    "line-detail": ("/api/v1/lines/{line}/", PUBLIC),
    "milestone-list": ("/api/v1/milestones/", PUBLIC),
    "milestone-detail": ("/api/v1/milestones/LZD-RC-2026-1/", PUBLIC),
    "milestone-counts": ("/api/v1/milestones/counts/", PUBLIC),
    "route-version-list": ("/api/v1/versions/", PUBLIC),
    "route-version-detail": ("/api/v1/versions/1/", PUBLIC),
    "target-list": ("/api/v1/targets/", PUBLIC),
    "target-detail": ("/api/v1/targets/LZD-WALLET/", PUBLIC),
    "target-series": ("/api/v1/targets/LZD-WALLET/series/", PUBLIC),
    "api-schema": ("/api/schema/", PUBLIC),
    "institution-answers": ("/api/v1/institutions/11AA/answers/", _private(anonymous=401)),
    "api-docs": ("/api/docs/", PUBLIC),
    "healthz": ("/healthz/", PUBLIC),
    "favicon": ("/favicon.ico", _everyone(301)),
    "set_language": ("/i18n/setlang/", _everyone(302)),
    "login": ("/account/login/", PUBLIC),
    # Single sign-on answers 404 while it is not configured (as in tests).
    "oidc_authentication_init": ("/oidc/authenticate/", _everyone(404)),
    "oidc_authentication_callback": ("/oidc/callback/", _everyone(404)),
    "oidc_logout": ("/oidc/logout/", _everyone(405)),
    "logout": ("/account/logout/", _everyone(405)),
    "password_change": ("/account/password_change/", _private(cio_b=200)),
    "password_change_done": ("/account/password_change/done/", _private(cio_b=200)),
    "password_reset": ("/account/password_reset/", PUBLIC),
    "password_reset_done": ("/account/password_reset/done/", PUBLIC),
    "password_reset_confirm": ("/account/reset/MQ/bad-token/", PUBLIC),
    "password_reset_complete": ("/account/reset/done/", PUBLIC),
    "institutions:home": (
        "/mijn/",
        _private(cio_a=302, viewer_a=302, cio_b=302, staff=302, council=302, admin=302),
    ),
    "institutions:api-token": (
        "/mijn/api-token/",
        _private(viewer_a=403, cio_b=200, staff=403, council=403, admin=403),
    ),
    "institutions:overview": ("/instellingen/", _private(cio_a=403, viewer_a=403, cio_b=403)),
    "accounts:audit-log": (
        "/beheer/auditlog/",
        _private(cio_a=403, viewer_a=403, cio_b=403, council=403),
    ),
    "institutions:status": ("/instellingen/11AA/", _private()),
    "institutions:confirm": ("/instellingen/11AA/bevestigen/", _everyone(405)),
    "institutions:import": ("/instellingen/11AA/import/", _everyone(405)),
    "institutions:export-csv": ("/instellingen/11AA/antwoorden.csv", _private()),
    "institutions:export-xlsx": ("/instellingen/11AA/antwoorden.xlsx", _private()),
    "institutions:answer-row": (
        "/instellingen/11AA/doelen/LZD-WALLET/",
        _private(cio_a=302, viewer_a=302, staff=302, council=302, admin=302),
    ),
    "institutions:answer-edit": (
        "/instellingen/11AA/doelen/LZD-WALLET/bewerken/",
        _private(viewer_a=403, staff=403, council=403, admin=403),
    ),
    "institutions:answer-history": (
        "/instellingen/11AA/doelen/LZD-WALLET/geschiedenis/",
        _private(),
    ),
    "institutions:review": ("/instellingen/11AA/antwoorden/1/beoordelen/", _everyone(405)),
    "reports:list": ("/rapportages/", _private(cio_b=200)),
    # An unknown report is 404 for everyone logged in (no report 999 exists).
    "reports:detail": ("/rapportages/999/", _private(**NOT_FOUND)),
    "reports:retry": ("/rapportages/999/opnieuw/", _everyone(405)),
    "reports:download": ("/rapportages/999/download/", _private(**NOT_FOUND)),
    "reports:assembly-list": (
        "/rapportages/vergaderstukken/",
        _private(cio_a=403, viewer_a=403, cio_b=403),
    ),
    "reports:assembly-pack": ("/rapportages/vergaderstukken/999/", _private(**PACK_NOT_FOUND)),
    "reports:assembly-download": (
        "/rapportages/vergaderstukken/999.pdf",
        _private(**PACK_NOT_FOUND),
    ),
    # The packs' first addresses redirect to the pages above, which check who may see them.
    "reports:assembly-list-old": ("/beheer/vergaderstukken/", _everyone(301)),
    "reports:assembly-pack-old": ("/beheer/rondes/999/vergaderstuk/", _everyone(301)),
    "reports:assembly-download-old": ("/beheer/rondes/999/vergaderstuk.pdf", _everyone(301)),
    "rounds:list": ("/beheer/rondes/", _private(cio_a=403, viewer_a=403, cio_b=403, council=403)),
    "rounds:create": (
        "/beheer/rondes/nieuw/",
        _private(cio_a=403, viewer_a=403, cio_b=403, council=403),
    ),
    # No round 999: sector staff get 404, everyone else is refused before the lookup.
    "rounds:detail": ("/beheer/rondes/999/", _private(**ROUNDS_NOT_FOUND)),
    "rounds:open": ("/beheer/rondes/999/openen/", _everyone(405)),
    "rounds:close": ("/beheer/rondes/999/sluiten/", _everyone(405)),
    "rounds:figures-use": ("/beheer/rondes/999/cijferbasis/", _everyone(405)),
    "rounds:institution": ("/beheer/rondes/999/instellingen/11AA/", _private(**ROUNDS_NOT_FOUND)),
    "rounds:review": ("/beheer/rondes/999/instellingen/11AA/beoordelen/", _everyone(405)),
    "rounds:reopen": ("/beheer/rondes/999/instellingen/11AA/heropenen/", _everyone(405)),
    "rounds:end-reopening": (
        "/beheer/rondes/999/instellingen/11AA/heropening-sluiten/",
        _everyone(405),
    ),
    "rounds:reminder": (
        "/beheer/rondes/999/instellingen/11AA/herinnering/",
        _private(**ROUNDS_NOT_FOUND),
    ),
    # The admin checks its own permissions; its index stands for all of its pages here. Logged
    # in without staff rights: the portal's 403 page (roadmap/admin_site.py), no second login.
    "admin:index": (
        "/admin/",
        _private(anonymous=302, cio_a=403, viewer_a=403, cio_b=403, council=403),
    ),
}


def _all_url_names(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}<unnamed {pattern.pattern}>"


def test_every_url_is_in_the_table():
    names = {name for name in _all_url_names() if not name.startswith("admin:")}
    missing = names - set(GET_TABLE)
    assert not missing, f"URLs without an authorisation rule: {sorted(missing)}"


@pytest.fixture
def people(request, roles, institution_a, institution_b):
    cast = {"anonymous": None}
    for role in ROLES[1:]:
        cast[role] = request.getfixturevalue(role)
    return cast


def _outcome(response):
    if response.status_code == 302 and "/account/login/" in response.get("Location", ""):
        return LOGIN
    return response.status_code


@pytest.fixture
def clients(people):
    """One test client per role, logged in up front (a login itself writes last_login)."""
    by_role = {}
    for role, user in people.items():
        by_role[role] = Client()
        if user is not None:
            by_role[role].force_login(user)
    return by_role


def filled_in(path: str, write_context=None) -> str:
    """The sample path with the database's ids: the first line, the context's answer/report."""
    ids = {"line": Line.objects.order_by("pk").values_list("pk", flat=True).first()}
    if write_context:
        ids |= {"answer": write_context["answer"].pk, "report": write_context["report"].pk}
        ids |= {name: write_context[name].pk for name in ROUND_IDS}
    return path.format(**ids) if "{" in path else path


@pytest.mark.parametrize("name", sorted(GET_TABLE))
def test_get_is_allowed_or_refused_per_role_and_changes_nothing(clients, name):
    """Also: no GET changes a row of any table (the audit log, sessions and login attempts
    aside: exports record who downloaded what, by design)."""
    path, expected = GET_TABLE[name]
    path = filled_in(path)
    before = fingerprint()
    for role, client in clients.items():
        outcome = _outcome(client.get(path))
        assert outcome == expected[role], (
            f"GET {path} as {role}: {outcome}, expected {expected[role]}"
        )
        after = fingerprint()
        changed = changed_tables(before, after)
        assert not changed, f"GET {path} as {role} changed {sorted(changed)}"
        before = after


def _answer(institution, code="LZD-WALLET", status="gepland"):
    return Answer.objects.create(
        institution=institution, target=SectorTarget.objects.get(code=code), status=status,
        applies_on=datetime.date(2026, 3, 1),
    )  # fmt: skip


def _edit_data(value="gerealiseerd"):
    return {"theme": "t", "t-LZD-WALLET-value": value, "t-LZD-WALLET-version": 1}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", LOGIN),
        ("viewer_a", 403),
        ("cio_b", 404),
        ("sector_staff", 403),
        ("council", 403),
        ("administrator", 403),
    ],
)
def test_only_an_editor_of_the_institution_can_write_its_answers(
    client, people, institution_a, role, expected
):
    _answer(institution_a)
    if people[role]:
        client.force_login(people[role])
    before = list(Answer.objects.values_list("id", flat=True))
    responses = [
        client.post("/instellingen/11AA/doelen/LZD-WALLET/bewerken/?theme=t", _edit_data()),
        client.post("/instellingen/11AA/bevestigen/", {}),
        client.post("/instellingen/11AA/import/", {}),
    ]
    assert [_outcome(r) for r in responses] == [expected] * 3
    assert list(Answer.objects.values_list("id", flat=True)) == before


def test_an_editor_cannot_reach_another_institution_by_guessing_ids(
    client, cio_b, institution_a, institution_b
):
    answer_a = _answer(institution_a)
    client.force_login(cio_b)
    # Review of A's answer through B's URL, and through A's URL: both refused.
    assert (
        client.post(
            f"/instellingen/22BB/antwoorden/{answer_a.pk}/beoordelen/", {"decision": "approved"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/instellingen/11AA/antwoorden/{answer_a.pk}/beoordelen/", {"decision": "approved"}
        ).status_code
        == 404
    )
    assert not AnswerReview.objects.exists()
    # A lower-case or unknown code does not reveal anything either.
    assert client.get("/instellingen/11aa/").status_code == 404
    assert client.get("/instellingen/99ZZ/").status_code == 404


def test_staff_can_review_but_only_answers_of_the_institution_in_the_url(
    client, sector_staff, institution_a, institution_b
):
    answer_b = _answer(institution_b)
    client.force_login(sector_staff)
    response = client.post(
        f"/instellingen/11AA/antwoorden/{answer_b.pk}/beoordelen/", {"decision": "approved"}
    )
    assert response.status_code == 404
    assert not AnswerReview.objects.exists()


# --- Write methods: POST, PUT, PATCH and DELETE for every URL and role ---------------------------

WRITE_METHODS = ["POST", "PUT", "PATCH", "DELETE"]
PASSWORD = "a-long-test-password"  # tests/conftest.py gives it to every person of the cast
WALLET = "LZD-WALLET"
IMPORT_HEADER = "institution,target,value,applies_on,explanation,evidence_url"
ALLOWED = {200, 201, 302}
NEW_PASSWORD = "another-long-test-password"
# Tables whose rows a GET or a refused write may change by design: sessions, login attempts
# (axes), the audit log (exports are GETs that record who downloaded what) and task results.
UNWATCHED_TABLES = {"django_session", "accounts_auditevent"}
UNWATCHED_PREFIXES = ("axes_", "django_celery_")


def _writes(*, anonymous, cio_a, viewer_a, cio_b, staff, council, admin):
    return {
        "anonymous": anonymous, "cio_a": cio_a, "viewer_a": viewer_a, "cio_b": cio_b,
        "sector_staff": staff, "council": council, "administrator": admin,
    }  # fmt: skip


@dataclass(frozen=True)
class Writes:
    """What each write method does at one URL, per role.

    ``post``: the outcome of a POST with valid data (``data`` builds it per role); an allowed
    POST changes exactly the tables in ``changes``, a refused one changes nothing.
    ``other``: PUT, PATCH and DELETE (405 for every role unless said otherwise); they never
    change anything. ``path`` replaces the GET table's sample path where the write needs a real
    answer or report ({answer}, {report}).
    """

    post: dict
    data: Callable[[dict, str], dict] = lambda ctx, role: {}
    changes: frozenset = frozenset()
    other: dict = field(default_factory=dict)
    path: str | None = None
    json: bool = False


PRIVATE_ROLES = ["cio_a", "viewer_a", "cio_b", "staff", "council", "admin"]  # _private's names


def _per_method(outcomes):
    """The same outcomes per role for PUT, PATCH and DELETE."""
    return dict.fromkeys(("PUT", "PATCH", "DELETE"), outcomes)


def _everyone_per_method(code):
    return _per_method(_everyone(code))


def _credentials(ctx, role):
    user = ctx["people"][role] or ctx["people"]["cio_a"]
    return {"username": user.email, "password": PASSWORD}


def _answer_form(ctx, role):
    version = queries.answer_version(ctx["institution_a"], SectorTarget.objects.get(code=WALLET))
    return {"theme": "t", "t-LZD-WALLET-value": "gerealiseerd", "t-LZD-WALLET-version": version}


def _import_file(ctx, role):
    content = f"{IMPORT_HEADER}\r\n11AA,CYB-NBA-GEMIDDELD,2.5,2026-03-01,,\r\n".encode()
    return {"file": SimpleUploadedFile("antwoorden.csv", content, content_type="text/csv")}


def _report_form(ctx, role):
    return {"format": "csv", "as_of": "2026-06-30", "institution": "11AA"}


def _password_change(ctx, role):
    return {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}


ANSWERS = frozenset({"institutions_answer", "institutions_answerslot"})
ROUNDS_STAFF_ONLY = {
    "anonymous": LOGIN, "cio_a": 403, "viewer_a": 403, "cio_b": 403, "council": 403,
}  # fmt: skip

# URL name -> what its write methods do. Every URL of GET_TABLE that is not here answers 405 to
# every write method for every role (test_every_url_accepting_writes_is_in_the_write_table).
WRITE_TABLE = {
    "set_language": Writes(
        post=_everyone(302),
        data=lambda ctx, role: {"language": "nl"},
        other={method: _everyone(302) for method in ("PUT", "PATCH", "DELETE")},
    ),
    "login": Writes(
        post=_everyone(302),
        data=_credentials,
        changes=frozenset({"auth_user"}),  # last_login
        other={"PUT": _everyone(200), "PATCH": _everyone(405), "DELETE": _everyone(405)},
    ),
    "logout": Writes(post=_everyone(302)),
    "oidc_logout": Writes(post=_everyone(302)),
    "password_change": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=302, viewer_a=302, cio_b=302, staff=302, council=302, admin=302
        ),
        data=_password_change,
        changes=frozenset({"auth_user"}),
        other={
            "PUT": _private(cio_b=200),
            "PATCH": _private(**dict.fromkeys(PRIVATE_ROLES, 405)),
            "DELETE": _private(**dict.fromkeys(PRIVATE_ROLES, 405)),
        },
    ),
    # Django asks for a login before it looks at the method.
    "password_change_done": Writes(
        post=_private(**dict.fromkeys(PRIVATE_ROLES, 405)),
        other=_per_method(_private(**dict.fromkeys(PRIVATE_ROLES, 405))),
    ),
    "password_reset": Writes(
        post=_everyone(302),
        data=lambda ctx, role: {"email": "cio@a.example"},
        other={"PUT": _everyone(200), "PATCH": _everyone(405), "DELETE": _everyone(405)},
    ),
    # A link with a bad token shows "invalid link" whatever the method.
    "password_reset_confirm": Writes(post=PUBLIC, other=_everyone_per_method(200)),
    "institutions:api-token": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=200, viewer_a=403, cio_b=200, staff=403, council=403, admin=403
        ),
        changes=frozenset({"accounts_apitoken"}),
    ),
    "institutions:confirm": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=302, viewer_a=403, cio_b=404, staff=403, council=403, admin=403
        ),
        changes=ANSWERS,
    ),
    "institutions:import": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=302, viewer_a=403, cio_b=404, staff=403, council=403, admin=403
        ),
        data=_import_file,
        changes=ANSWERS,
    ),
    "institutions:answer-edit": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=302, viewer_a=403, cio_b=404, staff=403, council=403, admin=403
        ),
        data=_answer_form,
        changes=ANSWERS,
    ),
    "indicators:status-override": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=403, viewer_a=403, cio_b=403, staff=302, council=403, admin=302
        ),
        data=lambda ctx, role: {
            "status": "op_koers",
            "reason": "De cijfers lopen achter op de praktijk.",
            "ends_on": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        },
        changes=frozenset({"indicators_statusoverride"}),
    ),
    "institutions:review": Writes(
        path="/instellingen/11AA/antwoorden/{answer}/beoordelen/",
        post=_writes(
            anonymous=LOGIN, cio_a=403, viewer_a=403, cio_b=404, staff=302, council=403, admin=302
        ),
        data=lambda ctx, role: {"decision": "approved", "comment": ""},
        changes=frozenset({"institutions_answerreview"}),
    ),
    "institution-answers": Writes(
        post=_writes(
            anonymous=401, cio_a=201, viewer_a=403, cio_b=404, staff=403, council=403, admin=403
        ),
        data=lambda ctx, role: {"target": "CYB-NBA-GEMIDDELD", "value": "2.5", "version": 0},
        changes=ANSWERS,
        json=True,
        other=_per_method(
            _writes(
                anonymous=401, cio_a=405, viewer_a=405, cio_b=405, staff=405, council=405, admin=405
            )
        ),
    ),
    "reports:list": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=302, viewer_a=302, cio_b=422, staff=302, council=302, admin=302
        ),
        data=_report_form,
        changes=frozenset({"reports_report"}),
    ),
    # Only the maker of a failed report may retry it; others who may see it get 403.
    "reports:retry": Writes(
        path="/rapportages/{report}/opnieuw/",
        post=_writes(
            anonymous=LOGIN, cio_a=302, viewer_a=403, cio_b=404, staff=403, council=403, admin=403
        ),
        changes=frozenset({"reports_report"}),
    ),
    # The council (and staff) freeze a closed round's figures once; asked again: 422. (The pack's
    # table kept its name when the pack moved from rounds to reports.)
    "reports:assembly-list": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=403, viewer_a=403, cio_b=403, staff=302, council=422, admin=422
        ),
        data=lambda ctx, role: {"round": ctx["closed_round"].pk},
        changes=frozenset({"rounds_assemblypack"}),
    ),
    # Rounds: sector staff only. A second POST after the first has changed the round's state
    # (opened, closed, reopened) is refused with 409 and changes nothing.
    "rounds:create": Writes(
        post=_writes(**ROUNDS_STAFF_ONLY, staff=302, admin=302),
        data=lambda ctx, role: {
            "name": f"Ronde {role}",
            "opens_on": "2026-11-01",
            "closes_on": "2026-12-20",
            "assembly_on": "2027-01-20",
            "targets": [SectorTarget.objects.get(code=WALLET).pk],
        },
        changes=frozenset({"rounds_round", "rounds_round_targets"}),
    ),
    "rounds:open": Writes(
        path="/beheer/rondes/{planned_round}/openen/",
        post=_writes(**ROUNDS_STAFF_ONLY, staff=302, admin=409),
        changes=frozenset({"rounds_round"}),
    ),
    "rounds:close": Writes(
        path="/beheer/rondes/{round}/sluiten/",
        post=_writes(**ROUNDS_STAFF_ONLY, staff=302, admin=409),
        changes=frozenset({"rounds_round"}),
    ),
    "rounds:figures-use": Writes(
        path="/beheer/rondes/{round}/cijferbasis/",
        post=_writes(**ROUNDS_STAFF_ONLY, staff=302, admin=302),
        data=lambda ctx, role: {"figures_use": "approved" if role == "sector_staff" else "all"},
        changes=frozenset({"rounds_round"}),
    ),
    "rounds:review": Writes(
        path="/beheer/rondes/{round}/instellingen/11AA/beoordelen/",
        post=_writes(**ROUNDS_STAFF_ONLY, staff=302, admin=302),
        data=lambda ctx, role: {"decision": "returned", "comment": "Graag aanvullen."},
        changes=frozenset({"rounds_roundreview"}),
    ),
    "rounds:reopen": Writes(
        path="/beheer/rondes/{closed_round}/instellingen/11AA/heropenen/",
        post=_writes(**ROUNDS_STAFF_ONLY, staff=302, admin=409),
        data=lambda ctx, role: {"reason": "Cijfer vergeten"},
        changes=frozenset({"rounds_reopening"}),
    ),
    "rounds:end-reopening": Writes(
        path="/beheer/rondes/{closed_round}/instellingen/11AA/heropening-sluiten/",
        post=_writes(**ROUNDS_STAFF_ONLY, staff=409, admin=409),  # nothing reopened
    ),
    "rounds:reminder": Writes(
        path="/beheer/rondes/{round}/instellingen/11AA/herinnering/",
        post=_writes(**ROUNDS_STAFF_ONLY, staff=302, admin=302),
        changes=frozenset({"rounds_remindersent"}),
    ),
    # Sector staff (and the administrator) record a milestone's delivery and publish versions.
    "themes:milestone-status": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=403, viewer_a=403, cio_b=403, staff=302, council=403, admin=302
        ),
        data=lambda ctx, role: {
            "status": "delayed" if role == "administrator" else "started",
            "changed_on": timezone.localdate().isoformat(),
            "reason": "Volgens planning",
        },
        changes=frozenset(
            {"themes_milestonestatuschange", "themes_milestone", "themes_historicalmilestone"}
        ),
    ),
    "themes:version-publish": Writes(
        post=_writes(
            anonymous=LOGIN, cio_a=403, viewer_a=403, cio_b=403, staff=302, council=403, admin=302
        ),
        data=lambda ctx, role: {"note": "Vastgesteld"},
        changes=frozenset({"themes_routeversion"}),
    ),
    # The admin's own pages check their own permissions (and CSRF); its index only shows.
    "admin:index": Writes(
        post=_writes(
            anonymous=302, cio_a=403, viewer_a=403, cio_b=403, staff=200, council=403, admin=200
        ),
        other=_per_method(
            _writes(
                anonymous=302, cio_a=403, viewer_a=403, cio_b=403, staff=200, council=403, admin=200
            )
        ),
    ),
}


# --- A fingerprint of the database: which tables changed? ---------------------------------------


class _RowChecksum:
    """SQLite has no hash function: an order-independent sum of each row's CRC."""

    def __init__(self):
        self.total = 0

    def step(self, *values):
        self.total = (self.total + zlib.crc32(repr(values).encode())) % (1 << 62)

    def finalize(self):
        return self.total


def _watched_tables() -> dict[str, list[str]]:
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        table = meta.db_table
        if meta.proxy or table in UNWATCHED_TABLES or table.startswith(UNWATCHED_PREFIXES):
            continue
        tables[table] = [meta.pk.column] + [
            f.column for f in meta.concrete_fields if f.column != meta.pk.column
        ]
    return tables


@pytest.fixture(autouse=True)
def _fresh_fingerprints():
    """A test's first fingerprint is taken anew: the last test's rollback undid its rows
    without moving SQLite's change counter (see fingerprint)."""
    _LAST_FINGERPRINT.clear()


# On SQLite: (total_changes() when taken, the fingerprint).
_LAST_FINGERPRINT: dict[str, tuple[int, dict]] = {}


def _changes_so_far() -> int | None:
    """SQLite's count of rows inserted, updated or deleted on this connection (the test client
    runs in this thread, on this connection); None on PostgreSQL, which has no such counter."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0]


def fingerprint() -> dict[str, tuple]:
    """Row count, highest id and a checksum of every row of every watched table, in one query.

    The checksum reads every row (the route's tables and their history are thousands), and the
    matrix takes a fingerprint after each request of each role: on SQLite, while no row has
    been written since the last one, that one still holds and is given again. Only SQLite's
    own counter says so, so a write the counter misses cannot hide."""
    changes = _changes_so_far()
    last = _LAST_FINGERPRINT.get("sqlite")
    if changes is not None and last is not None and last[0] == changes:
        return dict(last[1])
    taken = _fingerprint_now()
    if changes is not None:
        _LAST_FINGERPRINT["sqlite"] = (changes, taken)
    return taken


def _fingerprint_now() -> dict[str, tuple]:
    quote = connection.ops.quote_name
    parts = []
    for table, columns in sorted(_watched_tables().items()):
        if connection.vendor == "postgresql":
            checksum = "COALESCE(SUM(hashtext(t::text)::bigint), 0)"
        else:
            checksum = f"routekaart_checksum({', '.join(quote(c) for c in columns)})"
        # Table and column names come from the models, never from input.
        highest = f"CAST(MAX({quote(columns[0])}) AS TEXT)"
        sql = f"SELECT '{table}', COUNT(*), {highest}, {checksum} FROM {quote(table)} t"  # noqa: S608
        parts.append(sql)
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("routekaart_checksum", -1, _RowChecksum)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {row[0]: row[1:] for row in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> set[str]:
    return {table for table in before if before[table] != after[table]}


# --- The write matrix ----------------------------------------------------------------------------


@pytest.fixture
def write_context(people, institution_a, institution_b):
    """An answer of A to review and confirm, and a failed report of A's editor to retry."""
    answer = _answer(institution_a)
    report = Report.objects.create(
        format="csv", as_of=datetime.date(2026, 6, 30), institution=institution_a,
        created_by=people["cio_a"], state=Report.State.FAILED, error="Proef",
    )  # fmt: skip
    return {
        "people": people, "institution_a": institution_a, "institution_b": institution_b,
        "answer": answer, "report": report, **_rounds(people["sector_staff"]),
    }  # fmt: skip


ROUND_IDS = ("round", "planned_round", "closed_round")


def _rounds(staff) -> dict:
    """An open, a planned and a closed reporting round, each asking for the wallet target."""
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    made = {}
    for name, opens, closes in (
        ("round", -10, 10), ("planned_round", 5, 20), ("closed_round", -60, -30),
    ):  # fmt: skip
        made[name] = Round.objects.create(
            name=name, opens_on=today + opens * day, closes_on=today + closes * day,
            assembly_on=today + (closes + 10) * day,
        )  # fmt: skip
        made[name].targets.set([SectorTarget.objects.get(code=WALLET)])
    made["closed_round"].closed_at = timezone.now() - 29 * day
    made["closed_round"].save()
    return made


def _send(client, method, path, rule: Writes, ctx, role):
    data = rule.data(ctx, role)
    if rule.json:
        return client.generic(method, path, json.dumps(data), content_type="application/json")
    if method == "POST":
        return client.post(path, data)
    form = {k: v for k, v in data.items() if isinstance(v, str | int)}
    return client.generic(
        method, path, urlencode(form), content_type="application/x-www-form-urlencoded"
    )


def test_every_url_accepting_writes_is_in_the_write_table(client, write_context):
    """A URL accepts writes when a POST by the administrator answers anything but 405."""
    assert set(WRITE_TABLE) <= set(GET_TABLE), set(WRITE_TABLE) - set(GET_TABLE)
    accepting = set()
    for name, (path, _expected) in GET_TABLE.items():
        client.force_login(write_context["people"]["administrator"])  # again after logout
        rule = WRITE_TABLE.get(name)
        path = filled_in(rule.path if rule and rule.path else path, write_context)
        if client.post(path, {}).status_code != 405:
            accepting.add(name)
    missing = accepting - set(WRITE_TABLE)
    assert not missing, f"URLs accepting writes without a write rule: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(GET_TABLE))
def test_write_methods_are_allowed_or_refused_per_role(clients, write_context, name):
    """POST with valid data, then PUT, PATCH and DELETE, as every role. An allowed POST writes
    exactly the tables of its rule; a refused one, and every other method, writes nothing."""
    rule = WRITE_TABLE.get(name, Writes(post=_everyone(405)))
    path = filled_in(rule.path or GET_TABLE[name][0], write_context)
    failures = []
    before = fingerprint()
    for role, client in clients.items():
        outcomes = {}
        for method in WRITE_METHODS:
            outcomes[method] = _outcome(_send(client, method, path, rule, write_context, role))
            if method == "POST":  # the only method that may write: look at it on its own
                after = fingerprint()
                changed = changed_tables(before, after)
                performed = outcomes["POST"] in ALLOWED
                if changed != (rule.changes if performed else set()):
                    failures.append(f"POST {path} as {role} changed {sorted(changed)}")
                before = after
        after = fingerprint()
        if changed := changed_tables(before, after):
            failures.append(f"PUT/PATCH/DELETE {path} as {role} changed {sorted(changed)}")
        before = after
        for method, outcome in outcomes.items():
            expected = rule.post if method == "POST" else rule.other.get(method, _everyone(405))
            if outcome != expected[role]:
                failures.append(f"{method} {path} as {role}: {outcome}, expected {expected[role]}")
    assert not failures, "\n".join(failures)


def test_the_fingerprint_sees_a_changed_value_not_only_a_new_row(institution_a):
    answer = _answer(institution_a)
    before = fingerprint()
    Answer.objects.filter(pk=answer.pk).update(explanation="Anders")
    assert changed_tables(before, fingerprint()) == {"institutions_answer"}


# --- Tampering: forged fields and guessed ids change nothing of anyone else ----------------------

EDIT_URL = "/instellingen/11AA/doelen/LZD-WALLET/bewerken/"


def _save(institution, code, value, user):
    target = SectorTarget.objects.get(code=code)
    return actions.do_save_answer(
        institution=institution,
        target=target,
        user=user,
        based_on_version=queries.answer_version(institution, target),
        answer=actions.AnswerValue(value=value, applies_on=datetime.date(2026, 3, 1)),
    )


def _token(user) -> dict:
    key = issue_api_token(user)
    # A key's last use is written at most once a minute; a key "just used" keeps the API's
    # bookkeeping out of the tables this module watches for unwanted changes.
    ApiToken.objects.filter(user=user).update(last_used_at=timezone.now())
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_forged_fields_in_the_answer_form_are_ignored(
    client, cio_a, cio_b, institution_a, institution_b
):
    b_wallet = _save(institution_b, WALLET, {"status": "gepland"}, cio_b)
    a_nba = _save(institution_a, "CYB-NBA-GEMIDDELD", {"score": "2.0"}, cio_a)
    nba = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    client.force_login(cio_a)
    forged = {
        "theme": "t", "t-LZD-WALLET-value": "gerealiseerd", "t-LZD-WALLET-version": 0,
        "institution": institution_b.pk, "institution_id": institution_b.pk,
        "institution_code": "22BB", "t-LZD-WALLET-institution": institution_b.pk,
        "target": nba.pk, "target_code": nba.code, "t-LZD-WALLET-target": nba.pk,
        "status": "approved", "reviewed": "true", "approval": "approved", "decision": "approved",
        "entered_by": cio_b.pk, "source": "import", "t-LZD-WALLET-source": "import",
        "t-CYB-NBA-GEMIDDELD-value": "4.9", "t-CYB-NBA-GEMIDDELD-version": 1,
    }  # fmt: skip
    before = fingerprint()
    response = client.post(EDIT_URL, forged)

    assert response.status_code == 302
    assert changed_tables(before, fingerprint()) == ANSWERS
    saved = Answer.objects.exclude(pk__in=[b_wallet.pk, a_nba.pk]).get()
    assert (saved.institution, saved.target.code, saved.status) == (
        institution_a,
        WALLET,
        "gerealiseerd",
    )
    assert (saved.entered_by, saved.source) == (cio_a, Answer.Source.WEB)
    assert list(Answer.objects.filter(institution=institution_b)) == [b_wallet]
    assert list(Answer.objects.filter(target=nba)) == [a_nba]
    assert queries.answer_version(institution_b, b_wallet.target) == 1
    assert queries.answer_version(institution_a, nba) == 1
    assert not AnswerReview.objects.exists()


def test_the_version_of_another_institutions_slot_does_not_open_this_one(
    client, cio_a, cio_b, institution_a, institution_b
):
    """A's wallet moved on to version 2; B's is at 1: B's version is refused as out of date."""
    _save(institution_a, WALLET, {"status": "gepland"}, cio_a)
    _save(institution_a, WALLET, {"status": "in_uitvoering"}, cio_a)
    _save(institution_b, WALLET, {"status": "gepland"}, cio_b)
    client.force_login(cio_a)
    before = fingerprint()
    data = {"theme": "t", "t-LZD-WALLET-value": "gerealiseerd", "t-LZD-WALLET-version": 1}
    response = client.post(EDIT_URL, data)
    assert response.status_code == 409
    assert changed_tables(before, fingerprint()) == set()


def test_a_cio_cannot_approve_their_own_answer(client, cio_a, institution_a):
    answer = _save(institution_a, WALLET, {"status": "gerealiseerd"}, cio_a)
    client.force_login(cio_a)
    before = fingerprint()
    response = client.post(
        f"/instellingen/11AA/antwoorden/{answer.pk}/beoordelen/", {"decision": "approved"}
    )
    assert response.status_code == 403
    assert changed_tables(before, fingerprint()) == set()
    assert not AnswerReview.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, 401),
        ("cio_a", 201),
        ("viewer_a", 403),
        ("cio_b", 404),
        ("sector_staff", 403),
        ("council", 403),
        ("administrator", 403),
    ],
)
def test_the_answers_api_takes_writes_only_from_an_editors_token(client, people, role, expected):
    headers = _token(people[role]) if role else {"HTTP_AUTHORIZATION": "Token not-a-real-token"}
    body = {"target": "CYB-NBA-GEMIDDELD", "value": "2.5", "version": 0}
    before = fingerprint()
    response = client.post(
        "/api/v1/institutions/11AA/answers/", body, content_type="application/json", **headers
    )
    assert response.status_code == expected, response.content
    assert changed_tables(before, fingerprint()) == (ANSWERS if expected == 201 else set())


def test_the_answers_api_ignores_an_institution_named_in_the_body(
    client, cio_a, institution_a, institution_b
):
    headers = _token(cio_a)
    forged = {
        "target": "CYB-NBA-GEMIDDELD", "value": "2.5", "version": 0, "institution": "22BB",
        "institution_code": "22BB", "institution_id": institution_b.pk,
    }  # fmt: skip
    before = fingerprint()
    response = client.post(
        "/api/v1/institutions/22BB/answers/", forged, content_type="application/json", **headers
    )
    assert response.status_code == 404
    assert changed_tables(before, fingerprint()) == set()

    response = client.post(
        "/api/v1/institutions/11AA/answers/", forged, content_type="application/json", **headers
    )
    assert response.status_code == 201
    assert response.json()["institution"] == "11AA"
    assert Answer.objects.get().institution == institution_a
    assert not Answer.objects.filter(institution=institution_b).exists()


def test_another_institutions_report_cannot_be_reached_by_its_id(
    client, settings, tmp_path, cio_a, cio_b, institution_a, institution_b
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cio_b)
    response = client.post("/rapportages/", {**_report_form({}, "cio_b"), "institution": "22BB"})
    assert response.status_code == 302
    report = Report.objects.get(institution=institution_b)
    report.file.save("b.csv", ContentFile(b"doel;waarde\r\n"), save=False)
    report.state = Report.State.DONE
    report.save()
    paths = [f"/rapportages/{report.pk}/", f"/rapportages/{report.pk}/download/"]
    assert [client.get(path).status_code for path in paths] == [200, 200]  # its maker sees it

    client.force_login(cio_a)
    before = fingerprint()
    assert [client.get(path).status_code for path in paths] == [404, 404]
    assert client.post(f"/rapportages/{report.pk}/opnieuw/").status_code == 404
    assert changed_tables(before, fingerprint()) == set()
    # A failed report could be retried by its maker; not by a guesser.
    Report.objects.filter(pk=report.pk).update(state=Report.State.FAILED, file="")
    before = fingerprint()
    assert client.post(f"/rapportages/{report.pk}/opnieuw/").status_code == 404
    assert changed_tables(before, fingerprint()) == set()
    assert Report.objects.get(pk=report.pk).state == Report.State.FAILED


# --- CSRF: a logged-in person's POST without the token is refused everywhere --------------------


@pytest.mark.parametrize(
    "name", sorted(n for n, rule in WRITE_TABLE.items() if ALLOWED & set(rule.post.values()))
)
def test_a_write_without_the_csrf_token_is_refused(write_context, name):
    """As the first role the write table allows (the CIO where they may), with valid data."""
    rule = WRITE_TABLE[name]
    allowed = [role for role in ROLES if rule.post[role] in ALLOWED]
    role = "cio_a" if "cio_a" in allowed else allowed[0]
    client = Client(enforce_csrf_checks=True)
    if write_context["people"][role]:
        client.force_login(write_context["people"][role])
    path = filled_in(rule.path or GET_TABLE[name][0], write_context)
    before = fingerprint()
    response = _send(client, "POST", path, rule, write_context, role)
    assert response.status_code == 403, f"POST {path} as {role}: {response.status_code}"
    assert changed_tables(before, fingerprint()) == set()
