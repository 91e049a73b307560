"""Charts as plain Plotly dicts (tested as dicts; drawn by static/js/routekaart.js).

Plotly calls such a dict a "figure"; in this code a figure is a sector number
(indicators.figures.Figure) and the dicts here are charts.

Every chart has a table with the same numbers next to it for screen readers and copying.
"""

import datetime
import math

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.models import Snapshot
from institutions.models import AnswerStatus
from roadmap.lib.colours import BRAND, GOAL, TRAJECTORY
from themes.models import SectorTarget

# The answer statuses, also with 3:1 contrast against white (WCAG 1.4.11).
STATUS_COLOURS = {
    "niet_gestart": "#6b7480",
    "gepland": "#8a4b00",
    "in_uitvoering": "#005ea2",
    "gerealiseerd": "#1d6b35",
}
FONT = {"family": "system-ui, sans-serif", "size": 13, "color": "#1b1f24"}


def _month_ticks(days: list[datetime.date], most: int = 8) -> dict:
    """x-axis ticks labelled in the page's language ("dec 2026"): plotly.js would name the
    months in English. At most ``most`` ticks, evenly spread over the dates."""
    if not days:
        return {}
    step = max(1, math.ceil(len(days) / most))
    picked = days[::step]
    return {
        "tickvals": [_iso(d) for d in picked],
        "ticktext": [date_format(d, "YEAR_MONTH_FORMAT") for d in picked],
    }


def _through(end: datetime.date, days: list[datetime.date]) -> list[datetime.date]:
    """The series' days and then every month end up to ``end``: the axis runs on to the
    deadline, so its ticks must too (else the years before the deadline carry no label)."""
    days = list(days)
    month_end = days[-1] if days else end
    while True:
        next_month = (month_end.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        month_end = (next_month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(
            days=1
        )
        if days and month_end <= days[-1]:
            continue  # the series' last day lies in this month already
        if month_end > end:
            break
        days.append(month_end)
    return days


def _layout(
    title: str, y_title: str, y_range: list | None = None, days: list | None = None
) -> dict:
    layout = {
        "title": {"text": title, "font": {"size": 15}},
        "font": FONT,
        "margin": {"l": 56, "r": 16, "t": 48, "b": 48},
        "height": 340,
        "legend": {"orientation": "h", "y": -0.2},
        # Numbers only where plotly.js writes dates itself (hover), so nothing is English.
        "xaxis": {"type": "date", "hoverformat": "%d-%m-%Y", **_month_ticks(days or [])},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "hovermode": "x unified",
    }
    if y_range:
        layout["yaxis"]["range"] = y_range
    return layout


def _y_range(target: SectorTarget) -> list | None:
    if target.is_percentage or target.measure == SectorTarget.Measure.MILESTONE:
        return [0, 105]
    if target.score_min is not None and target.score_max is not None:
        return [float(target.score_min), float(target.score_max)]
    return None


def sparkline_points(
    target: SectorTarget, values: list[float | None], *, width: int = 100, height: int = 24
) -> str:
    """An SVG polyline's points for a sparkline of ``values`` (month ends, missing ones
    skipped) from the scale's bottom (0, or the lowest score) to the goal at the top, so the
    line's height says how far along the way to the goal the sector is. Empty when there are
    fewer than two points to join."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    # A milestone is reached on a day: a step from 0 to 100 would read as a share.
    if len(known) < 2 or target.measure == SectorTarget.Measure.MILESTONE:
        return ""
    low = float(target.score_min) if target.score_min is not None else 0.0
    high = max(float(target.goal_value), *(v for _i, v in known))
    span = (high - low) or 1.0
    step = width / max(1, len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{height - (min(max(v, low), high) - low) / span * height:.1f}"
        for i, v in known
    )


def _iso(day: datetime.date) -> str:
    return day.isoformat()


def series_chart(target: SectorTarget, series: list[Snapshot], baseline: Snapshot | None) -> dict:
    """The sector value over time with the goal, the trajectory to it and the deadline."""
    dates = [_iso(s.as_of) for s in series]
    goal = float(target.goal_value)
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": _("Sectorwaarde"),
            "x": dates,
            "y": [s.value for s in series],
            "line": {"color": BRAND, "width": 3},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": _("Doel (%(goal)s)") % {"goal": target.goal_display()},
            "x": [dates[0] if dates else _iso(target.deadline), _iso(target.deadline)],
            "y": [goal, goal],
            "line": {"color": GOAL, "dash": "dash"},
        },
    ]
    if baseline is not None and baseline.value is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": _("Benodigd tempo"),
                "x": [_iso(baseline.as_of), _iso(target.deadline)],
                "y": [baseline.value, goal],
                "line": {"color": TRAJECTORY, "dash": "dot"},
            }
        )
    layout = _layout(
        _("Voortgang naar het doel"),
        target.value_unit or _("waarde"),
        _y_range(target),
        _through(target.deadline, [s.as_of for s in series]),
    )
    layout["shapes"] = [
        {
            "type": "line",
            "x0": _iso(target.deadline),
            "x1": _iso(target.deadline),
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": GOAL, "width": 1},
        }
    ]
    layout["annotations"] = [
        {
            "x": _iso(target.deadline),
            "yref": "paper",
            "y": 1,
            "text": _("streefdatum"),
            "showarrow": False,
            "yanchor": "bottom",
        }
    ]
    return {"data": data, "layout": layout}


def status_distribution_chart(series: list[Snapshot]) -> dict:
    """share_adopted: how many institutions report each status, stacked, over time."""
    dates = [_iso(s.as_of) for s in series]
    data = []
    for status in AnswerStatus:
        data.append(
            {
                "type": "bar",
                "name": str(status.label),
                "x": dates,
                # A withheld point (too few answers) has no counts: a gap, not zeros.
                "y": [
                    s.details["statuses"].get(status.value, 0) if "statuses" in s.details else None
                    for s in series
                ],
                "marker": {"color": STATUS_COLOURS[status.value]},
            }
        )
    data.append(
        {
            "type": "bar",
            "name": _("geen antwoord"),
            "x": dates,
            "y": [s.active_institutions - s.answered_institutions for s in series],
            "marker": {"color": "#c9d1db"},
        }
    )
    layout = _layout(
        _("Status van de instellingen"), _("instellingen"), days=[s.as_of for s in series]
    )
    layout["barmode"] = "stack"
    return {"data": data, "layout": layout}


def coverage_chart(series: list[Snapshot], indicative_below: int) -> dict:
    dates = [_iso(s.as_of) for s in series]
    layout = _layout(
        _("Dekking: instellingen die antwoordden"), "%", [0, 105], [s.as_of for s in series]
    )
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": indicative_below,
            "y1": indicative_below,
            "line": {"color": TRAJECTORY, "dash": "dot", "width": 1},
        }
    ]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": _("Dekking"),
                "x": dates,
                "y": [s.coverage for s in series],
                "line": {"color": BRAND},
            }
        ],
        "layout": layout,
    }
