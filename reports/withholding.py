"""A report made by someone who may not see institutions' answers (a CIO) follows the same
small-group rule as the public pages (indicators.privacy): a figure from fewer answers than
the minimum group size is withheld, and public values are rounded as the pages round them:
to one decimal, or coarser where the group is small (privacy.public_step). The institutions
still needed for a share target are the figure's count, so they go wherever the counts go:
withheld with the figure, and left out in a small group too (indicators.needed)."""

import dataclasses

import pandas as pd
from django.conf import settings

from indicators import privacy
from indicators.models import ProgressStatus
from reports.tables import ReportData, summary_table, target_layer_table
from themes.models import SectorTarget

NEEDED_IN_TARGETS = [
    "institutions_needed", "institutions_goal", "needed_expected_on", "needed_expected_quarter",
]  # fmt: skip
NEEDED_IN_SERIES = ["institutions_needed", "needed_expected_on"]
WITHHELD_IN_TARGETS = ["value", "change", "expected_value", "projected_on", *NEEDED_IN_TARGETS]
WITHHELD_IN_SERIES = ["value", "expected_value", *NEEDED_IN_SERIES]


def _below(frame: pd.DataFrame, answered_column: str, size: int) -> pd.Series:
    """privacy.below_group_size per row; a row without a count (no comparison) is not."""
    return pd.Series(
        [
            pd.notna(answered) and privacy.below_group_size(measure, answered, size)
            for measure, answered in zip(frame["measure"], frame[answered_column], strict=True)
        ],
        index=frame.index,
        dtype=bool,
    )


def _too_few(frame: pd.DataFrame, answered_column: str) -> pd.Series:
    return _below(frame, answered_column, settings.MIN_GROUP_SIZE)


def _small_group(frame: pd.DataFrame, answered_column: str) -> pd.Series:
    # Where the counts are not public (privacy.in_small_group).
    return _below(frame, answered_column, settings.SMALL_GROUP_SIZE)


def _blank(frame: pd.DataFrame, rows: pd.Series, columns: list[str]) -> None:
    for column in columns:
        frame[column] = frame[column].astype(object)
        frame.loc[rows, column] = None


def _withhold(frame: pd.DataFrame, rows: pd.Series, columns: list[str]) -> pd.DataFrame:
    frame = frame.copy()
    _blank(frame, rows, columns)
    frame.loc[rows, "status"] = ProgressStatus.WITHHELD.value
    if "status_label" in frame:
        frame.loc[rows, "status_label"] = str(ProgressStatus.WITHHELD.label)
    return frame


def _round(
    frame: pd.DataFrame, column: str, answered_column: str, targets: dict[str, SectorTarget]
) -> None:
    """Rounds a value column as the pages round it: by the step its own group size allows."""
    frame[column] = [
        privacy.rounded(value, privacy.public_step(targets[code], answered, active))
        for value, code, answered, active in zip(
            frame[column], frame["target"], frame[answered_column], frame["active"], strict=True
        )
    ]


def withhold_small_groups(data: ReportData) -> ReportData:
    targets_by_code = SectorTarget.objects.in_bulk(
        set(data.targets["target"]) | set(data.series["target"]), field_name="code"
    )
    targets = _withhold(data.targets, _too_few(data.targets, "answered"), WITHHELD_IN_TARGETS)
    _blank(targets, _small_group(targets, "answered"), NEEDED_IN_TARGETS)
    # The comparison figure is judged by its own count: a small group then is withheld too.
    compare_small = _too_few(targets, "compare_answered")
    targets.loc[compare_small, ["compare_value", "change"]] = None
    _round(targets, "value", "answered", targets_by_code)
    _round(targets, "compare_value", "compare_answered", targets_by_code)
    # The change is that of the published values, so it gives away no more than they do.
    targets["change"] = [
        None if change is None or change != change or value is None or compare is None
        else privacy.rounded(value - compare)
        for change, value, compare in zip(
            targets["change"], targets["value"], targets["compare_value"], strict=True
        )
    ]  # fmt: skip
    _round(targets, "expected_value", "answered", targets_by_code)
    series = _withhold(data.series, _too_few(data.series, "answered"), WITHHELD_IN_SERIES)
    _blank(series, _small_group(series, "answered"), NEEDED_IN_SERIES)
    _round(series, "value", "answered", targets_by_code)
    _round(series, "expected_value", "answered", targets_by_code)
    return dataclasses.replace(
        data,
        targets=targets,
        series=series,
        summary=summary_table(targets, data.themes),
        targets_by_layer=target_layer_table(targets),
    )
