"""A milestone's delivery: lead partner and contributors, due date, an append-only status
history recorded by staff, what is overdue on a day, and the counts per theme."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from themes import queries
from themes.actions import do_record_milestone_status
from themes.models import Milestone, MilestoneStatusChange, SectorTarget

pytestmark = pytest.mark.django_db

NEW_YEAR_2027 = datetime.date(2027, 1, 1)
WALLET_PILOT = "LZD-RC-2026-1"  # "Pilot Eduwallet in de proeftuin", 2026, no date in the source


def _record(code, status, on, *, reason="Volgens de trekker", by=None, today=None):
    return do_record_milestone_status(
        milestone=Milestone.objects.get(code=code), status=status, changed_on=on,
        reason=reason, by=by, today=today or on,
    )  # fmt: skip


def test_the_loaded_milestones_have_a_lead_contributors_a_due_date_and_their_targets():
    pilot = Milestone.objects.get(code=WALLET_PILOT)
    # No owner named: the theme's lead partner leads, its other partners contribute.
    assert pilot.lead_partner.code == "npuls"
    contributors = set(pilot.owners.values_list("code", flat=True))
    assert "npuls" not in contributors and {"mbo-instellingen", "surf"} <= contributors
    assert pilot.due_date == datetime.date(2026, 12, 31)
    assert list(pilot.targets.values_list("code", flat=True)) == [
        "LZD-WALLET", "LZD-KLEINE-EENHEDEN"
    ]  # fmt: skip
    assert list(pilot.layers.values_list("code", flat=True)) == ["student"]
    # A named owner leads; the source's own date stays the due date.
    named = Milestone.objects.get(owners__isnull=True, lead_partner__code="nro")
    assert named.lead_partner.code == "nro"
    assert Milestone.objects.filter(due_date__isnull=True).count() == 0
    assert Milestone.objects.filter(lead_partner__isnull=True).count() == 0


def test_a_status_change_is_appended_with_who_and_why_and_becomes_the_status(sector_staff):
    _record(WALLET_PILOT, "started", datetime.date(2026, 3, 1), by=sector_staff)
    _record(WALLET_PILOT, "delayed", datetime.date(2026, 9, 1), reason="Leverancier later")
    pilot = Milestone.objects.get(code=WALLET_PILOT)
    assert pilot.status == "delayed"
    history = list(pilot.status_changes.values_list("previous_status", "status", "reason"))
    assert history == [
        ("planned", "started", "Volgens de trekker"),
        ("started", "delayed", "Leverancier later"),
    ]
    assert pilot.status_changes.first().recorded_by == sector_staff
    assert pilot.history.first().history_change_reason == "Leverancier later"


@pytest.mark.parametrize(
    ("status", "on", "reason", "field"),
    [
        ("started", datetime.date(2026, 7, 1), "  ", "reason"),
        ("started", datetime.date(2026, 8, 1), "Te vroeg", "changed_on"),  # after today
        ("started", datetime.date(2025, 12, 31), "Voor de route", "changed_on"),
        ("finished", datetime.date(2026, 7, 1), "Onbekend", "status"),
        # Before the latest change (2026-06-01): history is appended, never rewritten.
        ("delivered", datetime.date(2026, 5, 1), "Terug in de tijd", "changed_on"),
    ],
)
def test_a_bad_change_is_refused_by_field_and_saves_nothing(status, on, reason, field):
    _record(WALLET_PILOT, "started", datetime.date(2026, 6, 1))
    before = MilestoneStatusChange.objects.count()
    with pytest.raises(ValidationError) as refused:
        _record(WALLET_PILOT, status, on, reason=reason, today=datetime.date(2026, 7, 15))
    assert field in refused.value.message_dict
    assert MilestoneStatusChange.objects.count() == before
    assert Milestone.objects.get(code=WALLET_PILOT).status == "started"


def test_overdue_on_new_year_2027_is_the_2026_milestone_still_planned():
    # Delivered before the day: not overdue. Delivered only after the day: it was overdue then.
    _record("LZD-RC-2026-2", "delivered", datetime.date(2026, 11, 20))
    _record("LZD-RC-2026-3", "delivered", datetime.date(2027, 2, 1))
    _record("LZD-OO-2026-1", "dropped", datetime.date(2026, 6, 1))
    overdue = {m.code: m for m in queries.overdue_milestones(today=NEW_YEAR_2027)}
    assert WALLET_PILOT in overdue and overdue[WALLET_PILOT].status_on == "planned"
    assert "LZD-RC-2026-2" not in overdue and "LZD-OO-2026-1" not in overdue
    assert overdue["LZD-RC-2026-3"].status_on == "planned"
    # Nothing of 2026 is overdue on its last day (due on 31 December itself).
    assert WALLET_PILOT not in {
        m.code for m in queries.overdue_milestones(today=datetime.date(2026, 12, 31))
    }


def test_the_overdue_page_shows_it_per_theme_and_per_partner(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/route/achterstand/", {"peildatum": "2027-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wat loopt achter" in html
    assert f'href="/mijlpalen/{WALLET_PILOT}/"' in html
    assert "Pilot Eduwallet in de proeftuin" in html
    assert "Per trekker" in html and "Npuls" in html
    # Before the end of 2026 nothing of the wallet pilot is late.
    html_before = client.get("/route/achterstand/", {"peildatum": "2026-06-01"}).content.decode()
    assert f'href="/mijlpalen/{WALLET_PILOT}/"' not in html_before


def test_the_overdue_page_refuses_a_bad_date(client):
    response = client.get("/route/achterstand/", {"peildatum": "2027-13-01"})
    assert response.status_code == 400
    assert "Voer een geldige datum in" in response.content.decode()


def test_milestone_counts_per_theme_add_up_and_count_the_overdue():
    _record(WALLET_PILOT, "delivered", datetime.date(2026, 11, 1))
    _record("LZD-RC-2026-2", "delayed", datetime.date(2026, 11, 1))
    rows = {row["theme"]: row for row in queries.milestone_counts_by_theme(today=NEW_YEAR_2027)}
    lzd = rows["leren-zonder-drempels"]
    total = Milestone.objects.filter(line__theme__code="leren-zonder-drempels").count()
    assert lzd["total"] == total
    assert sum(lzd[s] for s in Milestone.Status.values) == total
    assert (lzd["delivered"], lzd["delayed"]) == (1, 1)
    expected_overdue = Milestone.objects.filter(
        line__theme__code="leren-zonder-drempels", due_date__lt=NEW_YEAR_2027
    ).exclude(status__in=["delivered", "dropped"])
    assert lzd["overdue"] == expected_overdue.count() > 0
    assert rows["digitale-soevereiniteit"]["total"] == 0
    assert sum(row["total"] for row in rows.values()) == Milestone.objects.count()
    assert queries.milestone_counts_by_theme()[0]["overdue"] is None


def test_the_target_page_lists_the_milestones_that_serve_it(client):
    html = client.get("/doelen/LZD-WALLET/").content.decode()
    for milestone in SectorTarget.objects.get(code="LZD-WALLET").milestones.all():
        assert f'href="/mijlpalen/{milestone.code}/"' in html
    assert "Mijlpalen die bijdragen" in html


def test_the_milestone_page_shows_its_history_and_only_staff_get_the_form(
    client, sector_staff, council
):
    _record(WALLET_PILOT, "started", datetime.date(2026, 3, 1), reason="Proeftuin begonnen")
    html = client.get(f"/mijlpalen/{WALLET_PILOT}/").content.decode()
    assert "Proeftuin begonnen" in html and "Status vastleggen" not in html
    client.force_login(council)
    assert "Status vastleggen" not in client.get(f"/mijlpalen/{WALLET_PILOT}/").content.decode()
    client.force_login(sector_staff)
    assert "Status vastleggen" in client.get(f"/mijlpalen/{WALLET_PILOT}/").content.decode()


def test_staff_record_a_change_by_post_and_a_bad_one_is_shown(client, sector_staff, council):
    url = f"/mijlpalen/{WALLET_PILOT}/status/"
    data = {"status": "started", "changed_on": "2026-03-01", "reason": "Begonnen"}
    client.force_login(council)
    assert client.post(url, data).status_code == 403
    client.force_login(sector_staff)
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == f"/mijlpalen/{WALLET_PILOT}/#geschiedenis"
    change = MilestoneStatusChange.objects.get()
    assert (change.status, change.recorded_by) == ("started", sector_staff)
    refused = client.post(url, {"status": "delivered", "changed_on": "2026-02-01", "reason": "x"})
    assert refused.status_code == 422
    assert "De laatste wijziging is van 2026-03-01" in refused.content.decode()
    assert MilestoneStatusChange.objects.count() == 1


def test_the_api_gives_lead_contributors_layers_targets_and_counts(client):
    milestone = client.get(f"/api/v1/milestones/{WALLET_PILOT}/").json()
    assert milestone["lead_partner"] == "npuls"
    assert "npuls" not in milestone["owners"] and "surf" in milestone["owners"]
    assert milestone["layers"] == ["student"]
    assert milestone["targets"] == ["LZD-WALLET", "LZD-KLEINE-EENHEDEN"]
    assert milestone["due_date"] == "2026-12-31"
    led = client.get("/api/v1/milestones/", {"partner": "npuls", "limit": 200}).json()
    assert WALLET_PILOT in {m["code"] for m in led["results"]}
    counts = client.get("/api/v1/milestones/counts/").json()
    assert counts[0]["theme"] == "doorlopend-het-beste-onderwijs"
    assert sum(row["total"] for row in counts) == Milestone.objects.count()
    target = client.get("/api/v1/targets/LZD-WALLET/").json()
    assert WALLET_PILOT in target["milestones"] and target["layers"] == ["student"]
