"""The PDF report: its content in order, a tagged PDF in Dutch, vector charts, and data shown
as text, never as markup.

Writing the whole route's PDF takes a few seconds, so the sector report is written once for
this module (in a transaction that is rolled back) and each test reads the same file.
"""

import datetime
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from institutions.models import Answer, Institution
from reports.pdf import write_pdf
from reports.pdf_charts import series_chart_svg, trajectory
from reports.tables import build_report_data
from themes.models import SectorTarget, Theme

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
COMPARE_TO = date(2026, 3, 31)
GENERATED_AT = datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
HOSTILE = "<script>alert(1)</script>"


def _institution(code: str, name: str) -> Institution:
    return Institution.objects.create(
        code=code, name=name, kind="roc", active_from=date(2020, 1, 1)
    )


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _dehyphenate(text: str) -> str:
    """Words joined again where a line ended in a hyphenation hyphen."""
    return _collapse(re.sub(r"[-‐]\n", "", text))


@pytest.fixture(scope="module")
def sector_report(django_db_setup, django_db_blocker):
    """The sector report as of 30 June 2026: four institutions, of which two answered the wallet
    target recently, one long ago and one never (named like a script)."""
    with django_db_blocker.unblock(), transaction.atomic():
        wallet = SectorTarget.objects.get(code="LZD-WALLET")
        proefwijk, schetsburg = (
            _institution("11AA", "ROC Proefwijk"),
            _institution("22BB", "AOC Schetsburg"),
        )
        long_ago = _institution("33CC", "ROC Lang Geleden")
        _institution("44DD", HOSTILE)  # active, never answered
        for institution, status, applies_on in (
            (proefwijk, "gerealiseerd", date(2026, 3, 15)),
            (schetsburg, "gepland", date(2026, 3, 15)),
            (long_ago, "gerealiseerd", date(2025, 9, 1)),
        ):
            Answer.objects.create(
                institution=institution, target=wallet, status=status, applies_on=applies_on
            )
        data = build_report_data(as_of=AS_OF, compare_to=COMPARE_TO)
        content = write_pdf(data, generated_at=GENERATED_AT, generated_by="Sectorstaf <test>")
        expected = {
            "themes": list(Theme.objects.values_list("name", flat=True)),
            "targets": sorted(set(data.targets["target"])),
            "not_answered": sorted(data.not_answered["institution"]),
        }
        transaction.set_rollback(True)
    return content, expected


@pytest.fixture(scope="module")
def reader(sector_report) -> PdfReader:
    return PdfReader(io.BytesIO(sector_report[0]))


@pytest.fixture(scope="module")
def pages(reader) -> list[str]:
    """Each page's text, extracted once (pypdf takes ~0.1 s a page)."""
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def text(pages) -> str:
    return _collapse(" ".join(pages))


def test_it_is_a_pdf_with_a_cover_contents_and_the_dates(pages, text):
    first = _collapse(pages[0])
    assert "Voortgang mbo digitaliseringsroute" in first
    assert "Peildatum 30 juni 2026" in first and "Vergeleken met 31 maart 2026" in first
    assert "Gemaakt op 1 juli 2026, 11:30" in first  # local time (Europe/Amsterdam)
    assert "Sectorstaf <test>" in first and "Rapportage voor de sector" in first
    assert "Inhoud" in text and "Samenvatting per thema" in text
    # The footer on every page; the total is known only after the layout.
    for number, page in enumerate(pages, start=1):
        footer = _collapse(page)
        assert "Routekaart · peildatum 30 juni 2026 · gemaakt 1 juli 2026" in footer
        assert f"pagina {number} van {len(pages)}" in footer


def test_it_shows_every_theme_target_and_the_sector_value(text, sector_report):
    _, expected = sector_report
    for name in expected["themes"]:
        assert name in text
    for code in expected["targets"]:
        assert code in text
    # Two of four active institutions realised the wallet: 50,0%, unchanged since March.
    wallet = text[text.index("LZD-WALLET 30% van de mbo-instellingen") :]
    assert re.match(r".{0,400}?30% 31 dec 2028 50,0% 0,0 %-punt", wallet)
    assert "75% (3 van 4)" in wallet[:600]  # coverage: three of the four answered


def test_theme_tables_name_targets_by_their_text_with_the_code_below(pages, text):
    # Without whitespace: a line may break after the hyphen of "mbo-instellingen".
    bare = re.sub(r"\s+", "", " ".join(pages))
    for code in ("LZD-WALLET", "CYB-NBA-GEMIDDELD"):
        title = re.sub(r"\s+", "", SectorTarget.objects.get(code=code).title)
        # In the theme's overview table: the target's text first, then its code below it.
        assert f"{title}{code}" in bare, code
    assert "Sectordoel Streefwaarde Streefdatum Waarde Voortgang" in text


def test_a_dutch_report_has_no_english_words_or_raw_codes(pages):
    method_page = next(i for i, p in enumerate(pages) if "BIJLAGE A" in p)
    body = _collapse(" ".join(pages[:method_page]))
    # The method appendix is the website's own method page (templates/indicators/method.html).
    assert "deadline" not in body.lower()
    from indicators.models import ProgressStatus

    for status in ProgressStatus:
        if "_" in status.value:
            assert status.value not in body, status.value


def test_milestone_targets_read_reached_or_not_never_a_percentage(text):
    milestone = SectorTarget.objects.filter(
        measure="milestone", deadline__gt=AS_OF, reached_on__isnull=True
    ).first()
    section = text[text.index(f"{milestone.code} {_collapse(milestone.title)}") :][:500]
    assert re.match(r".{0,300}?behaald 31 dec \d{4} nog niet behaald — — ", section), section
    assert "0,0%" not in section.split("Dekking")[0]
    assert "Dit sectordoel is een mijlpaal" in section


def test_the_milestones_show_what_is_known_and_no_empty_column(pages):
    start = next(i for i, p in enumerate(pages) if "Mijlpalen 2026" in p and "De " in p)
    # Up to the next chapter: the delivery of milestones (overdue ones are "gepland").
    end = next(i for i, p in enumerate(pages) if "Oplevering van mijlpalen" in p and i > start)
    section = _dehyphenate("\n".join(pages[start:end]))
    assert "Mijlpalen 2026" in section
    # Every 2026 milestone of the route is "gepland": said once, not in a column on every row.
    assert "Alle mijlpalen hebben de status “gepland”." in section
    assert section.count("gepland") == 1
    # Per theme; the moment column only because some milestones have one.
    assert "Doorlopend het beste onderwijs" in section and "Mijlpaal Lijn Moment" in section


def test_it_lists_the_milestones_and_the_method(pages):
    text = _dehyphenate("\n".join(pages))
    assert "Mijlpalen 2026" in text and "gepland" in text
    assert "Bijlage A · Zo rekenen we" in text and "BIJLAGE A Zo rekenen we" in text
    assert "Dekking is het deel van de actieve instellingen dat een antwoord heeft gegeven" in text
    assert "Een antwoord ouder dan 183 dagen heet verouderd" in text
    assert "onvoldoende voortgang" in text and "benodigde tempo" in text
    # The minimum group size is named (the appendix once rendered without it: "minder dan  ").
    assert re.search(r"minder dan\s+\d+\s+antwoorden", text)


def test_it_names_institutions_without_a_recent_answer_but_shows_no_figures_of_theirs(
    text, sector_report
):
    _, expected = sector_report
    assert expected["not_answered"] == sorted([HOSTILE, "ROC Lang Geleden"])
    appendix = text[text.index("BIJLAGE B Instellingen zonder recent antwoord") :]
    assert "ROC Lang Geleden 1 sep 2025" in appendix
    # Escaped: the name is text in the PDF, not a script element that vanished from it.
    assert f"{HOSTILE} nooit" in appendix
    assert "ROC Proefwijk" not in text and "AOC Schetsburg" not in text


def test_it_is_tagged_in_dutch_with_metadata_and_described_figures(reader):
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "nl"
    assert reader.metadata.title.startswith("Voortgang mbo digitaliseringsroute")
    assert reader.metadata.author == "Routekaart"
    assert reader.metadata.creation_date.date() == date(2026, 7, 1)

    figures = [
        element
        for element in _struct_elements(catalog["/StructTreeRoot"])
        if element["/S"] == "/Figure"
    ]
    alts = [str(figure.get("/Alt", "")) for figure in figures]
    # A chart per target, except the milestone targets (reached or not: no line to draw).
    # (A target under two themes has its chart in both chapters.)
    charted = SectorTarget.themes.through.objects.exclude(sectortarget__measure="milestone")
    assert len(figures) == charted.count() and all(alts)
    wallet = next(alt for alt in alts if "LZD-WALLET" in alt)
    assert "50,0%" in wallet and "Streefwaarde 30%" in wallet


def test_charts_are_vector_graphics(reader, pages):
    images = [xobject for page in reader.pages for xobject in _xobjects(page)]
    assert not [x for x in images if x.get("/Subtype") == "/Image"]
    # Each chart is drawn as paths (a form XObject), its labels as text on the page.
    assert sum(x.get("/Subtype") == "/Form" for x in images) >= 25
    page = _collapse(next(p for p in pages if "Figuur 1." in p))
    # The deadline is the "streefdatum": in the chart and in its legend, never in English.
    assert "0% 10% 20% 30%" in page and page.count("streefdatum") >= 3
    assert "deadline" not in page.lower()


def test_an_institution_report_puts_its_own_answers_next_to_the_sector(
    institution_a, institution_b
):
    average = SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD")
    for institution, score in ((institution_a, "2.5"), (institution_b, "3.5")):
        Answer.objects.create(
            institution=institution, target=average, score=Decimal(score),
            applies_on=date(2026, 3, 15),
        )  # fmt: skip
    data = build_report_data(
        as_of=AS_OF, theme_codes=["cyberweerbaarheid"], institution=institution_a
    )
    reader = PdfReader(io.BytesIO(write_pdf(data, generated_at=GENERATED_AT, generated_by="CIO")))
    text = _collapse(" ".join(page.extract_text() for page in reader.pages))
    assert "Rapportage voor ROC Proefwijk" in text and "Instelling ROC Proefwijk (11AA)" in text
    assert "Thema’s Cyberweerbaarheid" in text and "Data & AI" not in text
    own = text[text.index("Uw antwoorden naast de sector Per sectordoel") :]
    # Its own score, the date it applies from, and the sector's mean of 2,5 and 3,5.
    # An answer keeps the target's unit, like the sector's figure next to it.
    assert re.search(r"CYB-NBA-GEMIDDELD 2,5 NBA-niveau 15 mrt 2026 3,0 NBA-niveau", own)
    assert "CYB-NBA-INDIVIDUEEL geen antwoord — 0,0%" in own
    # A score keeps its unit (the overview of the theme).
    assert (
        "Streefwaarde Streefdatum" in text and "3,0 NBA-niveau 31 dec 2029 3,0 NBA-niveau" in text
    )


# --- The chart on its own ----------------------------------------------------------------------


def _rows(values, answered=5):
    ends = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    return [
        {"date": day, "value": value, "answered": 0 if value is None else answered}
        for day, value in zip(ends, values, strict=True)
    ]


def test_the_chart_is_svg_with_its_text_as_text():
    svg = series_chart_svg(_rows([None, 10.0, 12.5, 20.0]), 30.0, date(2028, 12, 31), "%")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "<image" not in svg  # nothing rasterised
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "20,0%" in texts and "streefdatum " in texts and "2027" in texts
    assert not [t for t in texts if "deadline" in t]
    assert {"0%", "10%", "20%", "30%"} <= set(texts)
    assert 'width="453.543307pt" height="170.07874pt"' in svg  # 16 × 6 cm
    # The same data draws the same chart.
    assert svg == series_chart_svg(_rows([None, 10.0, 12.5, 20.0]), 30.0, date(2028, 12, 31), "%")


def test_the_chart_escapes_its_unit_and_draws_without_values():
    svg = series_chart_svg(_rows([None, None, None, None]), 3.0, date(2029, 12, 31), "<b>$x$</b>")
    assert "&lt;b&gt;$x$&lt;/b&gt;" in svg and "<b>" not in svg


def test_the_trajectory_starts_at_the_first_figure_with_answers():
    assert trajectory(_rows([None, 10.0, 12.5, 20.0]), 30, date(2028, 12, 31)) == (
        (date(2026, 2, 28), 10.0),
        (date(2028, 12, 31), 30),
    )
    assert trajectory(_rows([None, None, None, None]), 30, date(2028, 12, 31)) is None
    assert trajectory(_rows([0.0, 0.0, 0.0, 0.0]), 100, date(2025, 12, 31)) is None  # overdue


# --- Reading the PDF's objects -----------------------------------------------------------------


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _struct_elements(root):
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        reference = (node.idnum, node.generation) if isinstance(node, IndirectObject) else None
        if reference in seen:
            continue
        if reference:
            seen.add(reference)
        node = _resolve(node)
        if isinstance(node, ArrayObject):
            stack.extend(node)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                yield node
            if "/K" in node:
                stack.append(node["/K"])


def _xobjects(page):
    """Every XObject a page uses, also those inside form XObjects."""
    stack = [page.get("/Resources")]
    while stack:
        resources = _resolve(stack.pop())
        if not resources or "/XObject" not in resources:
            continue
        for xobject in _resolve(resources["/XObject"]).values():
            xobject = _resolve(xobject)
            yield xobject
            if xobject.get("/Subtype") == "/Form":
                stack.append(xobject.get("/Resources"))


def test_a_report_asked_for_in_english_still_has_a_dutch_pdf_with_dutch_milestone_statuses():
    """The tables are built in the report's language (Excel and CSV are written in it), the PDF
    always in Dutch: a milestone's status comes from its code, not the English table label."""
    with translation.override("en"):
        data = build_report_data(as_of=AS_OF, theme_codes=["leren-zonder-drempels"])
        content = write_pdf(data, generated_at=GENERATED_AT, generated_by="Staff")
    text = _dehyphenate("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages))
    assert "Alle mijlpalen hebben de status “gepland”." in text
    assert "planned" not in text
