"""The PDF report's charts: one target's series against its goal and trajectory, as SVG.

Pure functions, rows in and SVG text out. The SVG keeps its text as text (svg.fonttype "none"),
so WeasyPrint draws the chart as vector paths and real glyphs: sharp in print and searchable.
The colours are the dashboards' (indicators.charts), with 3:1 contrast on white, and the lines
also differ in width and dash pattern, so that the chart reads in black and white too. The
report's caption carries the legend.

A report draws one chart per target (~33), and both matplotlib and WeasyPrint's SVG renderer
spend their time per drawn object. So the axes are drawn by hand with a few texts and line
collections instead of matplotlib's tick machinery (five objects per tick), and the series has
no per-point markers: the chart costs ~15 ms here instead of ~150 ms, and WeasyPrint draws a
quarter of the nodes.
"""

import datetime
import io
import math
from collections.abc import Iterable, Mapping

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import blended_transform_factory

from reports.display import number, with_unit
from roadmap.lib.colours import BRAND, GOAL, TRAJECTORY

CM = 1 / 2.54
SIZE_CM = (16, 6)
# The plot area inside the figure (left, bottom, width, height as fractions).
PLOT = (0.075, 0.13, 0.905, 0.8)
INK = "#1b1f24"
MUTED = "#4d5661"
GRID = "#d5dce4"
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
# The vertical line at the target's deadline; the report's caption and key figures use the
# same word.
DEADLINE_LABEL = "streefdatum"
# The legend in the report's caption names these styles.
SERIES_STYLE = {"color": BRAND, "linewidth": 1.8, "solid_capstyle": "round"}
GOAL_STYLE = {"color": GOAL, "linewidth": 1.0, "linestyle": (0, (5, 3))}
TRAJECTORY_STYLE = {"color": TRAJECTORY, "linewidth": 1.0, "linestyle": (0, (1, 1.6))}

# Per chart, not global: rc_context restores the previous settings afterwards.
RC = {
    "svg.fonttype": "none",  # text stays text: WeasyPrint sets it in the document's font
    "svg.hashsalt": "routekaart",  # stable ids: the same data gives the same SVG
    "font.family": "DejaVu Sans",
    "font.size": 7,
    "text.color": INK,
    "text.parse_math": False,  # a unit such as "$/jaar" is text, not mathtext
}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


Point = tuple[datetime.date, float | None, int]


def _points(series_rows: Iterable[Mapping]) -> list[Point]:
    points = []
    for row in series_rows:
        value, answered = row.get("value"), row.get("answered")
        points.append(
            (
                row["date"],
                None if _missing(value) else float(value),
                1 if _missing(answered) else int(answered),
            )
        )
    return sorted(points, key=lambda point: point[0])


def trajectory(
    series_rows: Iterable[Mapping], goal: float, deadline: datetime.date
) -> tuple[tuple[datetime.date, float], tuple[datetime.date, float]] | None:
    """The pace needed: from the first point with answers (the baseline of
    indicators.figures) to the goal at the deadline; None without such a point before it."""
    return _trajectory(_points(series_rows), float(goal), deadline)


def _trajectory(points: list[Point], goal: float, deadline: datetime.date):
    start = next(((d, v) for d, v, answered in points if v is not None and answered > 0), None)
    if start is None or start[0] >= deadline:
        return None
    return start, (deadline, goal)


def _x_axis(first: datetime.date, last: datetime.date):
    """Tick marks and labels for the time axis. Over a long span: a mark at each new year and
    the year's number in the middle of its stretch; over a short one: labelled months."""
    months = (last.year - first.year) * 12 + last.month - first.month
    if months > 20:
        marks = [datetime.date(y, 1, 1) for y in range(first.year + 1, last.year + 1)]
        labels = []
        for year in range(first.year, last.year + 1):
            start = max(first, datetime.date(year, 1, 1))
            end = min(last, datetime.date(year, 12, 31))
            if (end - start).days >= 75:  # room for the label
                labels.append((start + (end - start) / 2, str(year)))
        return marks, labels
    step = 1 if months <= 8 else 3
    marks, day = [], datetime.date(first.year, 1, 1)
    while day <= last:
        if day >= first:
            marks.append(day)
        month = day.month - 1 + step
        day = datetime.date(day.year + month // 12, month % 12 + 1, 1)
    return marks, [(day, f"{MONTHS[day.month - 1]} {day.year}") for day in marks]


def _y_top(values: list[float], goal: float, unit: str) -> float:
    top = max([goal, *values, 0.0])
    if unit == "%":
        if top > 60:  # the whole scale, with room above 100% for the value's label
            return 100.0 if top <= 90 else 110.0
        return max(10.0, math.ceil(top * 1.25 / 10) * 10)
    return max(1.0, top * 1.2)


def _y_label(value: float, unit: str) -> str:
    text = number(value, 0 if float(value).is_integer() else 1)
    return f"{text}%" if unit == "%" else text


def series_chart_svg(
    series_rows: Iterable[Mapping], goal: float, deadline: datetime.date, unit: str
) -> str:
    """One target's sector value per date (rows with "date", "value" and, optionally,
    "answered"), its goal, the pace needed to reach the goal and the deadline (labelled
    "streefdatum"), 16 × 6 cm. ``unit`` as reports.display.unit_of gives it.

    No title and no legend inside: the report's caption has both. Returns the SVG as text.
    """
    points = _points(series_rows)
    goal = float(goal)
    line = _trajectory(points, goal, deadline)
    days = [day for day, _, _ in points]
    known = [value for _, value, _ in points if value is not None]
    first, last = min([*days, deadline]), max([*days, deadline])
    pad = datetime.timedelta(days=max(15, (last - first).days // 60))
    top = _y_top(known, goal, unit)
    # Percentages tick in quarters up to 100%, also when the scale leaves room above it.
    locator = MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10])
    y_ticks = [
        y for y in locator.tick_values(0, min(top, 100.0) if unit == "%" else top) if 0 <= y <= top
    ]

    with rc_context(RC):
        figure = Figure(figsize=(SIZE_CM[0] * CM, SIZE_CM[1] * CM))
        axes = figure.add_axes(PLOT)
        axes.set_axis_off()  # the axes are drawn below, with far fewer objects
        axes.set_xlim(first - pad, last + pad)
        axes.set_ylim(0, top)
        along_x = blended_transform_factory(axes.transData, axes.transAxes)
        along_y = blended_transform_factory(axes.transAxes, axes.transData)

        # Value axis: gridlines and labels; time axis: a base line, tick marks and labels.
        axes.hlines(y_ticks[1:], 0, 1, transform=along_y, colors=GRID, linewidths=0.5, zorder=0)
        axes.hlines([0], 0, 1, transform=along_y, colors=MUTED, linewidths=0.7, zorder=1)
        for y in y_ticks:
            label = _y_label(y, unit)
            axes.text(-0.008, y, label, transform=along_y, ha="right", va="center", color=MUTED)
        if unit != "%":  # the unit above the value axis, from the figure's left edge
            figure.text(0.004, PLOT[1] + PLOT[3] + 0.015, unit, ha="left", va="bottom", color=MUTED)
        marks, labels = _x_axis(first - pad, last + pad)
        axes.vlines(marks, -0.04, 0, transform=along_x, colors=MUTED, linewidths=0.6, clip_on=False)
        for day, label in labels:
            axes.text(day, -0.045, label, transform=along_x, ha="center", va="top", color=MUTED)

        axes.vlines([deadline], 0, 1, transform=along_x, colors=MUTED, linewidths=0.6, zorder=1)
        axes.text(
            deadline,
            0.985,
            f"{DEADLINE_LABEL} ",
            transform=along_x,
            ha="right",
            va="top",
            color=MUTED,
        )
        axes.axhline(goal, zorder=2, **GOAL_STYLE)
        if line:
            (start_day, start_value), (end_day, end_value) = line
            axes.plot([start_day, end_day], [start_value, end_value], zorder=3, **TRAJECTORY_STYLE)
        if days:
            values = [math.nan if value is None else value for _, value, _ in points]
            axes.plot(days, values, zorder=4, **SERIES_STYLE)
        latest = next(((d, v) for d, v, _ in reversed(points) if v is not None), None)
        if latest:
            axes.plot([latest[0]], [latest[1]], marker="o", markersize=3.2, color=BRAND, zorder=5)
            axes.annotate(
                with_unit(latest[1], unit), xy=latest, xytext=(0, 4.5), textcoords="offset points",
                ha="center", va="bottom", color=BRAND, fontsize=7.5, fontweight="bold", zorder=5,
            )  # fmt: skip

        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
