"""Requesting and generating progress reports (the Celery task wraps generate_report), and
asking for a round's assembly pack (reports.assembly.freeze_pack makes it)."""

import datetime
import logging
import os
import tempfile
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from indicators import privacy
from institutions.models import Institution
from reports import assembly
from reports.models import AssemblyPack, Report
from reports.tables import ReportData, build_report_data
from reports.withholding import withhold_small_groups
from roadmap.lib import jobs
from rounds.models import Round

logger = logging.getLogger(__name__)

GENERATE_TASK = "reports.generate_report"
# Shown when the queue was unreachable: nothing else would ever pick the report up.
NOT_QUEUED = "De wachtrij was niet bereikbaar. Probeer het over een paar minuten opnieuw."
# Files being written, on the media volume so that moving one into place is a single rename.
PARTIAL_DIR = "reports/.partial"


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


def _enqueue_generation(report_id: int) -> None:
    """Enqueue after commit. Without a broker the report fails at once with a retry button,
    rather than waiting as "queued" for a job that was never sent (no periodic job redoes it)."""

    def send() -> None:
        if not jobs.send_task_safely(GENERATE_TASK, report_id):
            Report.objects.filter(pk=report_id, state=Report.State.QUEUED).update(
                state=Report.State.FAILED, error=NOT_QUEUED, finished_at=timezone.now()
            )

    transaction.on_commit(send)


def do_request_report(
    *,
    user: AbstractBaseUser,
    file_format: str,
    as_of: datetime.date,
    compare_to: datetime.date | None = None,
    theme_codes: list[str] | None = None,
    institution: Institution | None = None,
    language: str = "nl",
    layer_code: str = "",
) -> Report:
    """Store the request and enqueue its generation after commit. ``language``: the
    requester's, in which the file's headers and labels are written."""
    report = Report.objects.create(
        format=file_format,
        language=language,
        as_of=as_of,
        compare_to=compare_to,
        theme_codes=sorted(theme_codes or []),
        layer_code=layer_code,
        institution=institution,
        created_by=user,
    )
    _enqueue_generation(report.pk)
    return report


def do_retry_report(*, report: Report) -> Report:
    Report.objects.filter(pk=report.pk).update(
        state=Report.State.QUEUED, progress=0, step="", error="", finished_at=None
    )
    _enqueue_generation(report.pk)
    report.refresh_from_db()
    return report


class _WrittenFile(File):
    """A completely written file that the storage moves into place (one rename, no copy)."""

    def temporary_file_path(self) -> str:
        return self.file.name


def _partial_dir() -> Path:
    folder = Path(default_storage.path(PARTIAL_DIR))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove_partial_files(report_id: int) -> None:
    """What a run of this report left behind when its worker was killed while writing."""
    for leftover in _partial_dir().glob(f"{report_id}-*.part"):
        leftover.unlink(missing_ok=True)


def _store_file(report: Report, content: bytes) -> None:
    """Write the file under a temporary name, then rename it to its final name.

    The final name therefore never holds a half-written file, and the row points to it only
    after the rename. (FileSystemStorage renames a file that has a temporary_file_path.)
    """
    with tempfile.NamedTemporaryFile(
        dir=_partial_dir(), prefix=f"{report.pk}-", suffix=".part", delete=False
    ) as partial:
        partial.write(content)
        partial.flush()
        os.fsync(partial.fileno())
    try:
        with open(partial.name, "rb") as handle:
            report.file.save(report.filename(), _WrittenFile(handle), save=False)
    finally:
        Path(partial.name).unlink(missing_ok=True)  # gone after the rename; else a failure


def _set_progress(report_id: int, percent: int, step: str) -> None:
    # Outside any transaction, so that the page polling for progress sees each step.
    Report.objects.filter(pk=report_id).update(progress=percent, step=step)


def generate_report(report_id: int) -> Report:
    """Build the tables, write the file, and only then mark the report done.

    Idempotent: a finished report is left alone, and a run that starts again (its worker was
    killed and the task redelivered) starts from zero progress and removes the first run's
    partial file. On failure the report says what went wrong and has no file, so a
    half-written file can never be downloaded.
    """
    report = Report.objects.select_related("institution", "created_by").get(pk=report_id)
    if report.state == Report.State.DONE:
        return report
    _remove_partial_files(report_id)
    Report.objects.filter(pk=report_id).update(
        state=Report.State.RUNNING, progress=5, step="Gegevens verzamelen", error=""
    )
    try:
        data = build_report_data(
            as_of=report.as_of,
            compare_to=report.compare_to,
            theme_codes=report.theme_codes or None,
            layer_code=report.layer_code or None,
            institution=report.institution,
            progress=lambda percent, step: _set_progress(report_id, percent, step),
        )
        # A CIO's report is read outside the sector team: the public small-group rule holds.
        if report.created_by and not privacy.sees_every_figure(report.created_by):
            data = withhold_small_groups(data)
        _set_progress(report_id, 75, f"{report.get_format_display()} schrijven")
        who = (
            (report.created_by.get_full_name() or report.created_by.get_username())
            if report.created_by
            else "beheer"
        )
        with translation.override(report.language):
            content = render_report(
                data, report.format, generated_at=timezone.now(), generated_by=who
            )
        _set_progress(report_id, 95, "Bestand opslaan")
        report.refresh_from_db()
        # The file is written completely and renamed into place before the row points to it.
        _store_file(report, content)
        report.state, report.progress, report.step = Report.State.DONE, 100, "Klaar"
        report.finished_at = timezone.now()
        # The version whose goals the figures were judged against (in force on as_of).
        report.route_version_id = data.route_version.id if data.route_version else None
        report.save(
            update_fields=["file", "state", "progress", "step", "finished_at", "route_version"]
        )
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


# --- The assembly pack -------------------------------------------------------------------------


def _enqueue_freeze(pack_id: int) -> None:
    """Enqueue after commit. Without a broker the pack fails at once and can be asked again,
    rather than waiting as "queued" for a job that was never sent."""

    def send() -> None:
        if not jobs.send_task_safely(assembly.FREEZE_TASK, pack_id):
            AssemblyPack.objects.filter(pk=pack_id, state=AssemblyPack.State.QUEUED).update(
                state=AssemblyPack.State.FAILED, error=str(assembly.NOT_QUEUED)
            )

    transaction.on_commit(send)


def do_request_assembly_pack(*, round: Round, user: AbstractBaseUser) -> AssemblyPack:
    """Ask for the round's assembly pack: its figures are frozen in the background
    (reports.assembly.freeze_pack). A failed pack is asked again; any other is refused
    (assembly.AssemblyError, with the reason for the council)."""
    if not round.is_closed:
        raise assembly.AssemblyError(
            _("De ronde '%(name)s' is nog niet gesloten; sluit de ronde eerst.")
            % {"name": round.name}
        )
    with transaction.atomic():
        pack = AssemblyPack.objects.select_for_update().filter(round=round).first()
        if pack is not None and pack.state != AssemblyPack.State.FAILED:
            raise assembly.AssemblyError(
                _("Voor de ronde '%(name)s' is al een vergaderstuk gemaakt of in de maak.")
                % {"name": round.name}
            )
        if pack is None:
            pack = AssemblyPack.objects.create(round=round, requested_by=user)
        else:
            pack.state, pack.error = AssemblyPack.State.QUEUED, ""
            pack.requested_by, pack.requested_at = user, timezone.now()
            pack.save(update_fields=["state", "error", "requested_by", "requested_at"])
        _enqueue_freeze(pack.pk)
    return pack
