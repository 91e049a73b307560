"""Staff's status overrides and the reporting rate per round in the regular reports (PDF, Excel,
CSV), beside the computed figures, as the assembly pack shows them (reports.assembly)."""

import csv
import datetime
import io
import re
from datetime import date

import pandas as pd
import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators.models import ProgressStatus, StatusOverride
from institutions.models import Answer, Institution
from reports.csv_report import write_csv
from reports.pdf import write_pdf
from reports.tables import build_report_data, round_rates
from reports.xlsx import write_xlsx
from rounds.models import Round
from themes.models import SectorTarget

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
GENERATED_AT = datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
REASON = "Twee grote instellingen melden vertraging"
WALLET = "LZD-WALLET"
# The themes of the wallet and the NBA target: a report of the whole route writes some 35 PDF
# pages, these two a handful, and every assertion is about these two targets or the report
# as a whole.
THEMES = ["leren-zonder-drempels", "cyberweerbaarheid"]


def _at(day: date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def institution_c(db):
    return Institution.objects.create(
        code="33CC", name="ROC Nieuwstad", kind="roc", region="West",
        active_from=date(2020, 1, 1),
    )  # fmt: skip


@pytest.fixture
def wallet(institution_a, institution_b, institution_c):
    """A answers on time, B after the deadline, C never, in the spring round."""
    target = SectorTarget.objects.get(code=WALLET)
    Answer.objects.create(
        institution=institution_a, target=target, status="gerealiseerd",
        applies_on=date(2026, 3, 15), entered_at=_at(date(2026, 3, 15)),
    )  # fmt: skip
    Answer.objects.create(
        institution=institution_b, target=target, status="gepland",
        applies_on=date(2026, 4, 20), entered_at=_at(date(2026, 5, 10)),
    )  # fmt: skip
    return target


@pytest.fixture
def spring_round(wallet):
    round = Round.objects.create(
        name="Voorjaar 2026", opens_on=date(2026, 3, 1), closes_on=date(2026, 4, 30),
        assembly_on=date(2026, 6, 15),
    )  # fmt: skip
    round.targets.set([wallet])
    round.closed_at = _at(date(2026, 5, 15), 17)
    round.save()
    # A round whose deadline falls after the report's date is not in its rate.
    later = Round.objects.create(
        name="Najaar 2026", opens_on=date(2026, 6, 1), closes_on=date(2026, 9, 30),
        assembly_on=date(2026, 11, 15),
    )  # fmt: skip
    later.targets.set([wallet])
    return round


@pytest.fixture
def override(wallet, sector_staff):
    """In force on the as-of date; a second one, on another target, ended before it."""
    StatusOverride.objects.create(
        target=SectorTarget.objects.get(code="CYB-NBA-GEMIDDELD"), status="op_koers",
        reason="Verlopen oordeel", starts_on=date(2026, 1, 1), ends_on=date(2026, 5, 31),
        set_by=sector_staff,
    )  # fmt: skip
    return StatusOverride.objects.create(
        target=wallet, status=ProgressStatus.INSUFFICIENT, reason=REASON,
        starts_on=date(2026, 6, 1), ends_on=date(2026, 12, 31), set_by=sector_staff,
    )  # fmt: skip


def _workbook(data):
    content = write_xlsx(data, generated_at=GENERATED_AT, generated_by="Sectorstaf")
    return load_workbook(io.BytesIO(content))


def _pdf_text(data) -> str:
    content = write_pdf(data, generated_at=GENERATED_AT, generated_by="Sectorstaf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return re.sub(r"\s+", " ", re.sub(r"[-‐]\n", "", text))


def test_the_override_in_force_stands_beside_the_computed_status_in_every_format(override):
    data = build_report_data(as_of=AS_OF, theme_codes=THEMES)
    rows = data.targets.set_index("target")
    computed = rows.loc[WALLET, "status_label"]
    assert rows.loc[WALLET, "override_status"] == "onvoldoende_voortgang"
    assert rows.loc[WALLET, "override_reason"] == REASON
    assert rows.loc[WALLET, "override_ends_on"] == date(2026, 12, 31)
    set_by = override.set_by
    assert rows.loc[WALLET, "override_set_by"] == (set_by.get_full_name() or set_by.get_username())
    assert rows.loc[WALLET, "status"] != "onvoldoende_voortgang"  # the computed one stays
    assert pd.isna(rows.loc["CYB-NBA-GEMIDDELD", "override_status"])  # ended on 31 May

    # CSV: the two last columns, on the as-of row only; the computed "Voortgang" unchanged.
    lines = list(csv.reader(io.StringIO(write_csv(data)[3:].decode("utf-8"), newline="")))
    header = lines[0]
    assert header[-2:] == ["Bijgestelde voortgang", "Reden bijstelling"]
    wallet_rows = {r[header.index("Peildatum")]: r for r in lines[1:] if r[0] == WALLET}
    as_of_row = wallet_rows[AS_OF.isoformat()]
    assert as_of_row[-2:] == ["onvoldoende voortgang", REASON]
    assert as_of_row[header.index("Voortgang")] == computed
    assert wallet_rows["2026-05-31"][-2:] == ["", ""]
    nba = [r for r in lines[1:] if r[0] == "CYB-NBA-GEMIDDELD"]
    assert nba and all(r[-2:] == ["", ""] for r in nba)

    # Excel: the theme sheet's two columns beside "Voortgang".
    workbook = _workbook(data)
    theme = SectorTarget.objects.get(code=WALLET).themes.first()
    sheet = next(s for s in workbook.worksheets if s.title.startswith(theme.name[:20]))
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    cells = {row[1]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert cells[WALLET]["Voortgang"] == computed
    assert cells[WALLET]["Bijgestelde voortgang"] == "onvoldoende voortgang"
    assert cells[WALLET]["Reden bijstelling"] == REASON
    others = [c for code, c in cells.items() if code != WALLET]
    assert others and all(c["Bijgestelde voortgang"] is None for c in others)

    # PDF: "bijgesteld: <status> — <reden>" beside the computed status.
    text = _pdf_text(data)
    assert f"bijgesteld: onvoldoende voortgang — {REASON}" in text
    assert "Verlopen oordeel" not in text
    assert f"De berekende voortgang is {computed}" in text


def test_a_sector_report_lists_the_rate_of_rounds_closed_by_its_date(spring_round):
    data = build_report_data(as_of=AS_OF, theme_codes=THEMES)
    assert data.rates.to_dict("records") == [
        {
            "round": "Voorjaar 2026", "closes_on": date(2026, 4, 30), "expected": 3,
            "reported": 2, "on_time": 1, "late": 1, "never": 1, "rate": 67,
        }
    ]  # fmt: skip

    sheet = _workbook(data)["Respons per ronde"]
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == [
        "Ronde", "Sluitdatum", "Verwacht", "Compleet", "Op tijd", "Te laat", "Nooit", "Respons (%)",
    ]  # fmt: skip
    assert table[1:] == [["Voorjaar 2026", datetime.datetime(2026, 4, 30), 3, 2, 1, 1, 1, 67]]

    text = _pdf_text(data)
    section = text[text.index("Respons per ronde De respons") :]
    assert "Voorjaar 2026 30 apr 2026 3 2 1 1 1 67%" in section[: section.index("BIJLAGE A")]
    assert "Najaar 2026" not in text


def test_the_rate_names_the_latest_three_closed_rounds_newest_first(db):
    for month in (1, 2, 3, 4):
        Round.objects.create(
            name=f"Ronde {month}", opens_on=date(2026, month, 1),
            closes_on=date(2026, month, 20), assembly_on=date(2026, month, 28),
        )  # fmt: skip
    assert list(round_rates(date(2026, 4, 20))["round"]) == ["Ronde 4", "Ronde 3", "Ronde 2"]
    assert list(round_rates(date(2026, 4, 19))["round"]) == ["Ronde 3", "Ronde 2", "Ronde 1"]
    assert round_rates(date(2025, 12, 31)).empty


def test_a_sector_report_before_any_round_closed_says_so(db):
    data = build_report_data(as_of=AS_OF, theme_codes=["data-ai"])
    assert data.rates.empty
    assert _workbook(data)["Respons per ronde"]["A1"].value == (
        "Op 30-06-2026 is nog geen ronde gesloten."
    )


def test_an_institutions_own_report_has_no_rate(spring_round, institution_a):
    data = build_report_data(as_of=AS_OF, institution=institution_a, theme_codes=THEMES)
    assert data.rates is None
    assert "Respons per ronde" not in _workbook(data).sheetnames
    assert "Respons per ronde" not in _pdf_text(data)
