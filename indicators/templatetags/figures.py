"""Template helpers that show a target's numbers one way everywhere: with its unit."""

from django import template

from indicators import charts
from themes.models import SectorTarget

register = template.Library()


@register.filter
def in_unit(value, target: SectorTarget) -> str:
    """``{{ snapshot.value|in_unit:target }}``: "12,5%", "2,4 NBA-niveau", "behaald"; a dash
    when there is no value."""
    if value is None or value == "":
        return "–"
    return target.format_value(value)


@register.filter
def sparkline(values, target: SectorTarget) -> str:
    """``{{ row.sparkline|sparkline:row.target }}``: an SVG polyline's points, or ""."""
    return charts.sparkline_points(target, values or [])
