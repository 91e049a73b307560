"""Files a CIO might upload on the status page (and an operator pass to import_answers) that are
not what the import expects: too big, binary, in another encoding, empty, with odd columns, or
far too long. Each gets a clear message and a 422, never a 500, and nothing is saved.

Decisions: CSV is read as UTF-8 (with or without a BOM), as UTF-16 with a BOM (Excel's
"Unicode-tekst", tab separated) and otherwise as Windows-1252 (Excel on Windows, "CSV
(gescheiden door lijstscheidingsteken)"); commas, semicolons and tabs all separate. A file is at
most 5 MB and 20,000 rows; a bigger one is refused before any row is checked.
"""

import io
import os
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from institutions import actions, imports
from institutions.models import Answer
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

HEADER = "institution;target;value;applies_on;explanation;evidence_url"
GOOD_ROW = "11AA;LZD-WALLET;gepland;2026-03-01;Één pilot;https://example.org"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


@pytest.fixture
def existing(institution_a, cio_a):
    actions.do_save_answer(
        institution=institution_a,
        target=SectorTarget.objects.get(code="LZD-WALLET"),
        answer=actions.AnswerValue(
            value={"status": "niet_gestart"}, applies_on=imports.validation.EARLIEST_APPLIES_ON
        ),
        user=cio_a,
        based_on_version=0,
    )
    return list(Answer.objects.values())


def upload(client, cio, content: bytes, name: str = "antwoorden.csv"):
    client.force_login(cio)
    return client.post("/instellingen/11AA/import/", {"file": SimpleUploadedFile(name, content)})


def assert_refused(response, message: str, existing):
    html = response.content.decode()
    assert response.status_code == 422, html[:2000]
    assert message in html, html[:4000]
    assert list(Answer.objects.values()) == existing


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("antwoorden.csv", HEADER + "\n" + GOOD_ROW)
    return buffer.getvalue()


def _xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Size -------------------------------------------------------------------------------------


def test_an_upload_over_five_mb_is_refused_naming_the_limit(client, cio_a, existing):
    content = (HEADER + "\n").encode() + b"x" * (imports.MAX_IMPORT_BYTES + 1)
    response = upload(client, cio_a, content)
    assert_refused(response, "Het bestand is te groot (5,0 MB; hoogstens 5 MB).", existing)


def test_the_size_is_checked_before_the_file_is_read(client, cio_a, existing, monkeypatch):
    """The form refuses on the upload's size; the import never reads the spooled file."""
    monkeypatch.setattr(
        imports, "import_answers", lambda *a, **k: pytest.fail("a too-big file was read")
    )
    response = upload(client, cio_a, b"x" * (imports.MAX_IMPORT_BYTES + 1))
    assert response.status_code == 422


def test_import_answers_refuses_a_big_file_without_reading_it_whole(tmp_path, existing):
    path = tmp_path / "groot.csv"
    path.write_bytes((HEADER + "\n").encode() + b"x" * (2 * imports.MAX_IMPORT_BYTES))
    with pytest.raises(CommandError, match="groter dan 5 MB"):
        call_command("import_answers", str(path), stdout=io.StringIO())
    assert list(Answer.objects.values()) == existing


@pytest.mark.parametrize(
    ("content", "message"),
    [(PNG, "het bevat binaire gegevens"), (b"", "Het bestand is leeg"),
     ("institution;target\n".encode("cp1252"), "Deze kolommen ontbreken")],
)  # fmt: skip
def test_import_answers_refuses_an_unreadable_file_clearly(tmp_path, existing, content, message):
    path = tmp_path / "antwoorden.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_answers", str(path), stdout=io.StringIO())
    assert list(Answer.objects.values()) == existing


# --- Not a CSV --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (PNG, "antwoorden.csv", "Dit is geen tekstbestand (CSV): het bevat binaire gegevens."),
        (os.urandom(4096) + b"\x00", "antwoorden.csv", "het bevat binaire gegevens"),
        (_zip(), "antwoorden.csv", "het bevat binaire gegevens"),
        (b"dit is geen zip", "antwoorden.xlsx", "geen geldige Excel-werkmap (.xlsx)"),
        (PNG, "antwoorden.xlsx", "geen geldige Excel-werkmap (.xlsx)"),
        (_zip(), "antwoorden.xlsx", "geen geldige Excel-werkmap (.xlsx)"),
        (b"\xd0\xcf\x11\xe0", "antwoorden.xls", "sla het op als Excel-werkmap (.xlsx)"),
        (b"%PDF-1.7", "antwoorden.pdf", "Lever een .csv- of .xlsx-bestand aan."),
        (b"x", "antwoorden", "Lever een .csv- of .xlsx-bestand aan."),
    ],
    ids=["png", "random", "zip-as-csv", "text-as-xlsx", "png-as-xlsx", "zip-as-xlsx", "xls",
         "pdf", "no-extension"],
)  # fmt: skip
def test_a_file_that_is_not_a_table_is_refused(client, cio_a, existing, content, name, message):
    assert_refused(upload(client, cio_a, content, name), message, existing)


# --- Encodings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", f"{HEADER}\n{GOOD_ROW}\n"),
        ("utf-8-sig", f"{HEADER}\n{GOOD_ROW}\n"),  # Excel's "CSV UTF-8"
        ("cp1252", f"{HEADER}\n{GOOD_ROW}\n"),  # Excel on Windows, plain "CSV"
        ("latin-1", f"{HEADER}\n{GOOD_ROW}\n"),
        ("utf-16", f"{HEADER}\n{GOOD_ROW}\n".replace(";", "\t")),  # Excel's "Unicode-tekst"
        ("utf-16-be", "\ufeff" + f"{HEADER}\n{GOOD_ROW}\n"),
    ],
)
def test_the_encodings_excel_writes_are_read_correctly(client, cio_a, existing, encoding, text):
    response = upload(client, cio_a, text.encode(encoding))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Answer.objects.latest("pk").explanation == "Één pilot"


def test_a_file_in_no_known_encoding_is_refused_saying_which_is_expected(client, cio_a, existing):
    # 0x81 and 0x8d are undefined in Windows-1252 and invalid as UTF-8.
    content = (HEADER + "\n").encode() + b"11AA;LZD-WALLET;gepland;;\x81\x8d;\n"
    response = upload(client, cio_a, content)
    assert_refused(response, "sla op als CSV UTF-8", existing)


def test_a_damaged_utf16_file_is_refused(client, cio_a, existing):
    response = upload(client, cio_a, b"\xff\xfe" + HEADER.encode("utf-16-le") + b"\x00\xd8")
    assert_refused(response, "Unicode-tekst (UTF-16) maar is beschadigd", existing)


# --- Shape ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Het verstuurde bestand is leeg."),  # Django's own check, before ours
        (b"\xef\xbb\xbf", "Het bestand is leeg"),
        (b"\n\n\n", "Het bestand is leeg; de eerste rij moet de kolomnamen bevatten."),
        ((HEADER + "\n").encode(), "Het bestand bevat geen antwoorden, alleen een kopregel."),
        ((HEADER + "\n;;;;;\n\n").encode(), "alleen een kopregel"),
        (b"institution;target\n11AA;LZD-WALLET\n",
         "Deze kolommen ontbreken in de kopregel: value, applies_on."),
        ((HEADER + ";target\n" + GOOD_ROW + ";X\n").encode(),
         "De kolom &#x27;target&#x27; staat twee keer in de kopregel."),
    ],
    ids=["empty", "bom-only", "blank-lines", "header-only", "blank-rows", "missing-columns",
         "duplicated-column"],
)  # fmt: skip
def test_a_file_without_usable_rows_is_refused(client, cio_a, existing, content, message):
    assert_refused(upload(client, cio_a, content), message, existing)


def test_an_xlsx_with_only_a_header_or_nothing_is_refused(client, cio_a, existing):
    assert_refused(upload(client, cio_a, _xlsx(), "a.xlsx"), "Het bestand is leeg", existing)
    header_only = _xlsx(HEADER.split(";"))
    assert_refused(upload(client, cio_a, header_only, "a.xlsx"), "alleen een kopregel", existing)


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_extra_columns_are_ignored_whatever_the_separator(client, cio_a, existing, separator):
    text = f"{HEADER};opmerking intern\n{GOOD_ROW};niet importeren\n".replace(";", separator)
    response = upload(client, cio_a, text.encode("utf-8-sig"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Answer.objects.latest("pk").status == "gepland"


def test_a_short_row_reads_its_missing_cells_as_empty(client, cio_a, existing):
    response = upload(client, cio_a, f"{HEADER}\n11AA;LZD-WALLET;gerealiseerd\n".encode())
    assert response.status_code == 302
    assert Answer.objects.latest("pk").status == "gerealiseerd"


# --- Length -----------------------------------------------------------------------------------


def test_a_hundred_thousand_row_file_is_refused_up_front_in_bounded_time_and_memory(
    client, cio_a, existing
):
    """The limit is 20,000 rows; a 100,000-row file (2.7 MB, under the size limit) is refused
    as soon as row 20,001 is read, before any row is checked against the database."""
    rows = "".join("11AA;LZD-WALLET;gepland;;;\n" for _ in range(100_000))
    content = (HEADER + "\n" + rows).encode()
    assert len(content) < imports.MAX_IMPORT_BYTES
    client.force_login(cio_a)
    client.get("/instellingen/11AA/")  # the first request imports the views: not the upload
    started = time.perf_counter()
    response = upload(client, cio_a, content)
    elapsed = time.perf_counter() - started
    tracemalloc.start()  # a second run for memory: tracing slows everything down
    upload(client, cio_a, content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_refused(
        response, "Het bestand heeft meer dan 20000 rijen; splits het in kleinere bestanden.",
        existing,
    )  # fmt: skip
    print(f"100,000 rows, {len(content) / 1e6:.1f} MB: refused in {elapsed:.2f} s, "
          f"peak Python memory {peak / 1e6:.0f} MB")  # fmt: skip
    assert elapsed < 5  # about 0.5 s on an idle laptop; parse alone about 0.2 s
    assert peak < 100 * 1024 * 1024
