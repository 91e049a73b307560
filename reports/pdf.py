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
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.safestring import SafeString
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from indicators.method import render_method_text
from reports import display
from reports.pdf_charts import series_chart_svg, trajectory
from reports.tables import DELIVERY_GROUPS, SUMMARY_COLUMNS, ReportData, summary_group
from themes.layers import COUNTING_RULE
from themes.models import Theme

TITLE = "Voortgang mbo digitaliseringsroute"
STYLESHEET = "css/report_pdf.css"
# The summary's groups as CSS classes (the status colours of report_pdf.css).
GROUP_CLASSES = dict(
    zip(SUMMARY_COLUMNS, ["reached", "on-track", "risk", "behind", "unknown"], strict=True)
)


def write_pdf(data: ReportData, *, generated_at: datetime.datetime, generated_by: str) -> bytes:
    """The report as PDF bytes: cover (with the route version it was computed against),
    contents, summary, one chapter per theme with a chart per target, the milestones of the
    year, the overdue, delayed and delivered milestones with their reasons, the institution's
    own answers (institution reports) and the appendices (method, institutions without a
    recent answer)."""
    with translation.override("nl"):
        html = render_to_string(
            "reports/report_pdf.html", _context(data, generated_at, generated_by)
        )
    return html_to_pdf(html)


def html_to_pdf(html: str) -> bytes:
    """HTML in the reports' print design as tagged PDF (PDF/UA-1) bytes. The HTML links
    report_pdf.css relative to the stylesheet's folder; only our own files and data: URIs (the
    charts) are fetched, never anything from the network."""
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
    return display.goal_text(row.measure, row.unit, row.goal_value)


def _value(row, value) -> str:
    return display.value_text(row.measure, row.unit, value)


def _key_figures(row) -> dict:
    """The target's key figures with the unit once below each number when it is a word (a
    score such as "NBA-niveau"), so that the narrow columns hold them; % stays with the number
    and a milestone target shows words (behaald, nog niet behaald) instead of numbers."""
    unit = display.unit_of(row.measure, row.unit)
    if unit in (display.PERCENT, ""):
        return {
            "goal": _goal(row),
            "value": _value(row, row.value),
            "change": display.change_text(row.measure, row.unit, row.change),
            "expected": display.expected_text(row.measure, row.unit, row.expected_value),
            "unit": "",
        }

    def bare(value, missing: str) -> str:
        return missing if _missing(value) else display.number(value)

    change = bare(row.change, "—")
    if not _missing(row.change) and row.change > 0 and change != display.number(0):
        change = "+" + change
    return {
        "goal": display.number(row.goal_value),
        "value": bare(row.value, "onbekend"),
        "change": change,
        "expected": bare(row.expected_value, "—"),
        "unit": unit,
    }


# --- Charts ---------------------------------------------------------------------------------


def _chart(row, series: pd.DataFrame) -> dict:
    rows = series.to_dict("records")
    svg = series_chart_svg(
        rows, row.goal_value, row.deadline, display.unit_of(row.measure, row.unit) or "%"
    )
    return {
        "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"),
        "alt": _chart_alt(row, rows),
        "has_trajectory": trajectory(rows, row.goal_value, row.deadline) is not None,
    }


def _chart_alt(row, rows: list[dict]) -> str:
    """The chart's numbers in words, for screen readers (the PDF's /Alt of the figure)."""
    known = [r for r in rows if not _missing(r["value"])]
    parts = [f"Grafiek van sectordoel {row.target}: {row.title}"]
    if known:
        first, last = known[0], known[-1]
        parts.append(
            f"De sectorwaarde gaat van {_value(row, first['value'])} op {long_date(first['date'])}"
            f" naar {_value(row, last['value'])} op {long_date(last['date'])}"
            f" ({len(known)} peildata)."
        )
    else:
        parts.append("Er is nog geen sectorwaarde.")
    parts.append(f"Streefwaarde {_goal(row)} op de streefdatum {long_date(row.deadline)}.")
    line = trajectory(rows, row.goal_value, row.deadline)
    if line:
        (start, start_value), _ = line
        parts.append(
            f"Het benodigde tempo loopt in een rechte lijn van {_value(row, start_value)}"
            f" op {long_date(start)} naar de streefwaarde op de streefdatum."
        )
    expected = display.expected_text(row.measure, row.unit, row.expected_value)
    if expected != "—":
        parts.append(f"Verwacht op de peildatum: {expected}.")
    return " ".join(parts)


# --- The document's parts -------------------------------------------------------------------


def _needed(row) -> dict | None:
    """A share target's institutions still needed on the as-of date, against the goal in force
    then (reports.tables, indicators.needed); None for another target or where withheld."""
    if display.is_blank(row.institutions_needed):
        return None
    expected_on = None if _missing(row.needed_expected_on) else row.needed_expected_on
    return {
        "count": int(row.institutions_needed),
        "goal": int(row.institutions_goal),
        "active": int(row.active),
        "quarter": display.quarter_text(expected_on),
        "after_deadline": expected_on is not None and expected_on > row.deadline,
    }


def _target(row, series: pd.DataFrame, number_: int) -> dict:
    return {
        "number": number_,
        "code": row.target,
        "title": row.title,
        "goal": _goal(row),
        "deadline_short": short_date(row.deadline),
        "value": _value(row, row.value),
        "key": _key_figures(row),
        "coverage": f"{display.number(row.coverage, 0)}%",
        "answered": int(row.answered),
        "active": int(row.active),
        "status_label": display.status_label(row.status),
        "group_class": GROUP_CLASSES[summary_group(row.status)],
        "projected_on": long_date(row.projected_on),
        "needed": _needed(row),
        # Staff's override in force on the as-of date, shown beside the computed status.
        "override": None
        if display.is_blank(row.override_status)
        else {
            "status": display.status_label(row.override_status),
            "reason": row.override_reason,
            "set_by": row.override_set_by,
            "until": long_date(row.override_ends_on),
        },
        # A milestone target is reached on a day: a line from 0 to 100% would tell nothing.
        "chart": None if display.is_milestone(row.measure) else _chart(row, series),
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
                "label": row["thema"],
                "href": f"#thema-{codes.get(row['thema'], '')}",
                "counts": counts,
                "total": total,
                "segments": segments,
            }
        )
    distinct = data.targets.drop_duplicates("target")
    groups = distinct["status"].map(summary_group).value_counts()
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


# The milestone table's columns after the milestone itself and its line: each is shown only
# when it says something, i.e. when some row has a value and, for a status, when not every
# milestone has the same one (then one sentence says which). A later column (e.g. a delivery
# status) is one more entry here.
MILESTONE_COLUMNS = (
    # key, header, only when the rows differ
    ("moment", "Moment", False),
    ("owners", "Bijdragers", False),
    ("status", "Status", True),
)


def _milestone_cells(row: dict) -> dict:
    return {
        "moment": long_date(row["due_date"]) or row["when"] or "",
        "owners": row["owners"] or "",
        "status": display.milestone_status_label(row["status"]),
    }


def _milestones(data: ReportData) -> dict:
    """The year's milestones per theme, in the route's order. Each theme's table has only the
    columns that say something about its milestones; a status every milestone shares is said
    once above the tables."""
    rows = [(row, _milestone_cells(row)) for row in data.milestones.to_dict("records")]
    notes, shared = [], set()
    for key, header, only_when_different in MILESTONE_COLUMNS:
        values = {cells[key] for _, cells in rows}
        if only_when_different and len(values) == 1:
            notes.append(f"Alle mijlpalen hebben de {header.lower()} “{values.pop()}”.")
            shared.add(key)
    by_theme: dict[str, list] = {}
    for row, cells in rows:
        by_theme.setdefault(row["theme"], []).append((row, cells))
    themes = []
    for name, theme_rows in by_theme.items():
        columns = [
            {"key": key, "header": header}
            for key, header, _ in MILESTONE_COLUMNS
            if key not in shared and any(cells[key] for _, cells in theme_rows)
        ]
        themes.append(
            {
                "name": name,
                "columns": columns,
                "rows": [
                    {
                        "title": row["title"],
                        "headline": bool(row["headline"]),
                        "line": row["line"],
                        "cells": [cells[c["key"]] or "—" for c in columns],
                    }
                    for row, cells in theme_rows
                ],
            }
        )
    return {"count": len(rows), "themes": themes, "notes": notes}


DELIVERY_HEADINGS = {"overdue": "Te laat", "delayed": "Vertraagd", "delivered": "Opgeleverd"}
DELIVERY_INTROS = {
    "overdue": "Voorbij de opleverdatum en niet opgeleverd of vervallen.",
    "delayed": "Vertraagd, de opleverdatum is nog niet voorbij.",
    "delivered": "Opgeleverd.",
}


def _delivery(data: ReportData) -> list[dict]:
    """The overdue, delayed and delivered milestones on the as-of date, a group each, with the
    date and reason of their last status change (reports.tables.milestone_delivery)."""
    groups = []
    records = data.delivery.to_dict("records")
    for group in DELIVERY_GROUPS:
        rows = [
            {
                "code": row["code"],
                "title": row["title"],
                "theme": row["theme"],
                "lead_partner": row["lead_partner"] or "—",
                "due_date": short_date(row["due_date"]),
                "status": display.milestone_status_label(row["status"]),
                "changed_on": short_date(row["changed_on"]),
                "reason": row["reason"],
            }
            for row in records
            if row["group"] == group
        ]
        if rows:
            groups.append(
                {
                    "key": group,
                    "heading": DELIVERY_HEADINGS[group],
                    "intro": DELIVERY_INTROS[group],
                    "rows": rows,
                }
            )
    return groups


def _route_version(version) -> dict | None:
    if version is None:
        return None
    published = timezone.localtime(version.published_at).date()
    return {"number": version.number, "published_on": long_date(published)}


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


def _rates(data: ReportData) -> list[dict] | None:
    """The response of the latest rounds closed by the as-of date (sector reports only)."""
    if data.rates is None:
        return None
    return [
        {
            "round": row["round"],
            "closes_on": short_date(row["closes_on"]),
            **{key: int(row[key]) for key in ("expected", "reported", "on_time", "late", "never")},
            "rate": "—" if display.is_blank(row["rate"]) else f"{int(row['rate'])}%",
        }
        for row in data.rates.to_dict("records")
    ]


def _layer_table(table) -> dict:
    """A themes.layers.LayerStatusTable as the template reads it."""
    return {
        "statuses": [{"label": str(label)} for _value, label in table.statuses],
        "rows": [
            {"label": row.label, "counts": row.counts, "total": row.total} for row in table.rows
        ],
        "totals": table.totals,
        "total": table.total,
    }


def _layers(data: ReportData) -> dict:
    """The chapter "Per laag": the dashboard's tables, counted by the same rule."""
    return {
        "layer": data.layer.name if data.layer else None,
        "tables": [
            ("Sectordoelen per laag en voortgang", _layer_table(data.targets_by_layer)),
            ("Mijlpalen per laag en status", _layer_table(data.milestones_by_layer)),
        ],
        "rule": str(COUNTING_RULE),
    }


def _not_answered(data: ReportData) -> list[dict]:
    return [
        {"name": row["institution"], "last_answer": short_date(row["last_answer"]) or "nooit"}
        for row in data.not_answered.to_dict("records")
    ]


def _method(stale_days: int) -> SafeString:
    """The method page's own text in the report's language (the active one while rendering)."""
    return render_method_text(translation.get_language(), stale_days)


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
        "layers": _layers(data),
        "milestones": _milestones(data),
        "delivery": _delivery(data),
        "delivery_count": len(data.delivery),
        "route_version": _route_version(data.route_version),
        # Named only when the comparison date was judged against another version.
        "compare_route_version": _route_version(data.compare_route_version)
        if data.compare_route_version and data.compare_route_version != data.route_version
        else None,
        "own_answers": _own_answers(data),
        "not_answered": _not_answered(data),
        "rates": _rates(data),
        "stale_days": data.stale_days,
        "method": _method(data.stale_days),
    }
