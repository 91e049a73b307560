"""The in-process report timings of the benchmarks."""

import datetime

from benchmarks import data, recompute, reports


def test_a_report_is_timed_per_format(db):
    today = datetime.date(2026, 11, 25)
    data.generate_data(institutions=3, months=3, today=today)
    recompute.time_recompute(today=today)
    (timing,) = reports.time_reports(
        as_of=datetime.date(2026, 10, 15), compare_to=datetime.date(2025, 10, 31), formats=["csv"]
    )
    assert (timing.file_format, timing.seconds > 0, timing.size > 1000) == ("csv", True, True)
