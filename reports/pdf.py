"""The progress report as a print-ready, tagged PDF (PDF/UA-1), in Dutch, on A4.

Django renders templates/reports/report_pdf.html from the report's tables (reports.tables) and
WeasyPrint lays it out; static/css/report_pdf.css holds the print design (running footer, page
numbers, table of contents). Every text from the data passes Django's autoescaping. The charts
are SVG (reports.pdf_charts), so they stay vector graphics in the PDF. Nothing is cached between
reports: each call renders from its own data.
"""

import base64
import datetime
import math
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BlockNode, ExtendsNode
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from indicators.models import ProgressStatus
from reports.pdf_charts import number, series_chart_svg, trajectory, with_unit
from reports.tables import SUMMARY_COLUMNS, SUMMARY_GROUPS, ReportData
from themes.models import SectorTarget, Theme

TITLE = "Voortgang mbo digitaliseringsroute"
STYLESHEET = "css/report_pdf.css"
METHOD_TEMPLATE = "indicators/method.html"
# The summary's groups as CSS classes (the status colours of report_pdf.css).
GROUP_CLASSES = dict(
    zip(SUMMARY_COLUMNS, ["reached", "on-track", "risk", "behind", "unknown"], strict=True)
)


def write_pdf(data: ReportData, *, generated_at: datetime.datetime, generated_by: str) -> bytes:
    """The report as PDF bytes: cover, contents, summary, one chapter per theme with a chart
    per target, the milestones of the year, the institution's own answers (institution
    reports) and the appendices (method, institutions without a recent answer)."""
    with translation.override("nl"):
        html = render_to_string(
            "reports/report_pdf.html", _context(data, generated_at, generated_by)
        )
    # The template links its stylesheet relative to this folder. Only our own files and data:
    # URIs (the charts) are fetched, never anything from the network.
    stylesheet = finders.find(STYLESHEET)
    if not stylesheet:
        raise FileNotFoundError(f"static file {STYLESHEET} not found")
    base_url = Path(stylesheet).parent.as_uri() + "/"
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1"
    )


# --- Formatting -----------------------------------------------------------------------------


def _missing(value) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def long_date(day: datetime.date | None) -> str:
    return "" if _missing(day) else formats.date_format(day, "j F Y")


def short_date(day: datetime.date | None) -> str:
    return "" if _missing(day) else formats.date_format(day, "j b Y")  # 31 dec 2028


def _goal(row) -> str:
    if row.measure == SectorTarget.Measure.MILESTONE:
        return "behaald"
    places = 0 if row.unit == "%" and float(row.goal_value).is_integer() else 1
    return with_unit(row.goal_value, row.unit, places)


def _value(row, value) -> str:
    if _missing(value):
        return "onbekend"
    if row.measure == SectorTarget.Measure.MILESTONE:
        return "behaald" if value >= row.goal_value else "niet behaald"
    return with_unit(value, row.unit)


def _change(row, *, unit: bool = True) -> str:
    if _missing(row.change):
        return "—"
    sign = "+" if row.change > 0 and number(row.change) != "0,0" else ""
    if row.measure == SectorTarget.Measure.MILESTONE:
        return "behaald" if row.change > 0 else "—"
    if row.unit == "%":
        return f"{sign}{number(row.change)} %-punt"
    return f"{sign}{number(row.change)} {row.unit}" if unit else f"{sign}{number(row.change)}"


def _key_figures(row) -> dict:
    """The target's key figures with the unit once below each number when it is a word (a
    score such as "NBA-niveau"), so that the narrow columns hold them; % stays with the number."""
    if row.unit == "%" or row.measure == SectorTarget.Measure.MILESTONE:
        expected = "—" if _missing(row.expected_value) else _value(row, row.expected_value)
        return {
            "goal": _goal(row),
            "value": _value(row, row.value),
            "change": _change(row),
            "expected": expected,
            "unit": "",
        }

    def bare(value) -> str:
        return "onbekend" if _missing(value) else number(value)

    return {
        "goal": number(row.goal_value),
        "value": bare(row.value),
        "change": _change(row, unit=False),
        "expected": "—" if _missing(row.expected_value) else number(row.expected_value),
        "unit": row.unit,
    }


# --- Charts ---------------------------------------------------------------------------------


def _chart(row, series: pd.DataFrame) -> dict:
    rows = series.to_dict("records")
    svg = series_chart_svg(rows, row.goal_value, row.deadline, row.unit)
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
        "alt": _chart_alt(row, rows),
        "has_trajectory": trajectory(rows, row.goal_value, row.deadline) is not None,
    }


def _chart_alt(row, rows: list[dict]) -> str:
    """The chart's numbers in words, for screen readers (the PDF's /Alt of the figure)."""
    known = [r for r in rows if not _missing(r["value"])]
    parts = [f"Grafiek van sectordoel {row.target}."]
    if known:
        first, last = known[0], known[-1]
        parts.append(
            f"De sectorwaarde gaat van {_value(row, first['value'])} op {long_date(first['date'])}"
            f" naar {_value(row, last['value'])} op {long_date(last['date'])}"
            f" ({len(known)} peildata)."
        )
    else:
        parts.append("Er is nog geen sectorwaarde.")
    parts.append(f"Streefwaarde {_goal(row)} op de deadline {long_date(row.deadline)}.")
    line = trajectory(rows, row.goal_value, row.deadline)
    if line:
        (start, start_value), _ = line
        parts.append(
            f"Het benodigde tempo loopt in een rechte lijn van {_value(row, start_value)}"
            f" op {long_date(start)} naar de streefwaarde op de deadline."
        )
    if not _missing(row.expected_value):
        parts.append(f"Verwacht op de peildatum: {_value(row, row.expected_value)}.")
    return " ".join(parts)


# --- The document's parts -------------------------------------------------------------------


def _target(row, series: pd.DataFrame, number_: int) -> dict:
    return {
        "number": number_,
        "code": row.target,
        "title": row.title,
        "goal": _goal(row),
        "deadline_short": short_date(row.deadline),
        "value": _value(row, row.value),
        "key": _key_figures(row),
        "coverage": f"{number(row.coverage, 0)}%",
        "answered": int(row.answered),
        "active": int(row.active),
        "status_label": str(row.status_label),
        "group_class": GROUP_CLASSES[SUMMARY_GROUPS[ProgressStatus(row.status)]],
        "projected_on": long_date(row.projected_on),
        "chart": _chart(row, series),
    }


def _themes(data: ReportData) -> list[dict]:
    series_by_target = dict(tuple(data.series.groupby("target", sort=False)))
    empty = data.series.iloc[0:0]
    chapters, figure = [], 0
    for theme in data.themes:
        targets = []
        for row in data.targets[data.targets["theme"] == theme.code].itertuples(index=False):
            figure += 1
            targets.append(_target(row, series_by_target.get(row.target, empty), figure))
        chapters.append(
            {"code": theme.code, "name": theme.name, "purpose": theme.purpose, "targets": targets}
        )
    return chapters


def _summary(data: ReportData) -> dict:
    codes = {theme.name: theme.code for theme in data.themes}
    rows = []
    for row in data.summary.to_dict("records"):
        counts = [int(row[column]) for column in SUMMARY_COLUMNS]
        total = sum(counts)
        segments = [
            {"count": n, "class": GROUP_CLASSES[c], "percent": f"{100 * n / total:.2f}"}
            for c, n in zip(SUMMARY_COLUMNS, counts, strict=True)
            if n
        ]
        rows.append(
            {
                "theme": row["thema"],
                "code": codes.get(row["thema"], ""),
                "counts": counts,
                "total": total,
                "segments": segments,
            }
        )
    distinct = data.targets.drop_duplicates("target")
    groups = distinct["status"].map(SUMMARY_GROUPS).value_counts()
    totals = [int(groups.get(column, 0)) for column in SUMMARY_COLUMNS]
    return {
        "columns": [{"label": c, "class": GROUP_CLASSES[c]} for c in SUMMARY_COLUMNS],
        "rows": rows,
        "totals": totals,
        "tiles": [
            {"label": c, "class": GROUP_CLASSES[c], "count": n}
            for c, n in zip(SUMMARY_COLUMNS, totals, strict=True)
        ],
        "target_count": len(distinct),
        "shared": len(data.targets) > len(distinct),
    }


def _milestones(data: ReportData) -> list[dict]:
    """The milestones grouped by status, in the tables' order (delayed first)."""
    groups = []
    for row in data.milestones.to_dict("records"):
        if not groups or groups[-1]["status"] != row["status"]:
            groups.append({"status": row["status"], "label": str(row["status_label"]), "rows": []})
        groups[-1]["rows"].append(
            {
                "theme": row["theme"],
                "line": row["line"],
                "title": row["title"],
                "when": long_date(row["due_date"]) or row["when"] or "—",
            }
        )
    return groups


def _own_answers(data: ReportData) -> list[dict] | None:
    if data.own_answers is None:
        return None
    sector = {
        row.target: row for row in data.targets.drop_duplicates("target").itertuples(index=False)
    }
    rows = []
    for own in data.own_answers.to_dict("records"):
        target = sector.get(own["target"])
        rows.append(
            {
                "code": own["target"],
                "title": own["title"],
                "answer": "geen antwoord" if _missing(own["answer"]) else own["answer"],
                "applies_on": short_date(own["applies_on"]),
                "sector": _value(target, target.value) if target is not None else "—",
            }
        )
    return rows


def _not_answered(data: ReportData) -> list[dict]:
    return [
        {"name": row["institution"], "last_answer": short_date(row["last_answer"]) or "nooit"}
        for row in data.not_answered.to_dict("records")
    ]


def _method(stale_days: int) -> SafeString:
    """The method page's own text (its "content" block), so that the appendix and the website
    never tell two stories. Rendered with the same settings the page shows."""
    template = get_template(METHOD_TEMPLATE).template
    extends = template.nodelist.get_nodes_by_type(ExtendsNode)
    blocks = extends[0].blocks if extends else {}
    block = blocks.get("content") or next(
        (b for b in template.nodelist.get_nodes_by_type(BlockNode) if b.name == "content"), None
    )
    if block is None:
        raise LookupError(f"{METHOD_TEMPLATE} has no content block")
    context = Context(
        {
            "indicative_below": settings.INDICATIVE_COVERAGE_BELOW,
            "stale_days": stale_days,
        },
        autoescape=True,
    )
    # As Template.render does: tags such as {% static %} read the template's engine.
    with context.render_context.push_state(template), context.bind_template(template):
        return SafeString(block.nodelist.render(context))


def _context(data: ReportData, generated_at: datetime.datetime, generated_by: str) -> dict:
    if timezone.is_aware(generated_at):
        generated_at = timezone.localtime(generated_at)
    all_themes = len(data.themes) == Theme.objects.count()
    title = f"{TITLE} · {data.institution.name}" if data.institution else TITLE
    return {
        "title": title,
        "heading": TITLE,
        "institution": data.institution,
        "as_of": long_date(data.as_of),
        "as_of_year": data.as_of.year,
        "compare_to": long_date(data.compare_to),
        "compare_to_short": short_date(data.compare_to),
        "generated_on": long_date(generated_at.date()),
        "generated_at": f"{long_date(generated_at.date())}, {generated_at:%H:%M}",
        "generated_iso": generated_at.isoformat(timespec="seconds"),
        "generated_by": generated_by,
        "scope": "alle thema’s" if all_themes else None,
        "themes": _themes(data),
        "summary": _summary(data),
        "milestones": _milestones(data),
        "own_answers": _own_answers(data),
        "not_answered": _not_answered(data),
        "stale_days": data.stale_days,
        "method": _method(data.stale_days),
    }
