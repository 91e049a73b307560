"""A round with "alleen goedgekeurde antwoorden": its frozen figures count only the answers of
institutions whose round staff approved (and whose answers did not change since)."""

import datetime

import pytest
from django.utils import timezone

from indicators.queries import answer_figures
from institutions.models import Answer
from reports import assembly
from reports.models import AssemblyPack
from rounds import queries
from rounds.models import FiguresUse, Round, RoundReview

pytestmark = pytest.mark.django_db

END = datetime.date(2024, 2, 29)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


@pytest.fixture
def approved_round(wallet, nba):
    round = Round.objects.create(
        name="Voorjaar 2024", opens_on=datetime.date(2024, 1, 1), closes_on=END,
        assembly_on=datetime.date(2024, 3, 20), figures_use=FiguresUse.APPROVED,
        closed_at=_at(END),
    )  # fmt: skip
    round.targets.set([wallet, nba])
    return round


@pytest.fixture
def answers(approved_round, wallet, nba, institution_a, institution_b, sector_staff):
    """A and B both answer the wallet in the round; A's score is from before the round (still
    valid at its end), B's in it. Staff approve A only."""

    def answer(institution, target, applies_on, **value):
        return Answer.objects.create(
            institution=institution, target=target, applies_on=applies_on,
            entered_at=_at(applies_on), **value,
        )  # fmt: skip

    answer(institution_a, nba, datetime.date(2023, 11, 1), score=2)
    answer(institution_a, wallet, datetime.date(2024, 1, 10), status="gerealiseerd")
    answer(institution_b, wallet, datetime.date(2024, 1, 12), status="gepland")
    answer(institution_b, nba, datetime.date(2024, 1, 12), score=4)
    RoundReview.objects.create(
        round=approved_round, institution=institution_a, decision="approved",
        reviewed_at=_at(datetime.date(2024, 3, 1)), reviewed_by=sector_staff,
    )  # fmt: skip


def test_only_approved_institutions_count(answers, approved_round, institution_a, institution_b):
    assert queries.approved_institution_ids(approved_round) == [institution_a.pk]


def test_an_approval_followed_by_a_change_in_the_round_no_longer_counts(
    answers, approved_round, wallet, institution_a
):
    Answer.objects.create(
        institution=institution_a, target=wallet, applies_on=datetime.date(2024, 2, 1),
        status="gepland", entered_at=_at(datetime.date(2024, 3, 5)),
    )  # fmt: skip
    assert queries.approved_institution_ids(approved_round) == []


def test_the_figures_read_only_the_given_institutions(answers, wallet, nba, institution_a):
    everyone = answer_figures([wallet.pk, nba.pk], [END], read_from=END)
    approved = answer_figures(
        [wallet.pk, nba.pk], [END], read_from=END, institution_ids=[institution_a.pk]
    )
    assert everyone[(wallet.pk, END)].answered == 2
    assert approved[(wallet.pk, END)].answered == 1
    assert approved[(wallet.pk, END)].status_counts["gerealiseerd"] == 1
    # A's earlier score, still valid at the round's end, counts; B's does not.
    assert everyone[(nba.pk, END)].mean_score == 3.0
    assert approved[(nba.pk, END)].mean_score == 2.0
    # The same through the interval join (a date that is not a month end nor the last).
    middle = datetime.date(2024, 2, 15)
    joined = answer_figures([wallet.pk], [middle, END], institution_ids=[institution_a.pk])
    assert joined[(wallet.pk, middle)].answered == 1
    assert answer_figures([wallet.pk], [END], institution_ids=[]) == {}


def test_the_pack_of_an_approved_only_round_excludes_unapproved_answers(
    answers, approved_round, wallet, nba, sector_staff
):
    pack = AssemblyPack.objects.create(round=approved_round, requested_by=sector_staff)
    pack = assembly.freeze_pack(pack.pk)
    assert pack.figures_use == FiguresUse.APPROVED
    wallet_figure, nba_figure = pack.figures[wallet.code], pack.figures[nba.code]
    assert (wallet_figure["answered"], wallet_figure["active"]) == (1, 2)
    assert wallet_figure["value"] == 50.0  # A realised, of the two active institutions
    assert nba_figure["value"] == 2.0
    assert pack.figures_basis == (
        "Cijfers op basis van alleen goedgekeurde antwoorden (ronde Voorjaar 2024)"
    )


def test_the_same_round_with_all_answers_counts_both(answers, approved_round, wallet, sector_staff):
    approved_round.figures_use = FiguresUse.ALL
    approved_round.save()
    pack = assembly.freeze_pack(
        AssemblyPack.objects.create(round=approved_round, requested_by=sector_staff).pk
    )
    assert pack.figures[wallet.code]["answered"] == 2
    assert pack.figures[wallet.code]["value"] == 50.0  # A realised, B planned
    assert pack.figures_basis == "Cijfers op basis van alle antwoorden"


def test_staff_set_the_basis_on_the_round_until_the_pack_is_made(
    client, approved_round, sector_staff
):
    client.force_login(sector_staff)
    page = client.get(f"/beheer/rondes/{approved_round.pk}/")
    assert "Cijfers op basis van alleen goedgekeurde antwoorden (ronde Voorjaar 2024)" in (
        page.content.decode()
    )
    response = client.post(
        f"/beheer/rondes/{approved_round.pk}/cijferbasis/", {"figures_use": "all"}
    )
    assert response.status_code == 302
    approved_round.refresh_from_db()
    assert approved_round.figures_use == FiguresUse.ALL
    bad = client.post(f"/beheer/rondes/{approved_round.pk}/cijferbasis/", {"figures_use": "x"})
    assert bad.status_code == 422
    assert "Kies alle antwoorden of alleen goedgekeurde antwoorden." in bad.content.decode()
    AssemblyPack.objects.create(round=approved_round, requested_by=sector_staff)
    refused = client.post(
        f"/beheer/rondes/{approved_round.pk}/cijferbasis/", {"figures_use": "approved"}
    )
    assert refused.status_code == 409
    approved_round.refresh_from_db()
    assert approved_round.figures_use == FiguresUse.ALL


def test_the_round_form_sets_the_basis(client, sector_staff, wallet):
    client.force_login(sector_staff)
    response = client.post(
        "/beheer/rondes/nieuw/",
        {
            "name": "Najaar", "opens_on": "2026-11-01", "closes_on": "2026-12-20",
            "assembly_on": "2027-01-20", "targets": [wallet.pk], "figures_use": "approved",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert Round.objects.get(name="Najaar").figures_use == FiguresUse.APPROVED


def test_a_failed_pack_leaves_the_basis_free_to_change(client, approved_round, sector_staff):
    """Only a pack made or being made fixes the basis; a failed one is asked again anyway."""
    AssemblyPack.objects.create(
        round=approved_round, requested_by=sector_staff, state=AssemblyPack.State.FAILED
    )
    client.force_login(sector_staff)
    response = client.post(
        f"/beheer/rondes/{approved_round.pk}/cijferbasis/", {"figures_use": "all"}
    )
    assert response.status_code == 302
    approved_round.refresh_from_db()
    assert approved_round.figures_use == FiguresUse.ALL
