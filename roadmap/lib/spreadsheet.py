"""Text that goes into a cell of a file someone opens in a spreadsheet (answer exports, report
workbooks and CSVs): never run as a formula, never refused by Excel."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection: a
# toelichting "=HYPERLINK(...)" would become a live link or worse on a colleague's machine).
FORMULA_TRIGGERS = frozenset("=+-@\t\r")


def neutralise_formula(text: str) -> str:
    """The text with a leading quote when a spreadsheet would read it as a formula."""
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def excel_text(text: str, max_length: int | None = None) -> str:
    """Text an Excel cell can hold and will not run: without the control characters that XML
    cannot hold (they carry no meaning here), at most ``max_length`` long."""
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", text)[:max_length])
