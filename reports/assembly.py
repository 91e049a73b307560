"""The assembly pack: a round's figures frozen as of its end, compared with the previous pack,
written as PDF and Excel for the members' assembly.

``freeze_pack`` does the work (the Celery task reports.freeze_assembly_pack wraps it; tests call
it directly). It reads once and stores everything the pack shows in the pack's JSON fields: the
figures per target, the milestones, the institutions that answered, the reporting rate and what
changed since the previous pack. The PDF and the workbook are written from those stored fields
only, so the pack never changes when an answer does.

The figures: indicators' own computation as of the round's end (the last day of its window).
With "alleen goedgekeurde antwoorden" only the answers of the institutions whose round staff
approved count (rounds.queries.approved_institution_ids); the others count as not answered, so
the coverage says how much of the sector the approved answers are.
"""

import datetime
import io
import logging
from typing import BinaryIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from indicators import figures as fig
from indicators import series as indicator_series
from indicators.overrides import active_overrides
from indicators.queries import active_institution_counts, answer_figures
from reports import display
from reports.models import AssemblyPack
from reports.xlsx import Column, Figure, cell_text, write_note, write_table
from rounds import queries
from rounds.models import FiguresUse, Round
from themes.models import MILESTONE_CLOSED_STATUSES, Milestone, SectorTarget
from themes.queries import route_targets, with_status_on

logger = logging.getLogger(__name__)

FREEZE_TASK = "reports.freeze_assembly_pack"
# The stored PDF and workbook are in Dutch: the record of what the assembly got. A download in
# another language is written afresh from the same frozen fields (pack_file).
PACK_LANGUAGE = "nl"
NOT_QUEUED = gettext_lazy(
    "De wachtrij was niet bereikbaar. Probeer het over een paar minuten opnieuw."
)


class AssemblyError(Exception):
    """A pack that cannot be made now; the message says why."""


# --- Which rounds can have a pack ---------------------------------------------------------------


def rounds_to_freeze():
    """The rounds the council can make a pack for: closed (their window has ended), without a
    pack or with one that failed. Newest assembly first."""
    return (
        Round.objects.filter(closed_at__isnull=False)
        .filter(Q(assembly_pack__isnull=True) | Q(assembly_pack__state=AssemblyPack.State.FAILED))
        .order_by("-assembly_on", "-id")
    )


def previous_pack(round: Round) -> AssemblyPack | None:
    """The finished pack of the assembly before this round's: the one this pack compares with."""
    return (
        AssemblyPack.objects.filter(
            state=AssemblyPack.State.DONE, round__assembly_on__lt=round.assembly_on
        )
        .exclude(round=round)
        .select_related("round")
        .order_by("-round__assembly_on", "-frozen_at")
        .first()
    )


# --- Reading what the pack freezes -------------------------------------------------------------


def _approved_figures(
    targets: list[SectorTarget], as_of: datetime.date, institution_ids: list[int]
) -> dict[int, tuple[fig.Figure, fig.Progress]]:
    """As indicators.series.figures_as_of, from the answers of these institutions only; the
    progress is measured from the sector's stored baseline (the same trajectory to the goal)."""
    answerable = [t.pk for t in targets if t.measure != SectorTarget.Measure.MILESTONE]
    raw = answer_figures(answerable, [as_of], read_from=as_of, institution_ids=institution_ids)
    active = active_institution_counts([as_of])[as_of]
    # The stored baselines and reached dates, as figures_as_of uses them (indicators' helpers).
    baselines = indicator_series.stored_baselines(targets, before=as_of)
    reached = indicator_series.stored_reached_since(targets, before=as_of)
    result = {}
    for target in targets:
        figure = fig.figure_for(target, as_of, raw.get((target.pk, as_of)), active)
        base = baselines.get(target.pk) or fig.baseline(target, [figure])
        result[target.pk] = (
            figure,
            fig.progress(target, figure, base, reached_since=reached.get(target.pk)),
        )
    return result


def _number(value) -> float | None:
    return None if value is None else float(value)


def frozen_figures(round: Round, as_of: datetime.date, today: datetime.date) -> dict[str, dict]:
    """Per target code (route order) the figure as of ``as_of``, on the round's basis, and the
    status override in force ``today`` (staff's judgement when the pack is made)."""
    targets = list(route_targets().prefetch_related("themes"))
    if round.figures_use == FiguresUse.APPROVED:
        computed = _approved_figures(targets, as_of, queries.approved_institution_ids(round))
    else:
        computed = indicator_series.figures_as_of(targets, as_of)
    overrides = active_overrides(targets, on=today)
    rows = {}
    for position, target in enumerate(targets):
        figure, progress = computed[target.pk]
        override = overrides.get(target.pk)
        rows[target.code] = {
            "position": position,
            "title": target.title,
            "themes": ", ".join(theme.name for theme in target.themes.all()),
            "measure": target.measure,
            "unit": target.unit,
            "goal": float(target.goal_value),
            "deadline": target.deadline.isoformat(),
            "value": _number(figure.value),
            "coverage": _coverage(figure.coverage),
            "answered": figure.answered,
            "active": figure.active,
            "status": str(progress.status),
            "expected": _number(progress.expected_value),
            "override": None
            if override is None
            else {
                "status": override.status,
                "reason": override.reason,
                "starts_on": override.starts_on.isoformat(),
                "ends_on": override.ends_on.isoformat(),
                "set_by": override.set_by.get_full_name() or override.set_by.get_username(),
            },
        }
    return rows


def _coverage(coverage: float) -> float:
    return round(float(coverage), 1)


def frozen_milestones(as_of: datetime.date) -> dict[str, dict]:
    """Per milestone code (route order): its status on ``as_of``, due date and whether it was
    overdue then (due before it, neither delivered nor dropped). One query."""
    milestones = with_status_on(Milestone.objects.select_related("line__theme"), as_of).order_by(
        "line__theme__order", "line__order", "year", "order"
    )
    return {
        m.code: {
            "position": position,
            "title": m.title,
            "theme": m.line.theme.name,
            "due_date": m.due_date.isoformat(),
            "status": m.status_on,
            "overdue": m.due_date < as_of and m.status_on not in MILESTONE_CLOSED_STATUSES,
        }
        for position, m in enumerate(milestones)
    }


def in_route_order(frozen: dict[str, dict]) -> list[tuple[str, dict]]:
    """A frozen mapping's (code, row) pairs in the route's order. The order is stored in each
    row ("position"): PostgreSQL's jsonb keeps an object's keys in its own order (shortest
    first), not in the order they were written. A pack frozen before positions were stored
    keeps the order its keys come in."""
    items = list(frozen.items())
    return sorted(items, key=lambda item: item[1].get("position", items.index(item)))


def frozen_rate(round: Round) -> dict:
    """The round's reporting rate with plain strings (JSON), as reporting_rate gives it."""
    rate = queries.reporting_rate(round)
    rate["by_kind"] = [{**row, "kind_label": str(row["kind_label"])} for row in rate["by_kind"]]
    return rate


# --- Since the last assembly --------------------------------------------------------------------


def shown_status(row: dict) -> str:
    """The status the pack shows for a target: staff's override when one is in force."""
    return row["override"]["status"] if row.get("override") else row["status"]


def since_last(
    figures: dict[str, dict],
    milestones: dict[str, dict],
    institutions: list[dict],
    previous: AssemblyPack | None,
) -> dict:
    """What changed since the previous pack, from the two packs' stored data:

    - ``status_changes``: targets in both whose shown status differs: {code, title, old, new};
    - ``slipped``: milestones in both due later than before, or overdue or delayed now and not
      before: {code, title, theme, old_due, new_due, old_status, new_status, reasons};
    - ``started`` / ``stopped``: institutions that answered in this round and not in the
      previous one, and the other way round: {code, name}.

    Without a previous pack: {"previous": None} and empty lists."""
    empty = {"previous": None, "status_changes": [], "slipped": [], "started": [], "stopped": []}
    if previous is None:
        return empty
    status_changes = [
        {"code": code, "title": row["title"], "old": shown_status(old), "new": shown_status(row)}
        for code, row in in_route_order(figures)
        if (old := previous.figures.get(code)) and shown_status(old) != shown_status(row)
    ]
    slipped = []
    for code, row in in_route_order(milestones):
        old = previous.milestones.get(code)
        if old is None:
            continue
        reasons = []
        if row["due_date"] > old["due_date"]:
            reasons.append("later")
        if row["overdue"] and not old["overdue"]:
            reasons.append("overdue")
        if row["status"] == Milestone.Status.DELAYED and old["status"] != Milestone.Status.DELAYED:
            reasons.append("delayed")
        if reasons:
            slipped.append(
                {
                    "code": code,
                    "title": row["title"],
                    "theme": row["theme"],
                    "old_due": old["due_date"],
                    "new_due": row["due_date"],
                    "old_status": old["status"],
                    "new_status": row["status"],
                    "reasons": reasons,
                }
            )
    now = {i["code"]: i["name"] for i in institutions}
    before = {i["code"]: i["name"] for i in previous.institutions}
    return {
        "previous": {
            "pack": previous.pk,
            "round": previous.round.name,
            "assembly_on": previous.round.assembly_on.isoformat(),
        },
        "status_changes": status_changes,
        "slipped": slipped,
        "started": [{"code": c, "name": n} for c, n in sorted(now.items()) if c not in before],
        "stopped": [{"code": c, "name": n} for c, n in sorted(before.items()) if c not in now],
    }


# --- Freezing ---------------------------------------------------------------------------------


def freeze_pack(pack_id: int) -> AssemblyPack:
    """Freeze the round's figures into the pack and write its PDF and Excel; then it is done.

    Idempotent: a finished pack is left alone (frozen is frozen); a run that starts again (its
    worker was killed) reads afresh. On failure the pack says what went wrong and has no files,
    and the council can ask again."""
    pack = AssemblyPack.objects.select_related("round", "requested_by").get(pk=pack_id)
    if pack.state == AssemblyPack.State.DONE:
        return pack
    AssemblyPack.objects.filter(pk=pack_id).update(state=AssemblyPack.State.RUNNING, error="")
    round = pack.round
    try:
        if round.window_end is None:
            raise AssemblyError(
                _("De ronde is niet gesloten; er zijn nog geen cijfers te bevriezen.")
            )
        now = timezone.now()
        pack.as_of = round.window_end
        pack.frozen_at = now
        pack.figures_use = round.figures_use
        pack.figures = frozen_figures(round, pack.as_of, timezone.localdate(now))
        pack.milestones = frozen_milestones(pack.as_of)
        pack.institutions = queries.reporting_institutions(round)
        pack.rate = frozen_rate(round)
        pack.previous = previous_pack(round)
        pack.since = since_last(pack.figures, pack.milestones, pack.institutions, pack.previous)
        with translation.override(PACK_LANGUAGE):
            pdf, xlsx = write_pack_pdf(pack), write_pack_xlsx(pack)
        with transaction.atomic():
            pack.pdf.save(pack.filename("pdf"), ContentFile(pdf), save=False)
            pack.xlsx.save(pack.filename("xlsx"), ContentFile(xlsx), save=False)
            pack.state, pack.error = AssemblyPack.State.DONE, ""
            pack.save()
    except Exception as exc:
        logger.exception("Assembly pack %s failed", pack_id)
        AssemblyPack.objects.filter(pk=pack_id).update(
            state=AssemblyPack.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            pdf="",
            xlsx="",
        )
        raise
    return pack


# --- What the page, the PDF and the workbook show -----------------------------------------------


def _date(iso: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(iso) if iso else None


def _long(day: datetime.date | None) -> str:
    return formats.date_format(day, "j F Y") if day else ""


def _status(code: str) -> str:
    return display.status_label(code)


def _milestone_status(code: str) -> str:
    return str(Milestone.Status(code).label)


SLIP_REASONS = {
    "later": gettext_lazy("later opgeleverd"),
    "overdue": gettext_lazy("over de opleverdatum"),
    "delayed": gettext_lazy("vertraagd"),
}


def pack_view(pack: AssemblyPack) -> dict:
    """The pack's stored data as text in the active language, for the page, the PDF and the
    workbook alike: targets, overrides, milestones that run late, institutions, since-last."""
    targets = []
    for code, row in in_route_order(pack.figures):
        override = row.get("override")
        targets.append(
            {
                "code": code,
                "title": row["title"],
                "themes": row["themes"],
                "goal": display.goal_text(row["measure"], row["unit"], row["goal"]),
                "deadline": _date(row["deadline"]),
                "value": display.value_text(row["measure"], row["unit"], row["value"]),
                "raw_value": row["value"],
                "measure": row["measure"],
                "excel_format": display.excel_format(row["measure"], row["unit"]),
                "coverage": row["coverage"],
                "answered": row["answered"],
                "active": row["active"],
                "status": _status(row["status"]),
                "override": None
                if override is None
                else {
                    **override,
                    "status": _status(override["status"]),
                    "ends_on": _date(override["ends_on"]),
                },
            }
        )
    since = pack.since or {}
    slipped = [
        {
            **m,
            "old_due": _date(m["old_due"]),
            "new_due": _date(m["new_due"]),
            "old_status": _milestone_status(m["old_status"]),
            "new_status": _milestone_status(m["new_status"]),
            "reasons": ", ".join(str(SLIP_REASONS[r]) for r in m["reasons"]),
        }
        for m in since.get("slipped", [])
    ]
    previous = since.get("previous")
    milestones = [
        {
            "code": code,
            **m,
            "due_date": _date(m["due_date"]),
            "status": _milestone_status(m["status"]),
        }
        for code, m in in_route_order(pack.milestones)
    ]
    return {
        "pack": pack,
        "round": pack.round,
        "basis": pack.figures_basis,
        "as_of": pack.as_of,
        "targets": targets,
        "overrides": [t for t in targets if t["override"]],
        "milestones": milestones,
        "late_milestones": [m for m in milestones if m["overdue"]],
        "institutions": pack.institutions,
        "rate": pack.rate.get("total", {}),
        "rate_by_kind": pack.rate.get("by_kind", []),
        "previous": None
        if previous is None
        else {**previous, "assembly_on": _date(previous["assembly_on"])},
        "status_changes": [
            {**c, "old": _status(c["old"]), "new": _status(c["new"])}
            for c in since.get("status_changes", [])
        ],
        "slipped": slipped,
        "started": since.get("started", []),
        "stopped": since.get("stopped", []),
        "frozen_by": (
            (pack.requested_by.get_full_name() or pack.requested_by.get_username())
            if pack.requested_by
            else ""
        ),
    }


# --- The PDF and the workbook -------------------------------------------------------------------


def write_pack_pdf(pack: AssemblyPack) -> bytes:
    """The pack as a tagged PDF (PDF/UA-1) in the active language, in the reports' print
    design (reports.pdf)."""
    # WeasyPrint loads pango: imported only when a PDF is made, as reports.actions does.
    from reports.pdf import html_to_pdf

    context = pack_view(pack)
    context["as_of_text"] = _long(pack.as_of)
    context["frozen_text"] = _long(timezone.localdate(pack.frozen_at))
    return html_to_pdf(render_to_string("reports/assembly_pack_pdf.html", context))


# Sheet names: at most 31 characters in every language (Excel's limit).
SUMMARY_SHEET = gettext_lazy("Samenvatting")
SINCE_SHEET = gettext_lazy("Sinds vorige vergadering")
TARGETS_SHEET = gettext_lazy("Sectordoelen")
MILESTONES_SHEET = gettext_lazy("Mijlpalen")
INSTITUTIONS_SHEET = gettext_lazy("Instellingen")


def _cell(target: dict):
    """A target's value as a workbook cell: a number in its unit, a milestone target's words,
    or "onbekend"."""
    value = display.file_value(target["measure"], target["raw_value"])
    if isinstance(value, float):
        return Figure(value, target["excel_format"])
    return target["value"] if value is None else value


def write_pack_xlsx(pack: AssemblyPack) -> bytes:
    """The workbook in the active language: Samenvatting, Sinds vorige vergadering,
    Sectordoelen, Mijlpalen and Instellingen, with the reports' table helpers (bold frozen
    header, filter, safe text)."""
    view = pack_view(pack)
    workbook = Workbook()
    summary = workbook.active
    summary.title = str(SUMMARY_SHEET)
    summary["A1"] = cell_text(
        _("Vergaderstuk ledenvergadering %(date)s") % {"date": _long(pack.round.assembly_on)}
    )
    summary["A1"].font = Font(bold=True, size=14)
    rate = view["rate"]
    facts = [
        [_("Ronde"), pack.round.name],
        [_("Ledenvergadering"), pack.round.assembly_on],
        [_("Peildatum"), pack.as_of],
        [_("Bevroren op"), pack.frozen_at],
        [_("Bevroren door"), view["frozen_by"]],
        [_("Cijfers"), view["basis"]],
        [_("Respons (%)"), rate.get("rate")],
        [_("Instellingen compleet"), rate.get("reported")],
        [_("Instellingen verwacht"), rate.get("expected")],
        [
            _("Vergeleken met"),
            view["previous"]["round"] if view["previous"] else _("geen eerder vergaderstuk"),
        ],
    ]
    write_table(summary, [Column(_("Gegeven"), 24), Column(_("Waarde"), 60)], facts, first_row=3)

    since = workbook.create_sheet(str(SINCE_SHEET))
    since_rows = (
        [
            [_("Status gewijzigd"), c["code"], c["title"], c["old"], c["new"]]
            for c in view["status_changes"]
        ]
        + [
            [
                _("Mijlpaal verschoven") + f" ({m['reasons']})",
                m["code"],
                m["title"],
                f"{m['old_status']}, {_long(m['old_due'])}",
                f"{m['new_status']}, {_long(m['new_due'])}",
            ]
            for m in view["slipped"]
        ]
        + [[_("Begonnen met melden"), i["code"], i["name"], "", ""] for i in view["started"]]
        + [[_("Gestopt met melden"), i["code"], i["name"], "", ""] for i in view["stopped"]]
    )
    if view["previous"] is None:
        write_note(
            since, str(_("Dit is het eerste vergaderstuk: er is niets om mee te vergelijken."))
        )
    elif since_rows:
        write_table(
            since,
            [
                Column(_("Wijziging"), 34),
                Column(_("Code"), 24),
                Column(_("Naam"), 60, wrap=True),
                Column(_("Was"), 30),
                Column(_("Is"), 30),
            ],
            since_rows,
        )
    else:
        write_note(since, str(_("Geen wijzigingen sinds de vorige vergadering.")))

    write_table(
        workbook.create_sheet(str(TARGETS_SHEET)),
        [
            Column(_("Sectordoel"), 60, wrap=True),
            Column(_("Code"), 26),
            Column(_("Waarde"), 13),
            Column(_("Streefwaarde"), 13),
            Column(_("Voortgang"), 22),
            Column(_("Bijgestelde voortgang"), 22),
            Column(_("Reden bijstelling"), 40, wrap=True),
            Column(_("Dekking (%)"), 10, "0.0"),
            Column(_("Instellingen met antwoord"), 12),
            Column(_("Actieve instellingen"), 11),
        ],
        [
            [
                t["title"],
                t["code"],
                _cell(t),
                t["goal"],
                t["status"],
                t["override"]["status"] if t["override"] else "",
                t["override"]["reason"] if t["override"] else "",
                float(t["coverage"]),
                t["answered"],
                t["active"],
            ]
            for t in view["targets"]
        ],
    )
    write_table(
        workbook.create_sheet(str(MILESTONES_SHEET)),
        [
            Column(_("Mijlpaal"), 60, wrap=True),
            Column(_("Code"), 18),
            Column(_("Thema"), 30),
            Column(_("Opleverdatum"), 14),
            Column(_("Status"), 14),
            Column(_("Over de opleverdatum"), 12),
        ],
        [
            [
                m["title"],
                m["code"],
                m["theme"],
                m["due_date"],
                m["status"],
                _("ja") if m["overdue"] else _("nee"),
            ]
            for m in view["milestones"]
        ],
    )
    institutions = workbook.create_sheet(str(INSTITUTIONS_SHEET))
    if view["institutions"]:
        write_table(
            institutions,
            [
                Column(_("Instelling"), 40),
                Column(_("BRIN-code"), 11),
                Column(_("Doelen beantwoord"), 12),
            ],
            [[i["name"], i["code"], i["answered"]] for i in view["institutions"]],
        )
    else:
        write_note(institutions, str(_("Geen instelling heeft in deze ronde geantwoord.")))
    workbook.properties.title = cell_text(_("Vergaderstuk %(round)s") % {"round": pack.round.name})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


PACK_WRITERS = {"pdf": write_pack_pdf, "xlsx": write_pack_xlsx}


def pack_file(pack: AssemblyPack, extension: str, language: str) -> BinaryIO:
    """The finished pack's PDF or workbook in ``language``: the stored file in the pack's own
    language, otherwise written now from the pack's frozen fields, so only the labels differ
    (WeasyPrint takes a second or two for the PDF; downloads in English are rare)."""
    if language == PACK_LANGUAGE:
        return getattr(pack, extension).open("rb")
    with translation.override(language):
        return io.BytesIO(PACK_WRITERS[extension](pack))
