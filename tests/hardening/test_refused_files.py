"""A corpus of bad answer files, one per kind of error the import knows. Through the status
page upload (a logged-in CIO) and through the operator's import_answers, each is refused whole:
the answers and their version counters are exactly as before, and the error names the row and
the column a person has to fix."""

import datetime
import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from institutions import actions
from institutions.models import Answer, AnswerSlot, Institution
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

HEADER = "institution;target;value;applies_on;explanation;evidence_url"
GOOD = "11AA;LZD-WALLET;gepland;2026-02-01;;"  # row 2 of every file


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode("utf-8")


def _xlsx(*rows) -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADER.split(";"))
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _inactive_from_march():
    Institution.objects.filter(code="11AA").update(active_to=datetime.date(2026, 2, 28))


# (id, file name, content, row, column, part of the message, setup)
CASES = [
    ("unknown-institution", "a.csv", _csv(GOOD, "99ZZ;DBO-EDU-V;40;2026-03-01;;"),
     3, "institution", "Onbekende instelling", None),
    ("unknown-target", "a.csv", _csv(GOOD, "11AA;BESTAAT-NIET;1;2026-03-01;;"),
     3, "target", "Onbekend sectordoel", None),
    ("milestone-target", "a.csv", _csv(GOOD, "11AA;DBO-NETWERK;1;2026-03-01;;"),
     3, "target", "is een mijlpaal", None),
    ("inactive-institution", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;40;2026-03-01;;"),
     3, "institution", "geen actieve instelling", _inactive_from_march),
    ("status-for-score", "a.csv", _csv(GOOD, "11AA;CYB-NBA-GEMIDDELD;gepland;2026-03-01;;"),
     3, "value", "is geen getal", None),
    ("score-out-of-range", "a.csv", _csv(GOOD, "11AA;CYB-NBA-GEMIDDELD;5,5;2026-03-01;;"),
     3, "value", "De score moet tussen 0,0 en 5,0 liggen.", None),
    ("score-two-decimals", "a.csv", _csv(GOOD, "11AA;CYB-NBA-GEMIDDELD;2,55;2026-03-01;;"),
     3, "value", "hoogstens één decimaal", None),
    ("percentage-out-of-range", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;100,5;2026-03-01;;"),
     3, "value", "Het percentage moet tussen 0 en 100 liggen.", None),
    ("non-numeric", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;veertig;2026-03-01;;"),
     3, "value", "is geen getal", None),
    ("number-for-status", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;40;2026-03-01;;",
                                        "11AA;LZD-WALLET;3;2026-03-01;;"),
     4, "value", "is geen status", None),
    ("future-date", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;40;2999-01-01;;"),
     3, "applies_on", "De datum mag niet in de toekomst liggen.", None),
    ("before-earliest", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;40;2019-12-31;;"),
     3, "applies_on", "De datum mag niet voor", None),
    ("not-iso-date", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;40;01-03-2026;;"),
     3, "applies_on", "geen datum in de vorm JJJJ-MM-DD", None),
    ("duplicate-row", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;40;2026-03-01;;", GOOD),
     4, "applies_on", "staat al in rij 2", None),
    ("bad-encoding", "a.csv",
     _csv(GOOD).rstrip(b"\n") + b"\n11AA;DBO-EDU-V;40;2026-03-01;\x81\x8d;\n",
     3, "explanation", "geen UTF-8- of Windows-tekst", None),
    ("nul-in-utf16", "a.csv",
     (HEADER + "\n" + GOOD + "\n11AA;DBO-EDU-V;40;2026-03-01;a\x00b;\n").encode("utf-16"),
     3, "explanation", "NUL-teken", None),
    ("missing-column", "a.csv",
     _csv("11AA;LZD-WALLET;2026-03-01", header="institution;target;applies_on"),
     1, "value", "Deze kolommen ontbreken in de kopregel: value.", None),
    ("duplicate-column", "a.csv", _csv(GOOD + ";X", header=HEADER + ";value"),
     1, "value", "staat twee keer in de kopregel", None),
    ("empty-institution", "a.csv", _csv(GOOD, ";DBO-EDU-V;40;2026-03-01;;"),
     3, "institution", "Vul de BRIN-code van de instelling in.", None),
    ("empty-target", "a.csv", _csv(GOOD, "11AA;;40;2026-03-01;;"),
     3, "target", "Vul de code van het sectordoel in.", None),
    ("empty-value", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;;2026-03-01;;"),
     3, "value", "Vul een waarde in.", None),
    ("overlong-explanation", "a.csv",
     _csv(GOOD, "11AA;DBO-EDU-V;40;2026-03-01;" + "x" * 4001 + ";"),
     3, "explanation", "De toelichting is te lang", None),
    ("link-not-http", "a.csv", _csv(GOOD, "11AA;DBO-EDU-V;40;2026-03-01;;javascript:alert(1)"),
     3, "evidence_url", "Alleen links die met http:// of https:// beginnen.", None),
    ("one-bad-row-at-the-end", "a.csv",
     _csv(*[f"11AA;DBO-EDU-V;{n};2026-02-{n:02d};;" for n in range(1, 21)],
          "11AA;LZD-WALLET;bijna;2026-03-01;;"),
     22, "value", "is geen status", None),
    ("xlsx-bad-row", "a.xlsx",
     _xlsx(["11AA", "LZD-WALLET", "gepland", datetime.date(2026, 2, 1)],
           ["11AA", "DBO-EDU-V", 250, datetime.date(2026, 3, 1)]),
     3, "value", "Het percentage moet tussen 0 en 100 liggen.", None),
]  # fmt: skip


@pytest.fixture
def before(institution_a, cio_a):
    """An answer that was there before, so that a changed or bumped row would show."""
    actions.do_save_answer(
        institution=institution_a,
        target=SectorTarget.objects.get(code="DBO-EDU-V"),
        answer=actions.AnswerValue(
            value={"percentage": "20"}, applies_on=datetime.date(2026, 1, 5)
        ),
        user=cio_a,
        based_on_version=0,
    )
    return _dump()


def _dump():
    return (
        list(Answer.objects.order_by("pk").values()),
        list(AnswerSlot.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize(
    ("name", "content", "row", "column", "message", "setup"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_upload_refuses_the_file_whole_naming_row_and_column(
    client, cio_a, before, name, content, row, column, message, setup
):
    if setup:
        setup()
        before = _dump()
    client.force_login(cio_a)
    response = client.post(
        "/instellingen/11AA/import/", {"file": SimpleUploadedFile(name, content)}
    )
    text = html.unescape(response.content.decode())
    assert response.status_code == 422, text[:3000]
    assert f"rij {row}, kolom {column}: " in text, text[:5000]
    assert message in text
    assert _dump() == before


@pytest.mark.parametrize(
    ("name", "content", "row", "column", "message", "setup"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_import_answers_refuses_the_file_whole_naming_row_and_column(
    tmp_path, before, name, content, row, column, message, setup
):
    if setup:
        setup()
        before = _dump()
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError) as raised:
        call_command("import_answers", str(path), stdout=io.StringIO())
    lines = str(raised.value).splitlines()
    assert lines[0].startswith("Niets opgeslagen;")
    assert any(
        line.startswith(f"rij {row}, kolom {column}: ") and message in line for line in lines
    ), lines
    assert _dump() == before


def test_the_good_rows_of_the_corpus_do_save(client, cio_a, before):
    """The corpus's good rows are good: the refusals above are for the bad row alone."""
    client.force_login(cio_a)
    content = _csv(GOOD, "11AA;DBO-EDU-V;40;2026-03-01;;")
    response = client.post(
        "/instellingen/11AA/import/", {"file": SimpleUploadedFile("a.csv", content)}
    )
    assert response.status_code == 302
    assert Answer.objects.filter(source="import").count() == 2
