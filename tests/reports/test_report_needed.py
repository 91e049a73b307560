"""The reports' institutions still needed per share target (indicators.needed): ceil(goal x
active) - adopted on the as-of date, with the goal in force on that date, in the tables, the
CSV, the workbook and the PDF; left out where a CIO's report withholds the counts.

Eight institutions: two with the wallet from February, a third from mid-June. The wallet's
goal is 30 in version 1 (5 January 2026) and 40 in version 2 (15 April 2026).
"""

import csv
import datetime
import io
import math
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators.actions import recompute
from indicators.series import figures_on
from reports.csv_report import write_csv
from reports.pdf import write_pdf
from reports.tables import build_report_data
from reports.withholding import withhold_small_groups
from reports.xlsx import write_xlsx
from tests.builders import wallet_adoption
from themes.actions import do_publish_route_version
from themes.models import SectorTarget
from themes.versions import goals_timeline

pytestmark = pytest.mark.django_db

WALLET, NBA = "LZD-WALLET", "CYB-NBA-GEMIDDELD"
THEME = "leren-zonder-drempels"
EARLY, AS_OF = datetime.date(2026, 3, 31), datetime.date(2026, 6, 30)
CHANGE_PUBLISHED = datetime.datetime(2026, 4, 15, 11, tzinfo=datetime.UTC)
GENERATED_AT = datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
NEEDED, PACE = "Nog nodig (instellingen)", "In dit tempo"


@pytest.fixture
def wallet(db):
    wallet, _institutions = wallet_adoption("8N")
    recompute(today=AS_OF)
    return wallet


def _publish_40_then_edit_to_50() -> None:
    """Version 2 with 40%, then a live edit to 50% that is not published."""
    wallet = SectorTarget.objects.get(code=WALLET)
    wallet.goal_value = Decimal("40")
    wallet.save()
    do_publish_route_version(note="Wallet naar 40%", by=None, now=CHANGE_PUBLISHED)
    wallet.goal_value = Decimal("50")
    wallet.save()
    recompute(today=AS_OF)


def _expected_needed(target: SectorTarget, day: datetime.date) -> tuple[int, int]:
    """(ceil(goal x active), that minus adopted) from the indicators' own figure on ``day`` and
    the goal in force then."""
    figure = figures_on([target], [day])[target.pk][0]
    goal = goals_timeline().goal(target, day).value
    goal_count = math.ceil(goal * figure.active / 100)
    return goal_count, goal_count - figure.details["statuses"]["gerealiseerd"]


def _row(frame, code: str):
    return frame[frame["target"] == code].iloc[0]


def _csv(data) -> list[dict]:
    return list(csv.DictReader(io.StringIO(write_csv(data)[3:].decode("utf-8"), newline="")))


def _workbook(data):
    content = write_xlsx(data, generated_at=GENERATED_AT, generated_by="Raad Tester")
    return load_workbook(io.BytesIO(content))


def _sheet_rows(sheet) -> list[dict]:
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_count_is_ceil_of_goal_times_active_minus_adopted_in_every_table(wallet):
    _publish_40_then_edit_to_50()
    target = SectorTarget.objects.get(code=WALLET)
    goal_count, needed = _expected_needed(target, AS_OF)
    assert (goal_count, needed) == (4, 1)  # 40% of 8 is 3.2: 4; 3 adopted
    data = build_report_data(as_of=AS_OF, theme_codes=[THEME, "cyberweerbaarheid"])
    row = _row(data.targets, WALLET)
    assert (row["institutions_needed"], row["institutions_goal"]) == (needed, goal_count)
    # One more at the pace since February (one in 122 days): 30 October 2026.
    assert row["needed_expected_on"] == datetime.date(2026, 10, 30)
    assert row["needed_expected_quarter"] == "2026-K4"
    assert row["active"] == 8
    # Not a share target: nothing to count.
    assert _row(data.targets, NBA)[["institutions_needed", "needed_expected_quarter"]].isna().all()

    # CSV: every row of the target on its own date; the as-of row as the table says.
    rows = [r for r in _csv(data) if r["Code"] == WALLET]
    by_date = {r["Peildatum"]: r for r in rows}
    assert (by_date[AS_OF.isoformat()][NEEDED], by_date[AS_OF.isoformat()][PACE]) == (
        str(needed), "2026-K4"
    )  # fmt: skip
    early_goal, early_needed = _expected_needed(target, EARLY)
    assert (early_goal, early_needed) == (3, 1)  # version 1's 30% of 8: 3; 2 adopted
    assert by_date[EARLY.isoformat()][NEEDED] == str(early_needed)
    assert all(r[NEEDED] == "" for r in _csv(data) if r["Code"] == NBA)

    # Excel: the theme sheet and the data sheet, a whole number and the quarter as text.
    workbook = _workbook(data)
    sheet = next(s for s in workbook.worksheets if s.title.startswith("Leren zonder"))
    cells = {r["Code"]: r for r in _sheet_rows(sheet)}
    assert (cells[WALLET][NEEDED], cells[WALLET][PACE]) == (needed, "2026-K4")
    assert isinstance(cells[WALLET][NEEDED], int)
    data_rows = [
        r for r in _sheet_rows(workbook["Data"]) if r["Code"] == WALLET
    ]  # fmt: skip
    as_of_row = next(r for r in data_rows if r["Peildatum"].date() == AS_OF)
    assert (as_of_row[NEEDED], as_of_row[PACE]) == (needed, "2026-K4")


def test_a_report_before_a_published_goal_change_counts_against_the_old_goal(wallet):
    before = build_report_data(as_of=EARLY, theme_codes=[THEME])
    _publish_40_then_edit_to_50()
    again = build_report_data(as_of=EARLY, theme_codes=[THEME])
    row = _row(again.targets, WALLET)
    # 31 March is judged by version 1: 30% of 8 is 3; 2 adopted. Not 40% (4) nor 50% (4).
    assert (row["goal_value"], row["institutions_goal"], row["institutions_needed"]) == (30.0, 3, 1)
    assert row["institutions_needed"] == _row(before.targets, WALLET)["institutions_needed"]
    assert write_csv(before) == write_csv(again)
    # As of 30 June, version 2's 40% applies.
    later = _row(build_report_data(as_of=AS_OF, theme_codes=[THEME]).targets, WALLET)
    assert (later["goal_value"], later["institutions_goal"], later["institutions_needed"]) == (
        40.0, 4, 1
    )  # fmt: skip


def test_the_pdf_says_how_many_are_still_needed_and_when_at_this_pace(wallet):
    _publish_40_then_edit_to_50()
    data = build_report_data(as_of=AS_OF, theme_codes=[THEME])
    content = write_pdf(data, generated_at=GENERATED_AT, generated_by="Sectorstaf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = re.sub(r"\s+", " ", re.sub(r"[-‐]\n", "", text))
    assert (
        "Nog nodig: 1 instelling (streefwaarde 4 van de 8 actieve instellingen). "
        "In dit tempo in 2026-K4 (vóór de streefdatum)." in text
    )


def test_a_cio_report_leaves_the_count_out_where_the_counts_are_withheld(wallet, settings):
    data = build_report_data(as_of=AS_OF, theme_codes=[THEME])
    columns = ["institutions_needed", "institutions_goal", "needed_expected_quarter"]

    # Eight answers, at least the minimum group and the small group: the count is public.
    settings.MIN_GROUP_SIZE, settings.SMALL_GROUP_SIZE = 3, 8
    public = withhold_small_groups(data)
    assert _row(public.targets, WALLET)[columns].tolist() == [0, 3, None]  # reached: 3 of 8

    # A small group (8 < 10): the value is rounded coarsely and shown without its counts.
    settings.SMALL_GROUP_SIZE = 10
    small = withhold_small_groups(data)
    assert _row(small.targets, WALLET)["value"] is not None
    assert _row(small.targets, WALLET)[columns].isna().all()
    series = small.series[small.series["target"] == WALLET]
    # Every month with answers; January had none, so its count gives no one away.
    assert series[series["answered"] > 0]["institutions_needed"].isna().all()
    assert series[series["answered"] == 0]["institutions_needed"].tolist() == [3]

    # Too few answers (8 < 9): withheld with the figure, in every format.
    settings.MIN_GROUP_SIZE = 9
    withheld = withhold_small_groups(data)
    assert _row(withheld.targets, WALLET)["status"] == "te_weinig_antwoorden"
    assert _row(withheld.targets, WALLET)[columns].isna().all()
    rows = [
        r for r in _csv(withheld)
        if r["Code"] == WALLET and r["Instellingen met antwoord"] != "0"
    ]  # fmt: skip
    assert len(rows) == 5 and all(r[NEEDED] == "" and r[PACE] == "" for r in rows)
    sheet = next(s for s in _workbook(withheld).worksheets if s.title.startswith("Leren zonder"))
    wallet_cells = next(r for r in _sheet_rows(sheet) if r["Code"] == WALLET)
    assert wallet_cells[NEEDED] is None and wallet_cells[PACE] is None
