"""The security audit log: every kind of event is written by the real action (with who, where
from and for which institution), the page shows it to sector staff only, and nothing can change
or remove an event, neither in code nor in the admin."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent
from institutions.models import Membership

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
Kind = AuditEvent.Kind


def _events(kind, *, after: int = 0):
    return list(AuditEvent.objects.filter(kind=kind, pk__gt=after).order_by("id"))


def _last_id() -> int:
    """Events written before the action under test (the cast's fixtures add role changes)."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _login(client, username="cio@a.example", password=PASSWORD, **extra):
    return client.post("/account/login/", {"username": username, "password": password}, **extra)


# --- Each kind of event, from the real action -----------------------------------------------------


def test_a_login_and_a_logout_are_recorded_with_the_person_and_address(client, cio_a):
    _login(client, REMOTE_ADDR="192.0.2.10")
    client.post("/account/logout/", REMOTE_ADDR="192.0.2.10")
    (login,) = _events(Kind.LOGIN)
    (logout,) = _events(Kind.LOGOUT)
    for event in (login, logout):
        assert event.actor == cio_a and event.actor_label == "cio@a.example"
        assert event.ip_address == "192.0.2.10"


def test_a_failed_login_keeps_the_typed_address_and_never_the_password(client, cio_a):
    _login(client, "CIO@a.example", "my-secret-guess-123", REMOTE_ADDR="192.0.2.11")
    (failed,) = _events(Kind.LOGIN_FAILED)
    assert failed.actor is None and failed.actor_label == "cio@a.example"
    assert failed.ip_address == "192.0.2.11"
    stored = " ".join(str(row) for row in AuditEvent.objects.values_list())
    assert "my-secret-guess-123" not in stored


def test_a_very_long_typed_address_is_cut_to_254_characters(client):
    _login(client, "x" * 400 + "@example.org", "wrong")
    assert len(_events(Kind.LOGIN_FAILED)[0].actor_label) == 254


def test_a_lockout_is_recorded(client, cio_a):
    for _ in range(5):
        _login(client, password="wrong", REMOTE_ADDR="192.0.2.12")
    (lockout,) = _events(Kind.LOCKOUT)
    assert lockout.actor_label == "cio@a.example" and lockout.ip_address == "192.0.2.12"
    assert "15 minuten" in lockout.detail
    assert len(_events(Kind.LOGIN_FAILED)) == 5


def test_a_password_change_is_recorded(client, cio_a):
    client.force_login(cio_a)
    new = "een-ander-lang-wachtwoord"
    client.post(
        "/account/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        REMOTE_ADDR="192.0.2.13",
    )
    (changed,) = _events(Kind.PASSWORD_CHANGED)
    assert changed.actor == cio_a and changed.ip_address == "192.0.2.13"


def test_a_refused_password_change_is_not_recorded(client, cio_a):
    client.force_login(cio_a)
    client.post(
        "/account/password_change/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
    )
    assert _events(Kind.PASSWORD_CHANGED) == []


def test_a_password_reset_is_recorded_for_the_person_whose_password_it_is(client, cio_a):
    client.post("/account/password_reset/", {"email": "cio@a.example"})
    link = re.search(r"http://testserver(/account/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    new = "een-nieuw-lang-wachtwoord"
    client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    (reset,) = _events(Kind.PASSWORD_RESET)
    assert reset.actor == cio_a and reset.ip_address == "127.0.0.1"


def _institution_form(institution, memberships):
    data = {
        "code": institution.code,
        "name": institution.name,
        "kind": institution.kind,
        "region": institution.region,
        "active_from": institution.active_from.isoformat(),
        "active_to": "",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(sum(1 for m in memberships if "id" in m)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for number, membership in enumerate(memberships):
        for name, value in membership.items():
            data[f"memberships-{number}-{name}"] = value
        data[f"memberships-{number}-institution"] = str(institution.pk)
    return data


def test_memberships_given_changed_and_taken_in_the_admin_are_recorded(
    client, administrator, institution_a, cio_b
):
    client.force_login(administrator)
    before = _last_id()
    url = f"/admin/institutions/institution/{institution_a.pk}/change/"
    add = _institution_form(institution_a, [{"user": str(cio_b.pk), "role": "viewer"}])
    assert client.post(url, add, REMOTE_ADDR="192.0.2.14").status_code == 302
    membership = Membership.objects.get(user=cio_b, institution=institution_a)
    change = _institution_form(
        institution_a, [{"id": str(membership.pk), "user": str(cio_b.pk), "role": "editor"}]
    )
    assert client.post(url, change).status_code == 302
    remove = _institution_form(
        institution_a,
        [{"id": str(membership.pk), "user": str(cio_b.pk), "role": "editor", "DELETE": "on"}],
    )
    assert client.post(url, remove).status_code == 302

    given, changed, taken = _events(Kind.ROLE_CHANGED, after=before)
    assert given.detail == "cio@b.example: rol viewer bij 11AA toegekend"
    assert changed.detail == "cio@b.example: rol viewer → editor bij 11AA"
    assert taken.detail == "cio@b.example: rol editor bij 11AA ingetrokken"
    for event in (given, changed, taken):
        assert event.actor == administrator and event.institution_code == "11AA"
    assert given.institution == institution_a and given.ip_address == "192.0.2.14"


def test_a_group_and_the_superuser_flag_set_in_the_admin_are_recorded(
    client, administrator, cio_a, roles
):
    client.force_login(administrator)
    before = _last_id()
    staff_group = Group.objects.get(name="Sectorstaf")
    response = client.post(
        f"/admin/auth/user/{cio_a.pk}/change/",
        {
            "username": cio_a.username,
            "email": cio_a.email,
            "first_name": cio_a.first_name,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [str(staff_group.pk)],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "09:00:00",
        },
        REMOTE_ADDR="192.0.2.15",
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    events = _events(Kind.ROLE_CHANGED, after=before)
    details = {event.detail for event in events}
    assert details == {
        "cio@a.example: groep Sectorstaf toegevoegd",
        "cio@a.example: is_staff aan",
        "cio@a.example: is_superuser aan",
    }
    assert {e.actor for e in events} == {administrator}
    assert {e.ip_address for e in events} == {"192.0.2.15"}


def test_a_group_removed_from_the_group_side_is_recorded(sector_staff):
    Group.objects.get(name="Sectorstaf").user_set.remove(sector_staff)
    (removed,) = _events(Kind.ROLE_CHANGED)[-1:]
    assert removed.detail == "staf@sector.example: groep Sectorstaf verwijderd"
    assert removed.actor is None  # no request: a shell or a command


def test_an_export_download_is_recorded(client, cio_a):
    client.force_login(cio_a)
    response = client.get("/instellingen/11AA/antwoorden.csv", REMOTE_ADDR="192.0.2.16")
    assert response.status_code == 200
    (export,) = _events(Kind.EXPORT)
    assert export.actor == cio_a and export.institution_code == "11AA"
    assert export.detail == "antwoorden-11AA.csv" and export.ip_address == "192.0.2.16"


def test_a_report_download_is_recorded(client, cio_a, institution_a, settings, tmp_path):
    from reports.models import Report

    settings.MEDIA_ROOT = tmp_path
    report = Report(
        format="csv", as_of=datetime.date(2026, 6, 30), institution=institution_a,
        state="done", created_by=cio_a, finished_at=timezone.now(),
    )  # fmt: skip
    report.file.save("r.csv", ContentFile(b"a;b\n"))  # saves the report with its file
    client.force_login(cio_a)
    response = client.get(f"/rapportages/{report.pk}/download/")
    assert response.status_code == 200, response
    (export,) = _events(Kind.EXPORT)
    assert export.detail == report.filename() and export.institution == institution_a


def test_an_upload_is_recorded_with_its_rows_or_its_refusal(client, cio_a):
    client.force_login(cio_a)
    header = "institution;target;value;applies_on;explanation;evidence_url\n"

    def upload(text):
        file = SimpleUploadedFile("antwoorden.csv", text.encode("utf-8-sig"))
        return client.post("/instellingen/11AA/import/", {"file": file})

    assert upload(header + "11AA;LZD-WALLET;gepland;2026-03-01;;\n").status_code == 302
    assert upload(header + "11AA;BESTAAT-NIET;1;2026-03-01;;\n").status_code == 422
    saved, refused = _events(Kind.IMPORT)
    assert saved.detail == "antwoorden.csv: 1 rijen opgeslagen"
    assert refused.detail == "antwoorden.csv: geweigerd, 1 fout(en), niets opgeslagen"
    assert saved.actor == cio_a and saved.institution_code == "11AA"


def test_the_import_commands_are_recorded(tmp_path, institution_a):
    good = tmp_path / "goed.csv"
    good.write_text("institution,target,value,applies_on,explanation,evidence_url\n"
                    "11AA,LZD-WALLET,gepland,2026-03-01,,\n")  # fmt: skip
    call_command("import_answers", str(good), stdout=None)
    bad = tmp_path / "fout.csv"
    bad.write_text("code,name,kind,region,active_from,active_to\n33CC,X,roc,,gisteren,\n")
    with pytest.raises(CommandError):
        call_command("import_institutions", str(bad))
    answers, institutions = _events(Kind.IMPORT)
    assert answers.detail == "import_answers goed.csv: 1 rijen opgeslagen"
    assert answers.actor is None and answers.ip_address is None
    assert institutions.detail.startswith("import_institutions fout.csv: geweigerd, 1 fout(en)")


def test_a_new_api_token_is_recorded_without_the_token(client, cio_a):
    client.force_login(cio_a)
    response = client.post("/mijn/api-token/")
    (created,) = _events(Kind.API_TOKEN_CREATED)
    assert created.actor == cio_a
    key = response.context["new_key"]
    assert key in response.content.decode()
    assert key not in created.detail
    assert key[:8] not in created.detail


# --- The page ------------------------------------------------------------------------------------


def test_staff_see_the_events_newest_first_and_escaped(client, sector_staff, cio_a):
    audit.record(Kind.EXPORT, actor=cio_a, detail="older")
    audit.record(Kind.EXPORT, actor=cio_a, detail="<script>alert(1)</script>")
    client.force_login(sector_staff)
    response = client.get("/beheer/auditlog/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert html.index("&lt;script&gt;") < html.index("older")
    assert "<caption>" in html
    assert "<form" in html and 'method="post"' not in html.split("<main", 1)[1].split("</main>")[0]


def test_administrators_see_the_page_too(client, administrator):
    client.force_login(administrator)
    assert client.get("/beheer/auditlog/").status_code == 200


@pytest.mark.parametrize("person", ["council", "cio_a", "viewer_a"])
def test_the_council_and_institutions_are_refused(client, person, request):
    client.force_login(request.getfixturevalue(person))
    assert client.get("/beheer/auditlog/").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/beheer/auditlog/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def _shown(client, query):
    html = client.get("/beheer/auditlog/" + query).content.decode()
    return set(re.findall(r"marker-\d", html))


def test_filters_by_kind_person_and_date(client, sector_staff, cio_a, cio_b):
    audit.record(Kind.EXPORT, actor=cio_a, detail="marker-1")
    audit.record(Kind.IMPORT, actor=cio_b, detail="marker-2")
    audit.record(Kind.LOGIN_FAILED, actor_label="Iemand@Elders.example", detail="marker-3")
    client.force_login(sector_staff)
    assert _shown(client, "?kind=export") == {"marker-1"}
    assert _shown(client, "?person=CIO@B") == {"marker-2"}
    assert _shown(client, "?person=elders") == {"marker-3"}
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    everything = {"marker-1", "marker-2", "marker-3"}
    assert _shown(client, "") == everything
    assert _shown(client, f"?date_from={today}&date_to={today}") == everything
    assert _shown(client, f"?date_from={tomorrow}") == set()
    assert _shown(client, f"?date_to={today - datetime.timedelta(days=1)}") == set()
    # A malformed date is reported, not a crash, and leaves the other filters working.
    response = client.get("/beheer/auditlog/?date_from=gisteren&kind=import")
    assert response.status_code == 200
    assert set(re.findall(r"marker-\d", response.content.decode())) == {"marker-2"}


def test_the_page_is_paginated_by_fifty_and_keeps_the_filter(client, sector_staff):
    AuditEvent.objects.bulk_create(
        AuditEvent(kind=Kind.EXPORT, actor_label=f"p{i}@x.example", detail=f"row-{i}")
        for i in range(60)
    )
    client.force_login(sector_staff)
    first = client.get("/beheer/auditlog/?kind=export").content.decode()
    assert first.count("<tr>") == 51  # header + 50
    assert "?kind=export&amp;page=2" in first
    second = client.get("/beheer/auditlog/?kind=export&page=2").content.decode()
    assert second.count("<tr>") == 11


def test_the_number_of_queries_does_not_grow_with_the_events(
    client, sector_staff, django_assert_max_num_queries
):
    client.force_login(sector_staff)
    audit.record(Kind.EXPORT, detail="one")
    with django_assert_max_num_queries(10) as few:
        client.get("/beheer/auditlog/")
    AuditEvent.objects.bulk_create(AuditEvent(kind=Kind.EXPORT) for _ in range(120))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/beheer/auditlog/?page=2")


# --- Append-only ---------------------------------------------------------------------------------


def test_an_event_cannot_be_changed_or_removed_in_code(cio_a):
    event = audit.record(Kind.EXPORT, actor=cio_a, detail="origineel")
    event.detail = "vervalst"
    with pytest.raises(ValueError, match="niet gewijzigd"):
        event.save()
    with pytest.raises(ValueError, match="niet verwijderd"):
        event.delete()
    with pytest.raises(ValueError, match="niet verwijderd"):
        AuditEvent.objects.all().delete()
    with pytest.raises(ValueError, match="niet gewijzigd"):
        AuditEvent.objects.update(detail="vervalst")
    assert AuditEvent.objects.get(pk=event.pk).detail == "origineel"


def test_deleting_a_person_keeps_their_trail(cio_a):
    event = audit.record(Kind.EXPORT, actor=cio_a, detail="x")
    get_user_model().objects.filter(pk=cio_a.pk).delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor is None and event.actor_label == "cio@a.example"


def test_the_admin_shows_events_but_cannot_add_change_or_delete(client, administrator, cio_a):
    event = audit.record(Kind.EXPORT, actor=cio_a, detail="origineel")
    client.force_login(administrator)
    base = "/admin/accounts/auditevent/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{event.pk}/change/").status_code == 200  # a read-only view
    assert client.post(f"{base}{event.pk}/change/", {"detail": "vervalst"}).status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{base}add/", {"kind": "login"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    client.post(base, bulk)
    assert AuditEvent.objects.get(pk=event.pk).detail == "origineel"


def test_an_unknown_kind_is_refused_by_the_database():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(kind="anything")


def test_a_second_client_login_is_recorded_from_its_own_address(cio_a):
    _login(Client(), REMOTE_ADDR="192.0.2.20")
    _login(Client(), REMOTE_ADDR="2001:db8::1")
    assert [e.ip_address for e in _events(Kind.LOGIN)] == ["192.0.2.20", "2001:db8::1"]
