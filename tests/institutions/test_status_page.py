"""The CIO's status page: answering, confirming, conflicts, history, reviews."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from institutions.models import Answer, AnswerReview
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

EDIT_URL = "/instellingen/11AA/doelen/{code}/bewerken/?theme={theme}"
PREFIX = "{theme}-{code}"


def _post_answer(
    client, code, value, *, theme="leren-zonder-drempels", version=0, htmx=False, **extra
):
    prefix = PREFIX.format(theme=theme, code=code)
    data = {"theme": theme, f"{prefix}-value": value, f"{prefix}-version": version}
    data.update({f"{prefix}-{k}": v for k, v in extra.items()})
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(EDIT_URL.format(code=code, theme=theme), data, headers=headers)


def test_the_cio_sees_every_answerable_target_grouped_by_theme(
    client, cio_a, django_assert_max_num_queries
):
    client.force_login(cio_a)
    with django_assert_max_num_queries(20):
        response = client.get("/instellingen/11AA/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    assert "ROC Proefwijk" in html
    answerable = SectorTarget.objects.exclude(measure="milestone")
    for target in answerable:
        assert f"<code>{target.code}</code>" in html
    # Milestone targets are set by staff, not answered per institution.
    assert "<code>DBO-NETWERK</code>" not in html
    # The shared target stands under both of its themes.
    assert html.count("<code>DBO-CTL</code>") == 2


def test_the_status_page_query_count_does_not_grow_with_answers(
    client, cio_a, institution_a, django_assert_max_num_queries
):
    today = timezone.localdate()
    Answer.objects.bulk_create(
        [
            Answer(
                institution=institution_a,
                target=t,
                status="gepland",
                applies_on=today - datetime.timedelta(days=d),
            )
            for t in SectorTarget.objects.filter(measure="share_adopted")
            for d in range(5)
        ]
    )
    client.force_login(cio_a)
    with django_assert_max_num_queries(20):
        assert client.get("/instellingen/11AA/").status_code == 200


def test_saving_an_answer_without_javascript(client, cio_a):
    client.force_login(cio_a)
    response = _post_answer(
        client,
        "LZD-WALLET",
        "in_uitvoering",
        explanation="Pilot loopt",
        evidence_url="https://example.org/plan",
    )
    assert response.status_code == 302
    assert response["Location"] == "/instellingen/11AA/#target-leren-zonder-drempels-LZD-WALLET"
    answer = Answer.objects.get(target__code="LZD-WALLET")
    assert (answer.status, answer.explanation, answer.evidence_url) == (
        "in_uitvoering",
        "Pilot loopt",
        "https://example.org/plan",
    )
    assert answer.applies_on == timezone.localdate()
    assert answer.entered_by == cio_a
    page = client.get("/instellingen/11AA/").content.decode()
    assert "in uitvoering" in page and "Antwoord op LZD-WALLET opgeslagen." in page


def test_saving_with_htmx_returns_the_updated_row(client, cio_a):
    client.force_login(cio_a)
    response = _post_answer(
        client, "CYB-NBA-GEMIDDELD", "2,7", theme="cyberweerbaarheid", htmx=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<article")
    assert "2,7" in html and "Opgeslagen." in html
    assert Answer.objects.get(target__code="CYB-NBA-GEMIDDELD").score == Decimal("2.7")


@pytest.mark.parametrize(
    ("code", "theme", "value", "message"),
    [
        (
            "CYB-NBA-GEMIDDELD",
            "cyberweerbaarheid",
            "5,5",
            "De score moet tussen 0,0 en 5,0 liggen.",
        ),
        ("CYB-NBA-GEMIDDELD", "cyberweerbaarheid", "2,55", "hoogstens één decimaal"),
        ("CYB-NBA-GEMIDDELD", "cyberweerbaarheid", "NaN", "is geen getal"),
        ("DBO-EDU-V", "doorlopend-het-beste-onderwijs", "-3", "tussen 0 en 100"),
        ("LZD-WALLET", "leren-zonder-drempels", "misschien", "Selecteer een geldige keuze"),
    ],
)
def test_invalid_values_are_refused_inline_and_nothing_is_saved(
    client, cio_a, code, theme, value, message
):
    client.force_login(cio_a)
    response = _post_answer(client, code, value, theme=theme, htmx=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Answer.objects.exists()


def test_a_future_date_and_a_javascript_link_are_refused(client, cio_a):
    client.force_login(cio_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post_answer(
        client,
        "LZD-WALLET",
        "gepland",
        applies_on=tomorrow.isoformat(),
        evidence_url="javascript:alert(1)",
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "De datum mag niet in de toekomst liggen." in html
    assert "Alleen links die met http:// of https:// beginnen." in html
    assert not Answer.objects.exists()


def test_the_later_of_two_simultaneous_saves_is_refused_with_the_other_answer(
    client, cio_a, institution_a
):
    from institutions.models import Membership

    colleague = type(cio_a).objects.create_user(
        "colleague@a.example", "colleague@a.example", "pw-colleague-123", first_name="Collega"
    )
    Membership.objects.create(user=colleague, institution=institution_a, role="editor")

    # Both open the form at version 0.
    client.force_login(colleague)
    assert _post_answer(client, "LZD-WALLET", "gerealiseerd", version=0).status_code == 302
    client.force_login(cio_a)
    response = _post_answer(client, "LZD-WALLET", "gepland", version=0, htmx=True)

    html = response.content.decode()
    assert "Iemand anders heeft dit antwoord intussen gewijzigd." in html
    assert "Collega" in html and "gerealiseerd" in html
    assert list(Answer.objects.values_list("status", flat=True)) == ["gerealiseerd"]
    # The form now carries the new version: saving again deliberately replaces it.
    assert 'value="1"' in html
    assert _post_answer(client, "LZD-WALLET", "gepland", version=1).status_code == 302
    assert Answer.objects.count() == 2


def test_confirming_a_theme_repeats_its_answers_as_valid_today(client, cio_a, institution_a):
    old = timezone.localdate() - datetime.timedelta(days=300)
    for code in ("LZD-WALLET", "CYB-NBA-GEMIDDELD"):
        target = SectorTarget.objects.get(code=code)
        values = {"status": "gepland"} if code == "LZD-WALLET" else {"score": "2.5"}
        Answer.objects.create(institution=institution_a, target=target, applies_on=old, **values)
    client.force_login(cio_a)
    page = client.get("/instellingen/11AA/").content.decode()
    assert "verouderd" in page

    response = client.post("/instellingen/11AA/bevestigen/", {"theme": "leren-zonder-drempels"})
    assert response.status_code == 302
    confirmed = Answer.objects.filter(source="confirmation")
    assert [a.target.code for a in confirmed] == ["LZD-WALLET"]
    assert confirmed[0].applies_on == timezone.localdate() and confirmed[0].status == "gepland"

    client.post("/instellingen/11AA/bevestigen/", {})
    assert Answer.objects.filter(source="confirmation").count() == 3


def test_history_shows_every_answer_and_staff_reviews(client, cio_a, sector_staff, institution_a):
    target = SectorTarget.objects.get(code="LZD-WALLET")
    first = Answer.objects.create(
        institution=institution_a,
        target=target,
        status="gepland",
        applies_on=datetime.date(2026, 2, 1),
    )
    Answer.objects.create(
        institution=institution_a,
        target=target,
        status="gerealiseerd",
        applies_on=datetime.date(2026, 5, 1),
    )

    client.force_login(sector_staff)
    response = client.post(
        f"/instellingen/11AA/antwoorden/{first.pk}/beoordelen/",
        {"decision": "revisit", "comment": ""},
    )
    assert response.status_code == 302
    assert not AnswerReview.objects.exists()  # a revisit needs a comment
    latest = Answer.objects.order_by("-applies_on").first()
    client.post(
        f"/instellingen/11AA/antwoorden/{latest.pk}/beoordelen/",
        {"decision": "revisit", "comment": "Graag een link naar het besluit."},
    )
    assert AnswerReview.objects.get().reviewed_by == sector_staff

    client.force_login(cio_a)
    history = client.get("/instellingen/11AA/doelen/LZD-WALLET/geschiedenis/").content.decode()
    assert history.index("gerealiseerd") < history.index("gepland")  # newest first
    assert "Graag een link naar het besluit." in history
    status = client.get("/instellingen/11AA/").content.decode()
    assert "Verzoek van de sectorstaf:" in status


def test_a_cio_cannot_review_answers(client, cio_a, institution_a):
    answer = Answer.objects.create(
        institution=institution_a,
        target=SectorTarget.objects.get(code="LZD-WALLET"),
        status="gepland",
        applies_on=datetime.date(2026, 2, 1),
    )
    client.force_login(cio_a)
    response = client.post(
        f"/instellingen/11AA/antwoorden/{answer.pk}/beoordelen/", {"decision": "approved"}
    )
    assert response.status_code == 403
    assert not AnswerReview.objects.exists()


def test_milestone_targets_cannot_be_answered(client, cio_a):
    client.force_login(cio_a)
    assert client.get("/instellingen/11AA/doelen/DBO-NETWERK/bewerken/").status_code == 404


def test_after_login_a_cio_lands_on_their_status_page(client, cio_a):
    response = client.post(
        "/account/login/", {"username": "cio@a.example", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).url == "/instellingen/11AA/"


def test_after_login_staff_land_on_the_overview(client, sector_staff):
    client.force_login(sector_staff)
    assert client.get("/mijn/").url == "/instellingen/"


def test_the_overview_shows_who_has_not_reported(
    client, sector_staff, institution_a, institution_b
):
    Answer.objects.create(
        institution=institution_a,
        target=SectorTarget.objects.get(code="LZD-WALLET"),
        status="gepland",
        applies_on=timezone.localdate(),
    )
    client.force_login(sector_staff)
    html = client.get("/instellingen/").content.decode()
    row_b = html[html.index("AOC Schetsburg") :]
    assert "nooit gemeld" in row_b[: row_b.index("</tr>")]


def test_a_share_at_least_target_says_its_threshold(client, cio_a):
    """ "Aandeel instellingen met minimaal een score" left out which score: 3,0 for the NBA."""
    client.force_login(cio_a)
    html = client.get("/instellingen/11AA/").content.decode()
    row = html[html.index("<code>CYB-NBA-INDIVIDUEEL</code>") :]
    row = row[: row.index("</article>")]
    assert "aandeel instellingen met minimaal score 3,0" in row
    assert "doel 100%" in row
    # The other measures keep their label, with the goal in its unit.
    mean = html[html.index("<code>CYB-NBA-GEMIDDELD</code>") :]
    assert "gemiddelde score · doel 3,0 NBA-niveau" in mean[: mean.index("</article>")]


def test_dates_are_written_the_dutch_way(client, cio_a, institution_a):
    """ "31 dec 2028", not Django's English-looking "31 Dec 2028", on the status page, the
    history and the overview."""
    client.force_login(cio_a)
    Answer.objects.create(
        institution=institution_a,
        target=SectorTarget.objects.get(code="LZD-WALLET"),
        status="gerealiseerd",
        applies_on=datetime.date(2026, 3, 15),
        entered_by=cio_a,
    )
    html = client.get("/instellingen/11AA/").content.decode()
    history = client.get("/instellingen/11AA/doelen/LZD-WALLET/geschiedenis/").content.decode()
    assert "uiterlijk 31 dec 2028" in html and "geldt per 15 mrt 2026" in html
    for page in (html, history):
        assert not re.search(r"\d (Jan|Feb|Mar|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) 20\d\d", page)


def test_an_entered_answer_says_entered_and_a_confirmation_says_confirmed(
    client, cio_a, institution_a
):
    client.force_login(cio_a)
    wallet = SectorTarget.objects.get(code="LZD-WALLET")
    answer = Answer.objects.create(
        institution=institution_a, target=wallet, status="gepland",
        applies_on=datetime.date(2026, 3, 15), entered_by=cio_a,
    )  # fmt: skip
    row = client.get("/instellingen/11AA/").content.decode()
    assert "ingevoerd op" in row and "bevestigd op" not in row
    Answer.objects.filter(pk=answer.pk).update(source=Answer.Source.CONFIRMATION)
    row = client.get("/instellingen/11AA/").content.decode()
    assert "bevestigd op" in row and "ingevoerd op" not in row


def test_an_institution_that_stopped_is_not_called_stale(client, sector_staff, institution_a):
    """It stopped reporting because it stopped: "actief tot", not "verouderd"."""
    Answer.objects.create(
        institution=institution_a, target=SectorTarget.objects.get(code="LZD-WALLET"),
        status="gepland", applies_on=datetime.date(2025, 1, 15),
    )  # fmt: skip
    client.force_login(sector_staff)

    def row_of_a() -> str:
        html = client.get("/instellingen/").content.decode()
        row = html[html.index("ROC Proefwijk") :]
        return row[: row.index("</tr>")]

    assert "verouderd" in row_of_a()
    institution_a.active_to = datetime.date(2025, 6, 30)
    institution_a.save()
    assert "verouderd" not in row_of_a() and "actief tot 30 jun 2025" in row_of_a()
