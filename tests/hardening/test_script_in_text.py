"""Script and HTML typed into every free-text field a person can fill in, shown on every page that
shows it: always as text, never as markup. The reports carry it as literal text, and every
spreadsheet export neutralises text a spreadsheet would run as a formula."""

import csv
import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.tokens import issue_api_token
from indicators.actions import recompute
from institutions import actions, exports
from institutions.models import Answer, Institution
from reports.csv_report import write_csv
from reports.models import Report
from reports.pdf import write_pdf
from reports.tables import build_report_data
from reports.xlsx import write_xlsx
from themes.models import Line, Milestone, SectorTarget, Theme

pytestmark = pytest.mark.django_db

PAYLOAD = """<script>alert(1)</script><img src=x onerror=alert(1)>" autofocus onfocus="alert(1)'"""
# What must never reach a page: the payload's markup, or an attribute broken open by its quote.
RAW_MARKUP = ("<script>alert(1)", "<img src=x", 'onfocus="alert(1)')
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"

TARGET = "LZD-WALLET"


def assert_shown_as_text(html: str):
    for markup in RAW_MARKUP:
        assert markup not in html, html[max(0, html.find(markup) - 300) : html.find(markup) + 100]
    assert ESCAPED in html


@pytest.fixture
def hostile(institution_a, cio_a, sector_staff):
    """Every free-text field filled with the payload, the way each is filled in real life."""
    target = SectorTarget.objects.get(code=TARGET)
    theme = target.themes.first()
    # Route texts staff edit in the admin (the admin saves through the ORM like this).
    Theme.objects.filter(pk=theme.pk).update(name=PAYLOAD, purpose=PAYLOAD)
    line = target.lines.first()
    Line.objects.filter(pk=line.pk).update(name=PAYLOAD)
    Milestone.objects.filter(line=line).update(title=PAYLOAD)
    SectorTarget.objects.filter(pk=target.pk).update(title=PAYLOAD, measured=PAYLOAD)
    # The institution as the operator's import_institutions would write it.
    Institution.objects.filter(pk=institution_a.pk).update(name=PAYLOAD, region=PAYLOAD[:100])
    Institution.objects.create(
        code="33CC", name=PAYLOAD, kind="roc", active_from=datetime.date(2020, 1, 1)
    )  # never answers: named on the staff's "not reported" lists
    answer = actions.do_save_answer(
        institution=institution_a,
        target=target,
        answer=actions.AnswerValue(
            value={"status": "gepland"},
            applies_on=timezone.localdate() - datetime.timedelta(days=1),
            explanation=PAYLOAD,
            evidence_url="https://example.org/?q=%3Cscript%3E",
        ),
        user=cio_a,
        based_on_version=0,
    )
    actions.do_review_answer(
        answer=answer, decision="revisit", comment=PAYLOAD, reviewer=sector_staff
    )
    Report.objects.create(
        format="pdf", as_of=timezone.localdate(), institution=institution_a, created_by=cio_a
    )
    recompute(target_ids=[target.pk])
    return {"theme": Theme.objects.get(pk=theme.pk), "target": target, "answer": answer}


PUBLIC_PAGES = [
    "/",
    "/thema/{theme}/",
    "/doelen/",
    "/doelen/{target}/",
    "/mijlpalen/",
    "/dashboard/",
    "/dashboard/doelen/{target}/",
]
CIO_PAGES = [
    "/instellingen/11AA/",
    "/instellingen/11AA/doelen/{target}/geschiedenis/",
    "/instellingen/11AA/doelen/{target}/bewerken/",
    "/dashboard/vergelijking/11AA/",
    "/rapportages/",
    "/rapportages/{report}/",
]
STAFF_PAGES = [
    "/instellingen/",
    "/instellingen/11AA/",
    "/instellingen/11AA/doelen/{target}/geschiedenis/",  # the review page
    "/dashboard/vergelijking/11AA/",
    "/dashboard/",
]
ADMIN_PAGES = [
    "/admin/institutions/institution/",
    "/admin/institutions/institution/{institution}/change/",
    "/admin/themes/theme/{theme_pk}/change/",
    "/admin/themes/sectortarget/",
]


def _url(template: str, hostile) -> str:
    return template.format(
        theme=hostile["theme"].code,
        theme_pk=hostile["theme"].pk,
        target=TARGET,
        report=Report.objects.get().pk,
        institution=Institution.objects.get(code="11AA").pk,
    )


@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_show_route_texts_as_text(client, hostile, page):
    response = client.get(_url(page, hostile))
    assert response.status_code == 200
    assert_shown_as_text(response.content.decode())


@pytest.mark.parametrize("page", CIO_PAGES)
def test_the_institutions_pages_show_its_texts_as_text(client, hostile, cio_a, page):
    client.force_login(cio_a)
    response = client.get(_url(page, hostile))
    assert response.status_code == 200
    assert_shown_as_text(response.content.decode())


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_show_names_and_answers_as_text(client, hostile, sector_staff, page):
    client.force_login(sector_staff)
    response = client.get(_url(page, hostile))
    assert response.status_code == 200
    assert_shown_as_text(response.content.decode())


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_the_admin_shows_names_as_text(client, hostile, administrator, page):
    client.force_login(administrator)
    response = client.get(_url(page, hostile))
    assert response.status_code == 200
    html = response.content.decode()
    for markup in RAW_MARKUP:
        assert markup not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_api_returns_the_texts_as_json_strings(client, hostile, cio_a):
    token = issue_api_token(cio_a)
    [answer] = client.get(
        "/api/v1/institutions/11AA/answers/", HTTP_AUTHORIZATION=f"Token {token}"
    ).json()
    assert answer["explanation"] == PAYLOAD
    target = client.get(f"/api/v1/targets/{TARGET}/").json()
    assert target["title"] == PAYLOAD
    assert client.get(f"/api/v1/targets/{TARGET}/")["Content-Type"] == "application/json"


# --- Every way in stores the text as typed ----------------------------------------------------


def test_form_upload_and_api_store_the_explanation_as_typed(client, institution_a, cio_a):
    client.force_login(cio_a)
    prefix = f"doel-{TARGET}"
    response = client.post(
        f"/instellingen/11AA/doelen/{TARGET}/bewerken/",
        {f"{prefix}-value": "gepland", f"{prefix}-explanation": PAYLOAD, f"{prefix}-version": 0},
    )
    assert response.status_code == 302, response.content.decode()
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(
        [
            ["institution", "target", "value", "applies_on", "explanation"],
            ["11AA", TARGET, "gerealiseerd", "", PAYLOAD],
        ]
    )
    response = client.post(
        "/instellingen/11AA/import/",
        {"file": SimpleUploadedFile("a.csv", buffer.getvalue().encode())},
    )
    assert response.status_code == 302
    token = issue_api_token(cio_a)
    response = client.post(
        "/api/v1/institutions/11AA/answers/",
        {"target": TARGET, "value": "in_uitvoering", "explanation": PAYLOAD, "version": 2},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
    )
    assert response.status_code == 201
    assert list(Answer.objects.order_by("pk").values_list("source", "explanation")) == [
        ("web", PAYLOAD), ("import", PAYLOAD), ("api", PAYLOAD)
    ]  # fmt: skip


def test_a_review_comment_through_the_review_page_is_stored_and_shown_as_text(
    client, institution_a, cio_a, sector_staff
):
    answer = actions.do_save_answer(
        institution=institution_a,
        target=SectorTarget.objects.get(code=TARGET),
        answer=actions.AnswerValue(value={"status": "gepland"}, applies_on=timezone.localdate()),
        user=cio_a,
        based_on_version=0,
    )
    client.force_login(sector_staff)
    response = client.post(
        f"/instellingen/11AA/antwoorden/{answer.pk}/beoordelen/",
        {"decision": "revisit", "comment": PAYLOAD},
    )
    assert response.status_code == 302
    assert answer.reviews.get().comment == PAYLOAD
    client.force_login(cio_a)  # the institution sees the request on its status page
    assert_shown_as_text(client.get("/instellingen/11AA/").content.decode())


def test_import_institutions_stores_names_as_typed(tmp_path, db):
    path = tmp_path / "instellingen.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(
            [["code", "name", "kind", "region", "active_from"],
             ["44DD", PAYLOAD, "roc", PAYLOAD[:100], "2020-01-01"]]
        )  # fmt: skip
    call_command("import_institutions", str(path), stdout=io.StringIO())
    institution = Institution.objects.get(code="44DD")
    assert (institution.name, institution.region) == (PAYLOAD, PAYLOAD[:100])


# --- Reports ------------------------------------------------------------------------------------


def _collapse(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_pdf_report_prints_the_texts_literally(hostile, institution_a):
    """The payload is text in the PDF (extracted with pypdf), and the report keeps its layout:
    as many pages as the same report with plain texts."""
    theme = hostile["theme"].code
    data = build_report_data(
        as_of=timezone.localdate(), theme_codes=[theme], institution=institution_a
    )
    generated = {"generated_at": timezone.now(), "generated_by": PAYLOAD}
    reader = PdfReader(io.BytesIO(write_pdf(data, **generated)))
    text = _collapse(" ".join(page.extract_text() for page in reader.pages))
    assert _collapse("<script>alert(1)</script><img src=x onerror=alert(1)>") in text
    assert "/JavaScript" not in str(reader.trailer["/Root"])

    plain = "ROC Proefwijk toelichting"
    Theme.objects.filter(code=theme).update(name="Thema", purpose=plain)
    Line.objects.filter(pk=hostile["target"].lines.first().pk).update(name="Lijn")
    Milestone.objects.filter(title=PAYLOAD).update(title=plain)
    SectorTarget.objects.filter(code=TARGET).update(title=plain, measured=plain)
    Institution.objects.filter(name=PAYLOAD).update(name=plain, region="")
    Answer.objects.update(explanation=plain)
    data = build_report_data(
        as_of=timezone.localdate(), theme_codes=[theme], institution=institution_a
    )
    generated["generated_by"] = "Sectorstaf"
    assert len(PdfReader(io.BytesIO(write_pdf(data, **generated))).pages) == len(reader.pages)


FORMULAS = [
    '=HYPERLINK("http://evil.example","klik")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
]
TRIGGERS = tuple("=+-@\t\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.fixture
def formulas(institution_a, cio_a):
    """An answer per formula payload in the explanation, and institutions named like them."""
    target = SectorTarget.objects.get(code=TARGET)
    for day, formula in enumerate(FORMULAS, start=1):
        actions.do_save_answer(
            institution=institution_a,
            target=target,
            answer=actions.AnswerValue(
                value={"status": "gepland"},
                applies_on=datetime.date(2026, 1, day),
                explanation=formula,
            ),
            user=cio_a,
            based_on_version=day - 1,
        )
    for number, formula in enumerate(FORMULAS, start=1):
        Institution.objects.create(
            code=f"{number}9ZZ", name=formula, kind="roc", active_from=datetime.date(2020, 1, 1)
        )
    return institution_a


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def _xlsx_cells(content: bytes) -> list:
    workbook = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                cells.append(cell.value)
    return cells


def _assert_no_formula(cells: list, *, expect: list[str]):
    texts = [cell for cell in cells if isinstance(cell, str)]
    for text in texts:
        assert not text.startswith(TRIGGERS) or _is_number(text), repr(text)
    for formula in expect:  # each is there, as the literal text behind a quote
        assert "'" + formula.replace("\r", "\n") in [t.replace("\r\n", "\n") for t in texts] or (
            "'" + formula in texts
        ), formula


def test_the_institution_csv_export_neutralises_formulas(formulas):
    _assert_no_formula(_csv_cells(exports.answers_csv(formulas)), expect=FORMULAS)


def test_the_institution_xlsx_export_neutralises_formulas(formulas):
    _assert_no_formula(_xlsx_cells(exports.answers_xlsx(formulas)), expect=FORMULAS)


def test_the_report_xlsx_neutralises_formulas(formulas):
    data = build_report_data(as_of=datetime.date(2026, 1, 31), institution=formulas)
    content = write_xlsx(data, generated_at=timezone.now(), generated_by=FORMULAS[0])
    # Institution names on "Niet gemeld", explanations on "Eigen antwoorden".
    _assert_no_formula(_xlsx_cells(content), expect=FORMULAS)


def test_the_report_csv_holds_no_formula(formulas):
    Theme.objects.filter(pk=SectorTarget.objects.get(code=TARGET).themes.first().pk).update(
        name=FORMULAS[0]
    )
    data = build_report_data(as_of=datetime.date(2026, 1, 31), institution=formulas)
    cells = _csv_cells(write_csv(data))
    assert len(cells) > 11  # more than the header
    _assert_no_formula(cells, expect=[])
