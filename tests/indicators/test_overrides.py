"""Sector staff's judgement beside the computed progress, and the computed progress in words."""

import datetime

import pytest
from django.utils import timezone

from indicators.actions import recompute
from indicators.models import ProgressStatus, Snapshot, StatusOverride
from indicators.overrides import active_overrides, explain
from institutions.models import Answer
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/doelen/LZD-WALLET/"
SET = PAGE + "bijstellen/"


@pytest.fixture
def wallet(institution_a, institution_b):
    target = SectorTarget.objects.get(code="LZD-WALLET")
    for institution, status in ((institution_a, "gerealiseerd"), (institution_b, "gepland")):
        Answer.objects.create(
            institution=institution, target=target, status=status,
            applies_on=timezone.localdate() - datetime.timedelta(days=40),
        )  # fmt: skip
    recompute()
    return target


def _valid(**overrides) -> dict:
    ends = timezone.localdate() + datetime.timedelta(days=90)
    return {"status": "op_koers", "reason": "Drie instellingen staan op het punt te starten.",
            "ends_on": ends.isoformat()} | overrides  # fmt: skip


def test_staff_set_an_override_that_shows_beside_the_computed_status(client, sector_staff, wallet):
    computed = Snapshot.objects.filter(target=wallet).latest("as_of").status
    client.force_login(sector_staff)
    response = client.post(SET, _valid())
    assert response.status_code == 302 and response["Location"] == PAGE
    html = client.get(PAGE).content.decode()
    assert "Voortgang volgens de sectorstaf" in html and "Berekende voortgang" in html
    assert "Drie instellingen staan op het punt te starten." in html
    assert "De voortgang is bijgesteld." in html
    # The computed status is untouched, in storage and on the page.
    assert Snapshot.objects.filter(target=wallet).latest("as_of").status == computed
    assert str(ProgressStatus(computed).label) in html

    api = client.get(f"/api/v1/targets/{wallet.code}/").json()
    assert api["status"] == computed
    assert api["status_override"]["status"] == "op_koers"
    assert api["status_override"]["reason"] == "Drie instellingen staan op het punt te starten."
    assert api["status_override"]["set_by"]


def test_an_override_ends_on_its_end_date_and_can_be_withdrawn(client, sector_staff, wallet):
    client.force_login(sector_staff)
    client.post(SET, _valid())
    override = StatusOverride.objects.get()
    assert active_overrides([wallet], override.ends_on) == {wallet.pk: override}
    assert active_overrides([wallet], override.ends_on + datetime.timedelta(days=1)) == {}
    response = client.post(SET, {"withdraw": "1"})
    assert response.status_code == 302
    override.refresh_from_db()
    assert override.withdrawn_by == sector_staff and override.withdrawn_at is not None
    assert active_overrides([wallet]) == {}
    assert "Voortgang volgens de sectorstaf" not in client.get(PAGE).content.decode()
    assert client.get(f"/api/v1/targets/{wallet.code}/").json()["status_override"] is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"reason": "  "}, "reason", "Dit veld is vereist."),
        ({"ends_on": "2020-01-01"}, "ends_on", "De einddatum ligt in het verleden."),
        ({"ends_on": "2099-01-01"}, "ends_on", "hoogstens twee jaar"),
        ({"status": "te_weinig_antwoorden"}, "status", "Selecteer een geldige keuze"),
        ({"ends_on": "morgen"}, "ends_on", "Voer een geldige datum in"),
    ],
)
def test_a_bad_override_is_refused_with_the_field_and_saves_nothing(
    client, sector_staff, wallet, data, field, message
):
    client.force_login(sector_staff)
    response = client.post(SET, _valid(**data))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html or "errorlist" in html
    assert not StatusOverride.objects.exists()


def test_only_staff_may_override(client, cio_a, council, wallet):
    for person in (cio_a, council):
        client.force_login(person)
        assert client.post(SET, _valid()).status_code == 403
    client.logout()
    assert client.post(SET, _valid()).status_code == 302  # to the login page
    assert not StatusOverride.objects.exists()
    # Readers see no form.
    assert "Voortgang bijstellen" not in client.get(PAGE).content.decode()


def _snapshot(target, value, expected, status, projected=None, coverage=90.0):
    return Snapshot(
        target=target, as_of=datetime.date(2026, 11, 30), value=value, coverage=coverage,
        active_institutions=60, answered_institutions=54, expected_value=expected,
        status=status, projected_on=projected, computed_at=timezone.now(),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected", "status", "words"),
    [
        (15.3, 12.0, ProgressStatus.ON_TRACK, "15,3% ligt op of boven de verwachte waarde 12,0%"),
        (8.0, 12.0, ProgressStatus.MODERATE, "is 4,0% bereikt van de 8,0% die nu verwacht"),
        (5.0, 12.0, ProgressStatus.INSUFFICIENT, "minder dan de helft, onvoldoende voortgang"),
        (3.0, 12.0, ProgressStatus.DECLINING, "3,0% ligt onder het startpunt"),
        (31.0, 12.0, ProgressStatus.REACHED, "31,0% haalt het doel 30%"),
    ],
)
def test_the_computed_status_is_explained_from_its_inputs(value, expected, status, words):
    target = SectorTarget.objects.get(code="LZD-WALLET")
    baseline = _snapshot(target, 4.0, 4.0, ProgressStatus.ON_TRACK)
    baseline.as_of = datetime.date(2025, 11, 30)
    lines = explain(
        target,
        _snapshot(target, value, expected, status, projected=datetime.date(2028, 3, 3)),
        baseline,
    )
    assert lines[0] == (
        "Startpunt: 4,0% op 30 november 2025. Het benodigde tempo is een rechte lijn van daar "
        "naar 30% op 31 december 2028."
    )
    assert words in lines[1]
    assert lines[-1] == "In het tempo sinds het startpunt wordt het doel gehaald in maart 2028."


def test_the_target_page_says_how_its_status_was_computed(client, wallet):
    html = client.get(PAGE).content.decode()
    assert "Hoe deze voortgang is berekend" in html and "Startpunt:" in html
