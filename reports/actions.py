"""Requesting and generating progress reports. The Celery task wraps generate_report."""

import datetime
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.utils import timezone

from institutions.models import Institution
from reports.models import Report
from reports.tables import ReportData, build_report_data
from roadmap.lib.jobs import enqueue_after_commit

logger = logging.getLogger(__name__)

GENERATE_TASK = "reports.generate_report"


def render_report(
    data: ReportData, file_format: str, *, generated_at: datetime.datetime, generated_by: str
) -> bytes:
    """The report's tables written in one format: the same tables for PDF, Excel and CSV."""
    if file_format == Report.Format.PDF:
        from reports.pdf import write_pdf  # WeasyPrint loads pango: only when a PDF is made

        return write_pdf(data, generated_at=generated_at, generated_by=generated_by)
    if file_format == Report.Format.XLSX:
        from reports.xlsx import write_xlsx

        return write_xlsx(data, generated_at=generated_at, generated_by=generated_by)
    from reports.csv_report import write_csv

    return write_csv(data)


def do_request_report(
    *,
    user: AbstractBaseUser,
    file_format: str,
    as_of: datetime.date,
    compare_to: datetime.date | None = None,
    theme_codes: list[str] | None = None,
    institution: Institution | None = None,
) -> Report:
    """Store the request and enqueue its generation after commit."""
    report = Report.objects.create(
        format=file_format,
        as_of=as_of,
        compare_to=compare_to,
        theme_codes=sorted(theme_codes or []),
        institution=institution,
        created_by=user,
    )
    enqueue_after_commit(GENERATE_TASK, report.pk)
    return report


def do_retry_report(*, report: Report) -> Report:
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.QUEUED, progress=0, step="", error="", finished_at=None
    )
    enqueue_after_commit(GENERATE_TASK, report.pk)
    report.refresh_from_db()
    return report


def _set_progress(report_id: int, percent: int, step: str) -> None:
    # Outside any transaction, so that the page polling for progress sees each step.
    Report.objects.filter(pk=report_id).update(progress=percent, step=step)


def generate_report(report_id: int) -> Report:
    """Build the tables, write the file, and only then mark the report done.

    Idempotent: a finished report is left alone. On failure the report says what went wrong
    and has no file, so a half-written file can never be downloaded.
    """
    report = Report.objects.select_related("institution", "created_by").get(pk=report_id)
    if report.state == Report.State.DONE:
        return report
    Report.objects.filter(pk=report_id).update(
        state=Report.State.RUNNING, progress=5, step="Gegevens verzamelen", error=""
    )
    try:
        data = build_report_data(
            as_of=report.as_of,
            compare_to=report.compare_to,
            theme_codes=report.theme_codes or None,
            institution=report.institution,
            progress=lambda percent, step: _set_progress(report_id, percent, step),
        )
        _set_progress(report_id, 75, f"{report.get_format_display()} schrijven")
        who = (
            (report.created_by.get_full_name() or report.created_by.get_username())
            if report.created_by
            else "beheer"
        )
        content = render_report(data, report.format, generated_at=timezone.now(), generated_by=who)
        _set_progress(report_id, 95, "Bestand opslaan")
        report.refresh_from_db()
        # The file is written completely before the row points to it.
        report.file.save(report.filename(), ContentFile(content), save=False)
        report.state, report.progress, report.step = Report.State.DONE, 100, "Klaar"
        report.finished_at = timezone.now()
        report.save(update_fields=["file", "state", "progress", "step", "finished_at"])
    except Exception as exc:
        logger.exception("Report %s failed", report_id)
        Report.objects.filter(pk=report_id).update(
            state=Report.State.FAILED,
            step="Mislukt",
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
            file="",
        )
        raise
    return report
