"""Every URL of the portal, for every role: allowed or refused, as this table says.

The test walks the URL resolver, so a new page that is missing from the table fails the test
until someone decides who may see it. Institution pages use institution A (11AA): its editor
and viewer belong to it; the editor of institution B must get 404 (no hint that it exists).
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from institutions.models import Answer, AnswerReview
from themes.models import SectorTarget

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

# URL name -> (sample path, expected GET status per role)
GET_TABLE = {
    "themes:overview": ("/", PUBLIC),
    "themes:theme-detail": ("/thema/data-ai/", PUBLIC),
    "themes:target-list": ("/doelen/", PUBLIC),
    "themes:target-detail": ("/doelen/LZD-WALLET/", PUBLIC),
    "themes:milestone-list": ("/mijlpalen/", PUBLIC),
    "themes:partner-list": ("/partners/", PUBLIC),
    "themes:programme-detail": ("/programma/digitaal-bekwaam-mbo/", PUBLIC),
    "themes:about": ("/over/", PUBLIC),
    "themes:accessibility": ("/toegankelijkheid/", PUBLIC),
    "indicators:overview": ("/dashboard/", PUBLIC),
    "indicators:target": ("/dashboard/doelen/LZD-WALLET/", PUBLIC),
    "indicators:method": ("/methode/", PUBLIC),
    "indicators:benchmark": ("/instellingen/11AA/vergelijking/", _private()),
    "api-root": ("/api/v1/", PUBLIC),
    "theme-list": ("/api/v1/themes/", PUBLIC),
    "theme-detail": ("/api/v1/themes/data-ai/", PUBLIC),
    "line-list": ("/api/v1/lines/", PUBLIC),
    "line-detail": ("/api/v1/lines/1/", PUBLIC),
    "milestone-list": ("/api/v1/milestones/", PUBLIC),
    "milestone-detail": ("/api/v1/milestones/LZD-RC-2026-1/", PUBLIC),
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
    "institutions:audit-log": (
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
    # The admin checks its own permissions; its index stands for all of its pages here.
    "admin:index": (
        "/admin/",
        _private(anonymous=302, cio_a=302, viewer_a=302, cio_b=302, council=302),
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


@pytest.mark.parametrize("name", sorted(GET_TABLE))
def test_get_is_allowed_or_refused_per_role(client, people, name):
    path, expected = GET_TABLE[name]
    for role, user in people.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        outcome = _outcome(client.get(path))
        assert outcome == expected[role], (
            f"GET {path} as {role}: {outcome}, expected {expected[role]}"
        )


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
