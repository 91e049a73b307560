"""How a report shows a target's figures: its unit, its numbers as text and its Excel formats.

One place, so that the PDF, the Excel workbook and the CSV show every value, goal and expected
value with the same unit: "%" for the percentage measures (whatever the target's unit field
says), the target's own unit for a mean score ("NBA-niveau"; "score" when it has none), the
target's unit word for any other count, and no number at all for a milestone target, which is
reached or not yet reached (its figure is 100 or 0 in the indicators).

Every figure is shown with one decimal, in every format; the files keep the exact numbers.
Texts are translated with the active language (the PDF renders in Dutch; Excel and CSV in the
report's language).
"""

import datetime
import math

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.models import ProgressStatus
from themes.models import Milestone, SectorTarget
from themes.needed import quarter_label

PERCENT = "%"
PLACES = 1  # decimals shown for every figure


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:  # pd.NaT and other non-numbers
        return value != value  # NaT is not equal to itself


def is_blank(value) -> bool:
    """None, NaN, NaT or an empty text: nothing to show."""
    return value == "" if isinstance(value, str) else _missing(value)


def is_milestone(measure: str) -> bool:
    return measure == SectorTarget.Measure.MILESTONE


def unit_of(measure: str, unit: str) -> str:
    """The unit a target's figures are shown in; "" for a milestone target (no number)."""
    if is_milestone(measure):
        return ""
    if SectorTarget(measure=measure).is_percentage:
        return PERCENT
    if unit and unit != PERCENT:
        return unit
    return _("score") if measure == SectorTarget.Measure.MEAN_SCORE else ""


def number(value: float, places: int = PLACES) -> str:
    """In the active language's notation, as the pages write numbers: a decimal comma in
    Dutch, a point in English; and a real minus sign."""
    text = f"{abs(value):.{places}f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))
    return f"−{text}" if value < 0 and text.strip("0,.") else text


def with_unit(value: float, unit: str, places: int = PLACES) -> str:
    if unit == PERCENT:
        return f"{number(value, places)}%"
    return f"{number(value, places)} {unit}" if unit else number(value, places)


def milestone_label(value) -> str:
    """A milestone target's figure in words: 100 is reached, anything else is not yet."""
    return _("behaald") if not _missing(value) and value >= 100 else _("nog niet behaald")


def value_text(measure: str, unit: str, value) -> str:
    """A figure (the sector value or an institution's score) as text with its unit."""
    if _missing(value):
        return _("onbekend")
    if is_milestone(measure):
        return milestone_label(value)
    return with_unit(float(value), unit_of(measure, unit))


def goal_text(measure: str, unit: str, goal) -> str:
    """The goal with its unit; a whole percentage without decimals (30%), as in the route."""
    if is_milestone(measure):
        return _("behaald")
    unit = unit_of(measure, unit)
    goal = float(goal)
    places = 0 if unit == PERCENT and goal.is_integer() else PLACES
    return with_unit(goal, unit, places)


def expected_text(measure: str, unit: str, expected) -> str:
    """The value expected on the date; a milestone target has no pace, so none."""
    if _missing(expected) or is_milestone(measure):
        return "—"
    return with_unit(float(expected), unit_of(measure, unit))


def change_text(measure: str, unit: str, change) -> str:
    """The change since the comparison date: percentage points for percentages."""
    if _missing(change) or is_milestone(measure):
        return "—"
    sign = "+" if change > 0 and number(change) != number(0) else ""
    unit = unit_of(measure, unit)
    if unit == PERCENT:
        return f"{sign}{number(change)} " + _("%-punt")
    return f"{sign}{with_unit(change, unit)}"


# --- Institutions still needed (share targets, indicators.needed) ------------------------------

NEEDED_HEADER = gettext_lazy("Nog nodig (instellingen)")
PACE_HEADER = gettext_lazy("In dit tempo")


def quarter_text(day) -> str | None:
    """The quarter a date falls in, as the pages write it: "2029-K3" ("2029-Q3" in English).
    None for no date (reached, or no pace)."""
    if _missing(day):
        return None
    return quarter_label(day.date() if isinstance(day, datetime.datetime) else day)


def file_needed(value) -> int | None:
    """The institutions still needed as a whole number; None where there is no count (not a
    share target, or withheld)."""
    return None if _missing(value) else int(value)


def milestone_status_label(code) -> str:
    """A milestone status's label in the active language, from Milestone.Status itself (the
    PDF is Dutch whatever language the report's tables were built in)."""
    return str(Milestone.Status(code).label)


def status_label(code) -> str:
    """A progress status's label in the active language, from ProgressStatus itself."""
    return str(ProgressStatus(code).label)


# --- Files: cell values and Excel number formats -----------------------------------------------


def file_value(measure: str, value):
    """A figure as a file cell: the exact number, or the words for a milestone target."""
    if is_milestone(measure):
        return None if _missing(value) else milestone_label(value)
    return None if _missing(value) else float(value)


def file_goal(measure: str, goal):
    return _("behaald") if is_milestone(measure) else float(goal)


def file_expected(measure: str, expected):
    return None if is_milestone(measure) or _missing(expected) else float(expected)


def _quoted(text: str) -> str:
    return text.replace('"', "").replace("\\", "")


def excel_format(measure: str, unit: str) -> str:
    """An Excel number format that rounds to one decimal and shows the unit: 50.0% reads
    "50,0%" (a quoted % is text, not Excel's times-100 percent format)."""
    unit = unit_of(measure, unit)
    if unit == PERCENT:
        return '0.0"%"'
    return f'0.0" {_quoted(unit)}"' if unit else "0.0"


def excel_change_format(measure: str, unit: str) -> str:
    """The change: a sign, and percentage points for percentages."""
    unit = unit_of(measure, unit)
    suffix = " " + _("%-punt") if unit == PERCENT else (f" {unit}" if unit else "")
    suffix = f'"{_quoted(suffix)}"' if suffix else ""
    return f"+0.0{suffix};-0.0{suffix};0.0{suffix}"
