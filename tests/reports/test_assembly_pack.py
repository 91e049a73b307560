"""The assembly pack: figures frozen as of a round's end, and "since the last assembly".

Two assemblies in 2024, before every milestone's due date, so that only the changes the tests
make show up: a milestone target reached between the two, a milestone due later, another one
delayed, institution C starting and institution B stopping to report.
"""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators.models import StatusOverride
from institutions.models import Answer, Institution
from reports import assembly
from reports.models import AssemblyPack
from rounds.models import Round
from themes.models import Milestone, MilestoneStatusChange, SectorTarget

pytestmark = pytest.mark.django_db

FIRST_END = datetime.date(2024, 2, 29)
SECOND_END = datetime.date(2024, 7, 31)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _closed_round(name, opens_on, closes_on, assembly_on, targets) -> Round:
    round = Round.objects.create(
        name=name, opens_on=opens_on, closes_on=closes_on, assembly_on=assembly_on
    )
    round.targets.set(targets)
    round.closed_at = timezone.make_aware(datetime.datetime.combine(closes_on, datetime.time(17)))
    round.save()
    return round


def _answer(institution, target, applies_on, status="gepland"):
    return Answer.objects.create(
        institution=institution, target=target, status=status, applies_on=applies_on
    )


@pytest.fixture
def institution_c(db):
    return Institution.objects.create(
        code="33CC", name="ROC Nieuwstad", kind="roc", region="West",
        active_from=datetime.date(2020, 1, 1),
    )  # fmt: skip


@pytest.fixture
def delivered_target(db):
    """A milestone target (set by staff, not answered): reached between the two assemblies."""
    return SectorTarget.objects.create(
        code="TEST-MIJLPAALDOEL", title="Het sectorbrede afsprakenkader is vastgesteld",
        measure=SectorTarget.Measure.MILESTONE, goal_value=100, unit="",
        deadline=datetime.date(2027, 12, 31),
    )  # fmt: skip


@pytest.fixture
def two_rounds(wallet, nba):
    first = _closed_round(
        "Voorjaar 2024", datetime.date(2024, 1, 1), FIRST_END, datetime.date(2024, 3, 20),
        [wallet, nba],
    )  # fmt: skip
    second = _closed_round(
        "Zomer 2024", datetime.date(2024, 6, 1), SECOND_END, datetime.date(2024, 9, 20),
        [wallet, nba],
    )  # fmt: skip
    return first, second


def _freeze(round, user) -> AssemblyPack:
    pack = AssemblyPack.objects.create(round=round, requested_by=user)
    return assembly.freeze_pack(pack.pk)


@pytest.fixture
def two_packs(
    two_rounds, wallet, institution_a, institution_b, institution_c, delivered_target,
    sector_staff,
):  # fmt: skip
    first, second = two_rounds
    # A reports in both rounds, B only in the first (stopped), C only in the second (started).
    _answer(institution_a, wallet, datetime.date(2024, 1, 15))
    _answer(institution_b, wallet, datetime.date(2024, 1, 20))
    _answer(institution_a, wallet, datetime.date(2024, 6, 10))
    _answer(institution_c, wallet, datetime.date(2024, 6, 12))
    slipping, delaying = Milestone.objects.order_by("code")[:2]
    # An override in force at both freezes: in both packs, so no change.
    StatusOverride.objects.create(
        target=wallet, status="op_koers", reason="De cijfers lopen achter op de praktijk.",
        starts_on=timezone.localdate(), ends_on=timezone.localdate() + datetime.timedelta(days=30),
        set_by=sector_staff,
    )  # fmt: skip
    first_pack = _freeze(first, sector_staff)

    # Between the assemblies: the milestone target is reached, one milestone is due later,
    # another is recorded as delayed.
    delivered_target.reached_on = datetime.date(2024, 5, 1)
    delivered_target.save()
    Milestone.objects.filter(pk=slipping.pk).update(
        due_date=slipping.due_date + datetime.timedelta(days=90)
    )
    MilestoneStatusChange.objects.create(
        milestone=delaying, status=Milestone.Status.DELAYED, previous_status=delaying.status,
        changed_on=datetime.date(2024, 7, 1), reason="Leverancier later", recorded_by=sector_staff,
    )  # fmt: skip
    second_pack = _freeze(second, sector_staff)
    return {
        "first": first_pack,
        "second": second_pack,
        "slipping": slipping,
        "delaying": delaying,
        "delivered_target": delivered_target,
    }


def test_the_pack_freezes_figures_milestones_institutions_and_rate(
    two_packs, wallet, institution_a, institution_b
):
    pack = two_packs["first"]
    assert pack.state == AssemblyPack.State.DONE
    assert pack.as_of == FIRST_END
    assert pack.figures_use == "all"
    figure = pack.figures[wallet.code]
    assert (figure["answered"], figure["active"]) == (2, 3)  # A and B of A, B, C
    assert figure["value"] == 0.0  # both answered "gepland"
    assert figure["override"]["status"] == "op_koers"
    assert pack.figures[two_packs["delivered_target"].code]["status"] == "nog_niet_behaald"
    assert [i["code"] for i in pack.institutions] == ["22BB", "11AA"]  # by name
    assert pack.rate["total"]["expected"] == 3
    assert pack.milestones[two_packs["slipping"].code]["due_date"] == (
        two_packs["slipping"].due_date.isoformat()
    )
    assert pack.previous is None
    assert pack.since["previous"] is None


def test_since_the_last_assembly_lists_exactly_the_changes(two_packs):
    pack = two_packs["second"]
    since = pack.since
    target = two_packs["delivered_target"]
    slipping, delaying = two_packs["slipping"], two_packs["delaying"]
    assert pack.previous == two_packs["first"]
    assert since["previous"]["round"] == "Voorjaar 2024"
    assert since["status_changes"] == [
        {
            "code": target.code,
            "title": target.title,
            "old": "nog_niet_behaald",
            "new": "gerealiseerd",
        }
    ]
    assert [(m["code"], m["reasons"]) for m in since["slipped"]] == sorted(
        [(slipping.code, ["later"]), (delaying.code, ["delayed"])],
        key=lambda row: list(pack.milestones).index(row[0]),
    )
    later = next(m for m in since["slipped"] if m["code"] == slipping.code)
    assert later["old_due"] == slipping.due_date.isoformat()
    assert later["new_due"] == (slipping.due_date + datetime.timedelta(days=90)).isoformat()
    assert since["started"] == [{"code": "33CC", "name": "ROC Nieuwstad"}]
    assert since["stopped"] == [{"code": "22BB", "name": "AOC Schetsburg"}]


def _pdf_text(pack) -> str:
    with pack.pdf.open("rb") as handle:
        return _text_of_pdf(handle.read())


def _text_of_pdf(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_the_pdf_says_what_changed_since_the_last_assembly(two_packs):
    text = _pdf_text(two_packs["second"])
    assert "Sinds de vorige vergadering" in text
    assert "Vergeleken met het vergaderstuk van ronde Voorjaar 2024" in text
    assert "Cijfers op basis van alle antwoorden" in text
    assert two_packs["delivered_target"].code in text
    assert "nog niet behaald" in text and "gerealiseerd" in text
    assert two_packs["slipping"].code in text and "later opgeleverd" in text
    assert two_packs["delaying"].code in text and "vertraagd" in text
    started = text.index("Begonnen met melden")
    stopped = text.index("Gestopt met melden")
    assert "ROC Nieuwstad (33CC)" in text[started:stopped]
    assert "AOC Schetsburg (22BB)" in text[stopped:]
    first = _pdf_text(two_packs["first"])
    assert "Dit is het eerste vergaderstuk" in first


def test_the_workbook_lists_the_same_changes(two_packs):
    with two_packs["second"].xlsx.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames == [
        "Samenvatting", "Sinds vorige vergadering", "Sectordoelen", "Mijlpalen", "Instellingen",
    ]  # fmt: skip
    rows = list(workbook["Sinds vorige vergadering"].iter_rows(min_row=2, values_only=True))
    by_kind = {}
    for kind, code, *_rest in rows:
        by_kind.setdefault(kind.split(" (")[0], []).append(code)
    assert by_kind == {
        "Status gewijzigd": [two_packs["delivered_target"].code],
        "Mijlpaal verschoven": [m["code"] for m in two_packs["second"].since["slipped"]],
        "Begonnen met melden": ["33CC"],
        "Gestopt met melden": ["22BB"],
    }
    status_row = next(r for r in rows if r[0] == "Status gewijzigd")
    assert status_row[3:] == ("nog niet behaald", "gerealiseerd")
    summary = {r[0]: r[1] for r in workbook["Samenvatting"].iter_rows(min_row=4, values_only=True)}
    assert summary["Cijfers"] == "Cijfers op basis van alle antwoorden"
    assert summary["Vergeleken met"] == "Voorjaar 2024"


def test_frozen_is_stored_not_recomputed(two_packs, wallet, institution_a):
    pack = two_packs["first"]
    before = dict(pack.figures)
    pdf_name = pack.pdf.name
    # An answer dated in the first round, entered later: the pack does not change.
    _answer(institution_a, wallet, datetime.date(2024, 2, 1), status="gerealiseerd")
    again = assembly.freeze_pack(pack.pk)
    again.refresh_from_db()
    assert again.figures == before
    assert again.figures[wallet.code]["value"] == 0.0
    assert again.pdf.name == pdf_name


def test_a_failed_freeze_keeps_no_files_and_says_why(wallet, sector_staff):
    open_round = Round.objects.create(
        name="Nog open", opens_on=datetime.date(2024, 1, 1), closes_on=datetime.date(2024, 2, 1),
        assembly_on=datetime.date(2024, 3, 1),
    )  # fmt: skip
    pack = AssemblyPack.objects.create(round=open_round, requested_by=sector_staff)
    with pytest.raises(assembly.AssemblyError):
        assembly.freeze_pack(pack.pk)
    pack.refresh_from_db()
    assert pack.state == AssemblyPack.State.FAILED
    assert "niet gesloten" in pack.error
    assert not pack.pdf and not pack.xlsx


# --- The page -------------------------------------------------------------------------------


def test_the_council_freezes_a_closed_round_and_the_task_is_enqueued_after_commit(
    client, council, two_rounds, django_capture_on_commit_callbacks, monkeypatch
):
    first, _second = two_rounds
    sent = []
    monkeypatch.setattr(
        "roadmap.lib.jobs.send_task_safely", lambda name, *args: sent.append((name, args)) or True
    )
    client.force_login(council)
    page = client.get("/rapportages/vergaderstukken/")
    assert page.status_code == 200
    assert "Cijfers bevriezen en vergaderstuk maken" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/rapportages/vergaderstukken/", {"round": first.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/rapportages/vergaderstukken/{first.pk}/"
    pack = AssemblyPack.objects.get(round=first)
    assert (pack.state, pack.requested_by) == (AssemblyPack.State.QUEUED, council)
    assert sent == [("reports.freeze_assembly_pack", (pack.pk,))]
    # Asked twice: refused with a clear reason, nothing new.
    again = client.post("/rapportages/vergaderstukken/", {"round": first.pk})
    assert again.status_code == 422
    assert "Kies een gesloten ronde zonder vergaderstuk" in again.content.decode()
    assert AssemblyPack.objects.count() == 1


def test_an_open_round_cannot_be_frozen(client, council, open_round):
    client.force_login(council)
    response = client.post("/rapportages/vergaderstukken/", {"round": open_round.pk})
    assert response.status_code == 422
    assert "Kies een gesloten ronde zonder vergaderstuk" in response.content.decode()
    assert not AssemblyPack.objects.exists()


def test_the_pack_page_shows_the_frozen_pack_and_downloads(client, council, two_packs):
    second = two_packs["second"]
    client.force_login(council)
    page = client.get(f"/rapportages/vergaderstukken/{second.round_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Sinds de vorige vergadering" in html
    assert "ROC Nieuwstad (33CC)" in html
    assert "Cijfers op basis van alle antwoorden" in html
    pdf = client.get(f"/rapportages/vergaderstukken/{second.round_id}.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    xlsx = client.get(f"/rapportages/vergaderstukken/{second.round_id}.xlsx")
    assert xlsx.status_code == 200
    assert "vergaderstuk-2024-09-20.xlsx" in xlsx["Content-Disposition"]
    assert client.get(f"/rapportages/vergaderstukken/{second.round_id}.csv").status_code == 404


def test_a_pack_being_made_shows_its_state_and_no_download(client, sector_staff, two_rounds):
    first, _second = two_rounds
    AssemblyPack.objects.create(round=first, requested_by=sector_staff)
    client.force_login(sector_staff)
    page = client.get(f"/rapportages/vergaderstukken/{first.pk}/")
    assert "worden bevroren" in page.content.decode()
    assert client.get(f"/rapportages/vergaderstukken/{first.pk}.pdf").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"), [("cio_a", 403), ("viewer_a", 403), ("anonymous", "login")]
)
def test_only_the_council_and_staff_see_the_packs(client, request, two_packs, role, expected):
    round_id = two_packs["second"].round_id
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for path in (
        "/rapportages/vergaderstukken/",
        f"/rapportages/vergaderstukken/{round_id}/",
        f"/rapportages/vergaderstukken/{round_id}.pdf",
    ):
        response = client.get(path)
        if expected == "login":
            assert response.status_code == 302 and "/account/login/" in response["Location"]
        else:
            assert response.status_code == expected
    assert client.post("/rapportages/vergaderstukken/", {"round": round_id}).status_code in (
        302,
        403,
    )
    assert AssemblyPack.objects.count() == 2


@pytest.mark.parametrize(
    ("role", "sees_link"), [("council", True), ("sector_staff", True), ("cio_a", False)]
)
def test_the_reports_page_leads_the_council_and_staff_to_the_packs(
    client, request, role, sees_link
):
    """The council cannot open the rounds pages: the reports page is where it finds the packs."""
    client.force_login(request.getfixturevalue(role))
    html = client.get("/rapportages/").content.decode()
    assert ('href="/rapportages/vergaderstukken/"' in html) is sees_link


def test_the_packs_first_addresses_redirect_for_bookmarks(client, council):
    """The packs lived under /beheer/ while the rounds app made them: those addresses redirect
    permanently to the pages under /rapportages/, for everyone (the page itself checks who)."""
    for old, new in (
        ("/beheer/vergaderstukken/", "/rapportages/vergaderstukken/"),
        ("/beheer/rondes/7/vergaderstuk/", "/rapportages/vergaderstukken/7/"),
        ("/beheer/rondes/7/vergaderstuk.pdf", "/rapportages/vergaderstukken/7.pdf"),
        ("/beheer/rondes/7/vergaderstuk.xlsx", "/rapportages/vergaderstukken/7.xlsx"),
    ):
        anonymous = client.get(old)
        assert (anonymous.status_code, anonymous["Location"]) == (301, new)
    client.force_login(council)
    response = client.get("/beheer/vergaderstukken/?x=1")
    assert (response.status_code, response["Location"]) == (
        301,
        "/rapportages/vergaderstukken/?x=1",
    )
    # A form still posting to the old address is refused, not silently redirected as a GET.
    assert client.post("/beheer/vergaderstukken/", {"round": 7}).status_code == 405


# --- The download in the reader's language ----------------------------------------------------


def _download(client, round_id, extension) -> bytes:
    response = client.get(f"/rapportages/vergaderstukken/{round_id}.{extension}")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_downloads_are_in_the_readers_language_with_the_same_figures(
    client, council, two_packs
):
    second = two_packs["second"]
    client.force_login(council)
    dutch_pdf = _text_of_pdf(_download(client, second.round_id, "pdf"))
    assert "Vergaderstuk ledenvergadering 20 september 2024" in dutch_pdf
    with second.pdf.open("rb") as stored:  # Dutch: the stored file itself
        assert _download(client, second.round_id, "pdf") == stored.read()

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english_pdf = _text_of_pdf(_download(client, second.round_id, "pdf"))
    assert "Assembly pack, members' assembly of 20 September 2024" in english_pdf
    assert "Since the last assembly" in english_pdf
    assert "Vergaderstuk ledenvergadering" not in english_pdf
    assert "ROC Nieuwstad (33CC)" in english_pdf  # the frozen content is the same
    workbook = load_workbook(io.BytesIO(_download(client, second.round_id, "xlsx")))
    assert workbook.sheetnames[0] == "Summary"
    assert workbook["Summary"]["A1"].value.startswith("Assembly pack, members' assembly of")
    rows = list(workbook[workbook.sheetnames[2]].iter_rows(min_row=2, values_only=True))
    dutch = load_workbook(io.BytesIO(_download_stored(second)))
    dutch_rows = list(dutch["Sectordoelen"].iter_rows(min_row=2, values_only=True))

    # The same targets and numbers; only the words (labels, milestone values) differ.
    def numbers(row):
        return [row[1], *(v for v in row[2:] if isinstance(v, int | float))]

    assert [numbers(r) for r in rows] == [numbers(r) for r in dutch_rows]
    assert AssemblyPack.objects.get(pk=second.pk).pdf.name == second.pdf.name


def _download_stored(pack) -> bytes:
    with pack.xlsx.open("rb") as handle:
        return handle.read()


def test_the_pack_keeps_the_route_order_whatever_order_the_database_gives_its_keys(two_packs):
    """PostgreSQL's jsonb gives an object's keys back shortest first, not as written: the pack
    orders its targets and milestones by the position it stored with each."""
    pack = two_packs["second"]
    route_targets = [t["code"] for t in assembly.pack_view(pack)["targets"]]
    route_milestones = [m["code"] for m in assembly.pack_view(pack)["milestones"]]
    assert route_targets == [target.code for target in assembly.route_targets()]
    # As a database that keeps keys its own way would give them back.
    pack.figures = dict(sorted(pack.figures.items(), key=lambda item: (len(item[0]), item[0])))
    pack.milestones = dict(reversed(list(pack.milestones.items())))
    assert list(pack.figures) != route_targets
    assert [t["code"] for t in assembly.pack_view(pack)["targets"]] == route_targets
    assert [m["code"] for m in assembly.pack_view(pack)["milestones"]] == route_milestones
