"""Reports name the route version they were computed against, give the same numbers when made
again for the same as-of date, and list the overdue, delayed and delivered milestones.

The wallet's goal is 30 in version 1 (5 January 2026) and 40 in version 2 (15 April 2026).
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators.actions import recompute
from reports import actions
from reports.csv_report import write_csv
from reports.models import Report
from reports.pdf import write_pdf
from reports.tables import build_report_data, milestone_delivery
from reports.xlsx import write_xlsx
from tests.builders import wallet_adoption
from themes.actions import do_publish_route_version, do_record_milestone_status
from themes.models import Milestone, RouteVersion, SectorTarget

pytestmark = pytest.mark.django_db

WALLET = "LZD-WALLET"
EARLY, AS_OF = datetime.date(2026, 3, 31), datetime.date(2026, 6, 30)
CHANGE_PUBLISHED = datetime.datetime(2026, 4, 15, 11, tzinfo=datetime.UTC)
GENERATED_AT = datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC)
RECORDED_TODAY = datetime.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def wallet_answers(db):
    """Eight institutions: two with the wallet from February (25%), a third from June (37.5%)."""
    wallet, _institutions = wallet_adoption("6B")
    recompute(today=AS_OF)
    return wallet


def _publish_40() -> RouteVersion:
    wallet = SectorTarget.objects.get(code=WALLET)
    wallet.goal_value = Decimal("40")
    wallet.save()
    version = do_publish_route_version(note="Wallet naar 40%", by=None, now=CHANGE_PUBLISHED)
    recompute(today=AS_OF)
    return version


def _wallet(data) -> pd.Series:
    return data.targets[data.targets["target"] == WALLET].iloc[0]


def test_a_report_for_an_earlier_date_gives_the_same_numbers_after_the_goal_changed(
    wallet_answers,
):
    before = build_report_data(as_of=EARLY)
    _publish_40()
    again = build_report_data(as_of=EARLY)
    pd.testing.assert_frame_equal(before.targets, again.targets)
    pd.testing.assert_frame_equal(before.series, again.series)
    assert before.route_version == again.route_version
    assert again.route_version.number == 1
    assert _wallet(again)["goal_value"] == 30.0
    assert write_csv(before) == write_csv(again)


def test_a_report_after_the_change_judges_against_40_and_its_series_says_per_date(
    wallet_answers,
):
    assert _wallet(build_report_data(as_of=AS_OF))["status"] == "gerealiseerd"  # 37.5 vs 30
    v2 = _publish_40()
    data = build_report_data(as_of=AS_OF, compare_to=EARLY)
    wallet = _wallet(data)
    assert wallet["goal_value"] == 40.0 and wallet["status"] == "op_koers"
    assert data.route_version.id == v2.id and data.compare_route_version.number == 1
    series = data.series[data.series["target"] == WALLET].set_index("date")
    assert series.loc[EARLY, ["goal_value", "route_version"]].tolist() == [30.0, 1]
    assert series.loc[AS_OF, ["goal_value", "route_version"]].tolist() == [40.0, 2]
    # The CSV names the version of every row, before the two override columns at the end.
    rows = list(csv.reader(io.StringIO(write_csv(data)[3:].decode("utf-8"))))
    assert rows[0][-3:] == ["Routeversie", "Bijgestelde voortgang", "Reden bijstelling"]
    wallet_rows = {r[3]: r for r in rows[1:] if r[0] == WALLET}
    assert wallet_rows[EARLY.isoformat()][-3] == "1" and wallet_rows[AS_OF.isoformat()][-3] == "2"
    assert wallet_rows[EARLY.isoformat()][6] == "30.0"
    assert wallet_rows[AS_OF.isoformat()][6] == "40.0"


def _generate(as_of: datetime.date, user) -> Report:
    report = Report.objects.create(format="csv", as_of=as_of, created_by=user)
    return actions.generate_report(report.pk)


def test_a_stored_report_records_its_version_and_made_again_has_the_same_file(
    wallet_answers, sector_staff
):
    first = _generate(EARLY, sector_staff)
    v2 = _publish_40()
    again = _generate(EARLY, sector_staff)
    later = _generate(AS_OF, sector_staff)
    first.refresh_from_db(), again.refresh_from_db(), later.refresh_from_db()
    v1 = RouteVersion.objects.get(number=1)
    assert first.route_version == again.route_version == v1
    assert later.route_version == v2
    assert first.file.read() == again.file.read()


def test_the_report_page_names_the_version(client, wallet_answers, sector_staff):
    report = _generate(EARLY, sector_staff)
    client.force_login(sector_staff)
    html = client.get(f"/rapportages/{report.pk}/").content.decode()
    assert 'Berekend met <a href="/route/versies/#versie-1">routeversie 1</a>' in html


@pytest.fixture
def delivery(sector_staff):
    """On 30 June: one milestone delivered, one delayed (not yet due), one overdue (due before,
    still planned), and one delivered only after the as-of date."""
    overdue = Milestone.objects.filter(due_date__lt=AS_OF).order_by("due_date", "code").first()
    theme = overdue.line.theme
    later = Milestone.objects.filter(line__theme=theme, due_date__gt=AS_OF).order_by("code")
    delivered, delayed, delivered_late = later[0], later[1], later[2]
    record = {"by": sector_staff, "today": RECORDED_TODAY}
    do_record_milestone_status(
        milestone=delivered, status="delivered", changed_on=datetime.date(2026, 5, 12),
        reason="Opgeleverd aan de ledenvergadering", **record,
    )  # fmt: skip
    do_record_milestone_status(
        milestone=delayed, status="delayed", changed_on=datetime.date(2026, 6, 2),
        reason="De leverancier levert later", **record,
    )  # fmt: skip
    do_record_milestone_status(
        milestone=delivered_late, status="delivered", changed_on=datetime.date(2026, 8, 1),
        reason="Na de peildatum", **record,
    )  # fmt: skip
    do_record_milestone_status(
        milestone=overdue, status="started", changed_on=datetime.date(2026, 2, 1),
        reason="Gestart met de proeftuin", **record,
    )  # fmt: skip
    return {
        "delivered": delivered, "delayed": delayed, "overdue": overdue,
        "delivered_late": delivered_late, "theme": theme,
    }  # fmt: skip


def test_the_delivery_table_holds_overdue_delayed_and_delivered_milestones(delivery):
    table = milestone_delivery([delivery["theme"]], AS_OF).set_index("code")
    delivered, delayed, overdue = delivery["delivered"], delivery["delayed"], delivery["overdue"]
    assert table.loc[delivered.code, ["group", "status_label", "reason"]].tolist() == [
        "delivered", "opgeleverd", "Opgeleverd aan de ledenvergadering"
    ]  # fmt: skip
    assert table.loc[delivered.code, "changed_on"] == datetime.date(2026, 5, 12)
    assert table.loc[delayed.code, ["group", "reason"]].tolist() == [
        "delayed", "De leverancier levert later"
    ]  # fmt: skip
    assert table.loc[overdue.code, ["group", "status_label", "reason"]].tolist() == [
        "overdue", "gestart", "Gestart met de proeftuin"
    ]  # fmt: skip
    assert table.loc[overdue.code, "lead_partner"] == (
        overdue.lead_partner.name if overdue.lead_partner else ""
    )
    # Delivered after the as-of date: on 30 June it was neither delivered nor overdue.
    assert delivery["delivered_late"].code not in table.index
    # Overdue first, then delayed, then delivered.
    groups = list(table["group"])
    assert groups == sorted(groups, key=["overdue", "delayed", "delivered"].index)


def test_the_pdf_names_the_version_and_lists_the_milestones_with_their_reasons(
    wallet_answers, delivery
):
    data = build_report_data(as_of=AS_OF, theme_codes=[delivery["theme"].code])
    content = write_pdf(data, generated_at=GENERATED_AT, generated_by="Sectorstaf")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    cover = re.sub(r"\s+", " ", pages[0])
    assert "Routeversie Berekend met routeversie 1 (gepubliceerd op 5 januari 2026)" in cover
    start = next(i for i, p in enumerate(pages) if "Oplevering van mijlpalen" in p and i > 1)
    section = re.sub(r"\s+", " ", re.sub(r"[-‐]\n", "", "\n".join(pages[start:])))
    section = section[: section.index("BIJLAGE A")]
    for heading in ("Te laat", "Vertraagd", "Opgeleverd"):
        assert heading in section
    assert section.index("Te laat") < section.index("Vertraagd") < section.index("Opgeleverd")
    for key in ("delivered", "delayed", "overdue"):
        assert delivery[key].code in section
    assert "12 mei 2026: Opgeleverd aan de ledenvergadering" in section
    assert "2 jun 2026: De leverancier levert later" in section
    assert "Na de peildatum" not in section


def test_the_workbook_names_the_version_and_has_the_delivery_sheet(wallet_answers, delivery):
    _publish_40()
    data = build_report_data(as_of=AS_OF, compare_to=EARLY)
    content = write_xlsx(data, generated_at=GENERATED_AT, generated_by="Sectorstaf")
    workbook = load_workbook(io.BytesIO(content))
    facts = {row[0]: row[1] for row in workbook["Samenvatting"].iter_rows(values_only=True)}
    assert facts["Routeversie"] == (
        "Berekend met routeversie 2 (gepubliceerd op 15-04-2026); "
        "de vergelijkingsdatum met routeversie 1 (gepubliceerd op 05-01-2026)"
    )
    rows = list(workbook["Oplevering mijlpalen"].iter_rows(values_only=True))
    header = list(rows[0])
    assert header == [
        "Oplevering", "Code", "Mijlpaal", "Thema", "Trekker", "Opleverdatum", "Status",
        "Laatste wijziging", "Reden",
    ]  # fmt: skip
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    delivered = by_code[delivery["delivered"].code]
    assert delivered["Oplevering"] == "opgeleverd" and delivered["Status"] == "opgeleverd"
    assert delivered["Reden"] == "Opgeleverd aan de ledenvergadering"
    assert delivered["Laatste wijziging"] == datetime.datetime(2026, 5, 12)
    assert by_code[delivery["delayed"].code]["Oplevering"] == "vertraagd"
    assert by_code[delivery["overdue"].code]["Oplevering"] == "te laat"
    assert delivery["delivered_late"].code not in by_code
    # After the counts and the institutions still needed (Nog nodig, In dit tempo).
    assert workbook["Data"].cell(row=1, column=16).value == "Routeversie"
