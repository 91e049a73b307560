"""Loads the route from the versioned data files in themes/route_data/ into the database.

The files are the transcription of the source documents; the database is what staff keep
current. Loading is idempotent, and it never silently overwrites a staff edit: for every object
the loader remembers what it last wrote (SourceRecord). Per field, on a reload:

- the database already holds the file's value: nothing to do;
- the database still holds what the loader last wrote: the file changed, so it is updated;
- otherwise staff changed it since: the staff value is kept and the difference is reported.

Objects that exist in the database but not in the files (added by staff) are left alone.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import models, transaction

from themes.actions import do_publish_route_version
from themes.models import (
    Ambition,
    BudgetAmount,
    BudgetLine,
    Layer,
    Line,
    Milestone,
    MultiYearGoal,
    Need,
    Partner,
    Programme,
    ProgrammeGoal,
    ProgrammePerson,
    ProgrammePhase,
    RouteVersion,
    SectorTarget,
    SourceRecord,
    Spearhead,
    SpearheadActivity,
    Theme,
    ThemePartner,
)

ROUTE_FILE = "route.yaml"
PROGRAMME_FILES = ("digitaal_bekwaam_mbo.yaml",)
CHANGE_REASON = "load_roadmap"
# The C loader (libyaml) reads the files ten times faster; both are safe loaders.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RouteDataError(Exception):
    """The data files are not valid; ``errors`` lists every problem with its place."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    kept_staff_edits: list[str] = field(default_factory=list)
    only_in_database: list[str] = field(default_factory=list)

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


class _Syncer:
    """Writes file values to the database with the per-field rules of the module docstring."""

    def __init__(self, report: LoadReport):
        self.report = report
        self.records = {(r.kind, r.key): r for r in SourceRecord.objects.all()}
        # One query per model instead of one per object: the route has hundreds of objects.
        self._existing: dict[tuple, dict[tuple, models.Model]] = {}

    def _lookup_key(self, lookup: dict[str, Any]) -> tuple:
        return tuple(getattr(v, "pk", v) for v in lookup.values())

    def _find(self, model: type[models.Model], lookup: dict[str, Any]) -> models.Model | None:
        cache_key = (model, tuple(lookup))
        if cache_key not in self._existing:
            attnames = [model._meta.get_field(name).attname for name in lookup]
            self._existing[cache_key] = {
                tuple(getattr(obj, a) for a in attnames): obj for obj in model.objects.all()
            }
        return self._existing[cache_key].get(self._lookup_key(lookup))

    def sync(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any],
        m2m: dict[str, list[models.Model]] | None = None,
    ) -> models.Model:
        m2m = m2m or {}
        kind = model._meta.model_name
        key = "/".join(str(getattr(v, "pk", v)) for v in lookup.values())
        wanted = {name: _jsonable(v) for name, v in values.items()}
        wanted.update({name: sorted(o.pk for o in objs) for name, objs in m2m.items()})
        record = self.records.get((kind, key))
        obj = self._find(model, lookup)

        if obj is None:
            obj = model(**lookup, **values)
            obj._change_reason = CHANGE_REASON
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save()
            self._existing[(model, tuple(lookup))][self._lookup_key(lookup)] = obj
            for name, objs in m2m.items():
                getattr(obj, name).set(objs)
            self.report.created[kind] += 1
        else:
            current = {name: _jsonable(getattr(obj, name)) for name in values}
            current.update(
                {name: sorted(getattr(obj, name).values_list("pk", flat=True)) for name in m2m}
            )
            last = record.values if record else {}
            to_update = []
            for name, new in wanted.items():
                if current[name] == new:
                    continue
                if name in last and current[name] == last[name]:
                    to_update.append(name)
                elif name not in last and current[name] in (None, [], ""):
                    # A field the loader has never written (added since the last load) that
                    # is still empty: nobody edited it, so it takes the file's value.
                    to_update.append(name)
                else:
                    self.report.kept_staff_edits.append(
                        f"{model._meta.verbose_name} {key}: veld '{name}' is in de admin "
                        f"gewijzigd en blijft {current[name]!r} (bestand: {new!r})"
                    )
            plain = [n for n in to_update if n in values]
            if plain:
                for name in plain:
                    setattr(obj, name, values[name])
                obj._change_reason = CHANGE_REASON
                obj.full_clean(validate_unique=False, validate_constraints=False)
                obj.save(update_fields=plain)
            for name in to_update:
                if name in m2m:
                    getattr(obj, name).set(m2m[name])
            if to_update:
                self.report.updated[kind] += 1
            else:
                self.report.unchanged[kind] += 1

        if record is None:
            self.records[(kind, key)] = SourceRecord.objects.create(
                kind=kind, key=key, values=wanted
            )
        elif record.values != wanted:
            record.values = wanted
            record.save(update_fields=["values", "loaded_at"])
        return obj

    def note_extra(self, queryset: models.QuerySet, kept: set[int], label: str) -> None:
        for obj in queryset.exclude(pk__in=kept):
            self.report.only_in_database.append(f"{label}: {obj} (niet in de bestanden; behouden)")


# --- reading and validating the files ---------------------------------------------------------


def read_data_files(data_dir: Path | None = None) -> tuple[dict, list[dict]]:
    data_dir = Path(data_dir or settings.ROUTE_DATA_DIR)
    errors: list[str] = []

    def read(name: str) -> dict:
        path = data_dir / name
        try:
            with path.open(encoding="utf-8") as handle:
                content = yaml.load(handle, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
        except FileNotFoundError:
            errors.append(f"{name}: bestand ontbreekt ({path})")
            return {}
        except yaml.YAMLError as exc:
            errors.append(f"{name}: geen geldige YAML: {exc}")
            return {}
        if not isinstance(content, dict):
            errors.append(f"{name}: verwacht een mapping bovenaan het bestand")
            return {}
        return content

    route = read(ROUTE_FILE)
    programmes = [read(name) for name in PROGRAMME_FILES]
    if errors:
        raise RouteDataError(errors)
    validate(route, programmes)
    return route, programmes


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"geen getal: {value!r}") from None


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"geen datum (JJJJ-MM-DD): {value!r}") from None


def validate(route: dict, programmes: list[dict]) -> None:
    """Check every reference and value before anything is written; raise all errors at once."""
    errors: list[str] = []

    def require(where: str, item: dict, *keys: str) -> None:
        for key in keys:
            if key not in item or item[key] is None or item[key] == "":
                errors.append(f"{where}: veld '{key}' ontbreekt")

    partner_codes = {p.get("code") for p in route.get("partners", [])}
    goal_codes = {g.get("code") for g in route.get("multi_year_goals", [])}
    theme_codes: set[str] = set()
    line_paths: set[str] = set()
    milestone_codes: set[str] = set()
    milestone_targets: list[tuple[str, list]] = []
    for i, partner in enumerate(route.get("partners", []), 1):
        require(f"{ROUTE_FILE} partners[{i}]", partner, "code", "name")
    if len(partner_codes) != len(route.get("partners", [])):
        errors.append(f"{ROUTE_FILE} partners: een code komt meer dan eens voor")

    layer_codes = {layer.get("code") for layer in route.get("layers", [])}

    def check_layers(where: str, item: dict) -> None:
        for code in item.get("layers", []) or []:
            if code not in layer_codes:
                errors.append(f"{where}: onbekende laag '{code}'")

    for ti, theme in enumerate(route.get("themes", []), 1):
        where = f"{ROUTE_FILE} themes[{ti}] ({theme.get('code', '?')})"
        require(where, theme, "code", "abbreviation", "name", "purpose")
        if theme.get("lead_partner") and theme["lead_partner"] not in partner_codes:
            errors.append(f"{where}: onbekende trekker '{theme['lead_partner']}'")
        if theme.get("code") in theme_codes:
            errors.append(f"{where}: code komt meer dan eens voor")
        theme_codes.add(theme.get("code"))
        for code in theme.get("multi_year_goals", []):
            if code not in goal_codes:
                errors.append(f"{where}: onbekend doel meerjarenperspectief '{code}'")
        for pi, tp in enumerate(theme.get("partners", []), 1):
            if tp.get("partner") not in partner_codes:
                errors.append(f"{where} partners[{pi}]: onbekende partner '{tp.get('partner')}'")
        for li, line in enumerate(theme.get("lines", []), 1):
            lwhere = f"{where} lines[{li}] ({line.get('code', '?')})"
            require(lwhere, line, "code", "name")
            path = f"{theme.get('code')}/{line.get('code')}"
            if path in line_paths:
                errors.append(f"{lwhere}: lijncode komt meer dan eens voor in dit thema")
            line_paths.add(path)
            check_layers(lwhere, line)
            for mi, milestone in enumerate(line.get("milestones", []), 1):
                mwhere = f"{lwhere} milestones[{mi}] ({milestone.get('code', '?')})"
                require(mwhere, milestone, "code", "year", "title")
                if milestone.get("code") in milestone_codes:
                    errors.append(f"{mwhere}: code komt meer dan eens voor")
                milestone_codes.add(milestone.get("code"))
                if milestone.get("status", "planned") not in Milestone.Status.values:
                    errors.append(f"{mwhere}: onbekende status '{milestone.get('status')}'")
                for owner in milestone.get("owners", []):
                    if owner not in partner_codes:
                        errors.append(f"{mwhere}: onbekende eigenaar '{owner}'")
                named = [("lead", milestone.get("lead"))]
                named += [("contributors", c) for c in milestone.get("contributors", []) or []]
                for key, code in named:
                    if code and code not in partner_codes:
                        errors.append(f"{mwhere}: onbekende partner '{code}' ({key})")
                check_layers(mwhere, milestone)
                milestone_targets.append((mwhere, milestone.get("targets", []) or []))
                try:
                    _date(milestone.get("due_date"))
                except ValueError as exc:
                    errors.append(f"{mwhere}: due_date {exc}")

    target_codes: set[str] = set()
    all_targets = [(ROUTE_FILE, t) for t in route.get("targets", [])]
    for programme in programmes:
        all_targets += [("programma", t) for t in programme.get("targets", [])]
        prog = programme.get("programme", {})
        require("programma", prog, "code", "name", "start_year", "end_year")
        for code in prog.get("themes", []):
            if code not in theme_codes:
                errors.append(f"programma {prog.get('code')}: onbekend thema '{code}'")
        for code in [*prog.get("partners", []), prog.get("owner")]:
            if code and code not in partner_codes:
                errors.append(f"programma {prog.get('code')}: onbekende partner '{code}'")
    for ti, (source, target) in enumerate(all_targets, 1):
        where = f"{source} targets[{ti}] ({target.get('code', '?')})"
        require(where, target, "code", "text", "measure", "goal_value", "deadline")
        if target.get("code") in target_codes:
            errors.append(f"{where}: code komt meer dan eens voor")
        target_codes.add(target.get("code"))
        measure = target.get("measure")
        if measure not in SectorTarget.Measure.values:
            errors.append(f"{where}: onbekende meting '{measure}'")
        if (measure == "share_at_least") != (target.get("threshold") is not None):
            errors.append(f"{where}: 'threshold' hoort bij share_at_least, en alleen daar")
        if target.get("reached_on") is not None and measure != "milestone":
            errors.append(f"{where}: 'reached_on' hoort alleen bij een mijlpaal-doel")
        for path in target.get("lines", []):
            if path not in line_paths:
                errors.append(f"{where}: onbekende lijn '{path}'")
        for code in target.get("themes", []):
            if code not in theme_codes:
                errors.append(f"{where}: onbekend thema '{code}'")
        if not target.get("lines") and not target.get("themes"):
            errors.append(f"{where}: hoort bij geen enkele lijn of thema")
        check_layers(where, target)
        for name in ("goal_value", "threshold", "score_min", "score_max"):
            try:
                _decimal(target.get(name))
            except ValueError as exc:
                errors.append(f"{where}: {name} {exc}")
        for name in ("deadline", "reached_on"):
            try:
                _date(target.get(name))
            except ValueError as exc:
                errors.append(f"{where}: {name} {exc}")
    for mwhere, codes in milestone_targets:
        for code in codes:
            if code not in target_codes:
                errors.append(f"{mwhere}: onbekend sectordoel '{code}'")
    if errors:
        raise RouteDataError(errors)


# --- loading ----------------------------------------------------------------------------------


def load_roadmap(data_dir: Path | None = None) -> LoadReport:
    route, programmes = read_data_files(data_dir)
    report = LoadReport()
    with transaction.atomic():
        syncer = _Syncer(report)
        milestones = _load_route(syncer, route)
        for programme in programmes:
            _load_programme(syncer, programme)
        _load_targets(syncer, route, programmes)
        # Milestones last: they link to the targets they serve.
        _load_milestones(syncer, milestones)
        if not RouteVersion.objects.exists():
            do_publish_route_version(note=FIRST_VERSION_NOTE, by=None)
    return report


FIRST_VERSION_NOTE = "De route zoals voor het eerst geladen uit de bronbestanden."


@dataclass
class _MilestoneSpec:
    """A milestone of the file with the objects it refers to, loaded after the targets."""

    data: dict
    line: Line
    line_layers: list[str]
    theme_lead: Partner | None
    theme_partners: list[Partner]
    order: int


def _load_route(syncer: _Syncer, route: dict) -> list[_MilestoneSpec]:
    milestones: list[_MilestoneSpec] = []
    for layer in route.get("layers", []):
        syncer.sync(
            Layer,
            {"code": layer["code"]},
            {
                "number": layer["number"],
                "name": layer["name"],
                "description": layer.get("description", ""),
            },
        )
    goals = {
        g["code"]: syncer.sync(MultiYearGoal, {"code": g["code"]}, {"name": g["name"]})
        for g in route.get("multi_year_goals", [])
    }
    partners = {
        p["code"]: syncer.sync(
            Partner,
            {"code": p["code"]},
            {"name": p["name"], "description": p.get("description") or ""},
        )
        for p in route.get("partners", [])
    }
    for order, data in enumerate(route.get("themes", []), 1):
        theme = syncer.sync(
            Theme,
            {"code": data["code"]},
            {
                "abbreviation": data["abbreviation"],
                "name": data["name"],
                "order": data.get("order", order),
                "purpose": data["purpose"],
                "why_cooperation": (data.get("why_cooperation") or "").strip(),
                "ambition_year": data.get("ambition_year", 2029),
                "ambitions_intro": data.get("ambitions_intro") or "",
                "ambitions_outro": data.get("ambitions_outro") or "",
                "partners_intro": data.get("partners_intro") or "",
                "target_heading": data.get("target_heading") or "Sectordoelen 2028",
                "work_in_progress": data.get("work_in_progress", True),
            },
            m2m={"multi_year_goals": [goals[c] for c in data.get("multi_year_goals", [])]},
        )
        for model, items in ((Ambition, data.get("ambitions", [])), (Need, data.get("needs", []))):
            kept = set()
            for number, item in enumerate(items, 1):
                obj = syncer.sync(
                    model,
                    {"theme": theme, "number": number},
                    {
                        "group": item.get("group") or "",
                        "title": item.get("title") or "",
                        "text": (item.get("text") or "").strip(),
                    },
                )
                kept.add(obj.pk)
            syncer.note_extra(model.objects.filter(theme=theme), kept, str(theme))
        theme_partners = [partners[item["partner"]] for item in data.get("partners", [])]
        theme_lead = partners.get(data.get("lead_partner")) or next(iter(theme_partners), None)
        for order_, item in enumerate(data.get("partners", []), 1):
            syncer.sync(
                ThemePartner,
                {"theme": theme, "partner": partners[item["partner"]]},
                {
                    "order": order_,
                    "role": item.get("role") or "",
                    "contact": item.get("contact") or "",
                },
            )
        for line_order, line_data in enumerate(data.get("lines", []), 1):
            line = syncer.sync(
                Line,
                {"theme": theme, "code": line_data["code"]},
                {
                    "name": line_data["name"],
                    "order": line_order,
                    "note": line_data.get("note") or "",
                },
            )
            for m_order, m in enumerate(line_data.get("milestones", []), 1):
                milestones.append(
                    _MilestoneSpec(
                        data=m,
                        line=line,
                        line_layers=list(line_data.get("layers", []) or []),
                        theme_lead=theme_lead,
                        theme_partners=theme_partners,
                        order=m_order,
                    )
                )
    return milestones


def _load_milestones(syncer: _Syncer, specs: list[_MilestoneSpec]) -> None:
    """Milestones with their lead partner, contributors, due date, layers and targets.

    Where the file does not say: the first named owner leads and the other owners contribute;
    with no owner named, the theme's lead partner leads and its other partners contribute. Due
    at the end of the milestone's year; the layers of its line; the route targets of its line.
    """
    partners = {p.code: p for p in Partner.objects.all()}
    layers = {layer.code: layer for layer in Layer.objects.all()}
    targets = {t.code: t for t in SectorTarget.objects.all()}
    line_targets: dict[int, list[SectorTarget]] = {}
    for target in SectorTarget.objects.filter(programme__isnull=True).prefetch_related("lines"):
        for line in target.lines.all():
            line_targets.setdefault(line.pk, []).append(target)
    for spec in specs:
        m = spec.data
        named = [partners[c] for c in m.get("owners", [])]
        lead = partners[m["lead"]] if m.get("lead") else (named[0] if named else spec.theme_lead)
        if "contributors" in m:
            contributors = [partners[c] for c in m["contributors"]]
        else:
            contributors = [p for p in (named or spec.theme_partners) if p != lead]
        layer_codes = m.get("layers", spec.line_layers)
        if "targets" in m:
            served = [targets[c] for c in m["targets"]]
        else:
            served = line_targets.get(spec.line.pk, [])
        syncer.sync(
            Milestone,
            {"code": m["code"]},
            {
                "line": spec.line,
                "year": m["year"],
                "title": m["title"].strip(),
                "headline": bool(m.get("headline", False)),
                "when": m.get("when") or "",
                "due_date": _date(m.get("due_date")) or Milestone.default_due_date(m["year"]),
                "lead_partner": lead,
                "status": m.get("status") or Milestone.Status.PLANNED,
                "order": spec.order,
            },
            m2m={
                "owners": sorted(set(contributors), key=lambda p: p.pk),
                "layers": [layers[c] for c in layer_codes],
                "targets": served,
            },
        )


def _load_programme(syncer: _Syncer, data: dict) -> None:
    prog = data["programme"]
    partners = {p.code: p for p in Partner.objects.all()}
    themes = {t.code: t for t in Theme.objects.all()}
    programme = syncer.sync(
        Programme,
        {"code": prog["code"]},
        {
            "name": prog["name"],
            "owner": partners.get(prog.get("owner")),
            "summary": (prog.get("summary") or "").strip(),
            "problem": (prog.get("problem") or "").strip(),
            "monitoring": (prog.get("monitoring") or "").strip(),
            "governance": (prog.get("governance") or "").strip(),
            "start_year": prog["start_year"],
            "end_year": prog["end_year"],
            "budget_unit": (prog.get("budget") or {}).get("unit", "mln euro"),
        },
        m2m={
            "themes": [themes[c] for c in prog.get("themes", [])],
            "partners": [partners[c] for c in prog.get("partners", [])],
        },
    )
    goals = {}
    for goal in prog.get("goals", []):
        goals[goal["number"]] = syncer.sync(
            ProgrammeGoal,
            {"programme": programme, "number": goal["number"]},
            {"text": goal["text"].strip()},
        )
    spearheads = {}
    for sp in prog.get("spearheads", []):
        spearhead = syncer.sync(
            Spearhead,
            {"programme": programme, "letter": sp["letter"]},
            {
                "title": sp["title"],
                "goal": goals.get(sp.get("goal")),
                "description": (sp.get("description") or "").strip(),
            },
        )
        spearheads[sp["letter"]] = spearhead
        for order, text in enumerate(sp.get("activities", []), 1):
            syncer.sync(
                SpearheadActivity,
                {"spearhead": spearhead, "order": order},
                {"text": text.strip()},
            )
    for phase in prog.get("phases", []):
        syncer.sync(
            ProgrammePhase,
            {"programme": programme, "number": phase["number"]},
            {
                "name": phase.get("name") or f"Fase {phase['number']}",
                "starts": _date(phase["starts"]),
                "ends": _date(phase["ends"]),
                "activities": list(phase.get("activities", [])),
            },
        )
    budget = prog.get("budget") or {}
    rows = list(budget.get("lines", []))
    if budget.get("total"):
        rows.append({"label": "TOTAAL", "amounts": budget["total"], "is_total": True})
    for order, row in enumerate(rows, 1):
        budget_line = syncer.sync(
            BudgetLine,
            {"programme": programme, "order": order},
            {
                "label": row["label"].strip(),
                "goal": goals.get(row.get("goal")),
                "spearhead": spearheads.get(row.get("spearhead")),
                "is_total": bool(row.get("is_total", False)),
            },
        )
        for year, amount in (row.get("amounts") or {}).items():
            syncer.sync(
                BudgetAmount,
                {"line": budget_line, "year": int(year)},
                {"amount": _decimal(amount)},
            )
    for order, person in enumerate(prog.get("people", []), 1):
        syncer.sync(
            ProgrammePerson,
            {"programme": programme, "order": order},
            {
                "group": person.get("group") or "",
                "role": person.get("role") or "",
                "organisation": person.get("organisation") or "",
                "name": person.get("name") or "",
            },
        )


def _load_targets(syncer: _Syncer, route: dict, programmes: list[dict]) -> None:
    lines = {line.path: line for line in Line.objects.select_related("theme")}
    themes = {t.code: t for t in Theme.objects.all()}
    programme_objs = {p.code: p for p in Programme.objects.all()}
    layers = {layer.code: layer for layer in Layer.objects.all()}
    line_layers = {
        f"{theme['code']}/{line['code']}": line.get("layers", []) or []
        for theme in route.get("themes", [])
        for line in theme.get("lines", [])
    }
    entries = [(t, None) for t in route.get("targets", [])]
    for data in programmes:
        entries += [(t, programme_objs[data["programme"]["code"]]) for t in data.get("targets", [])]
    for order, (t, programme) in enumerate(entries, 1):
        target_lines = [lines[p] for p in t.get("lines", [])]
        # A target belongs to the themes of its lines, plus any named explicitly.
        target_themes = {line.theme for line in target_lines}
        target_themes.update(themes[c] for c in t.get("themes", []))
        if "layers" in t:
            layer_codes = set(t["layers"])
        else:  # the layers of its lines
            layer_codes = {c for p in t.get("lines", []) for c in line_layers.get(p, [])}
        syncer.sync(
            SectorTarget,
            {"code": t["code"]},
            {
                "title": t["text"].strip(),
                "programme": programme,
                "measure": t["measure"],
                "measured": t.get("measured") or "",
                "goal_value": _decimal(t["goal_value"]),
                "unit": t.get("unit") or "%",
                "threshold": _decimal(t.get("threshold")),
                "score_min": _decimal(t.get("score_min")),
                "score_max": _decimal(t.get("score_max")),
                "deadline": _date(t["deadline"]),
                "reached_on": _date(t.get("reached_on")),
                "order": order,
            },
            m2m={
                "lines": target_lines,
                "themes": sorted(target_themes, key=lambda x: x.pk),
                "layers": sorted((layers[c] for c in layer_codes), key=lambda x: x.pk),
            },
        )
