"""A route version's content, and what changed between two versions. Pure reads.

A version holds what a figure or a report depends on: every target's text, goal, unit,
deadline, measure and threshold, and every milestone's text, year, due date and line. Values
are stored as text (decimals normalised, dates ISO) so that two versions compare exactly.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from themes.models import Milestone, SectorTarget

CONTENT_SCHEMA = 1

TARGET_FIELDS = {
    "title": _("tekst"),
    "goal_value": _("streefwaarde"),
    "unit": _("eenheid"),
    "deadline": _("streefdatum"),
    "measure": _("meting"),
    "threshold": _("drempel per instelling"),
}
MILESTONE_FIELDS = {
    "title": _("tekst"),
    "year": _("jaar"),
    "due_date": _("opleverdatum"),
    "line": _("lijn"),
}
KINDS = {"targets": _("Sectordoel"), "milestones": _("Mijlpaal")}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        # 30.00 and 30 are the same goal: "30"; 2.50 is "2.5".
        text = format(value.normalize(), "f")
        return text
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def serialise_route() -> dict:
    """The route as a version stores it: ``{"schema": 1, "targets": {code: {field: text}},
    "milestones": {code: {field: text}}}``. Two queries."""
    targets = {
        row["code"]: {name: _text(row[name]) for name in TARGET_FIELDS}
        for row in SectorTarget.objects.order_by("code").values("code", *TARGET_FIELDS)
    }
    milestones = {}
    rows = Milestone.objects.order_by("code").values(
        "code", "title", "year", "due_date", "line__theme__code", "line__code"
    )
    for row in rows:
        milestones[row["code"]] = {
            "title": row["title"],
            "year": _text(row["year"]),
            "due_date": _text(row["due_date"]),
            "line": f"{row['line__theme__code']}/{row['line__code']}",
        }
    return {"schema": CONTENT_SCHEMA, "targets": targets, "milestones": milestones}


@dataclass(frozen=True)
class Change:
    """One difference between two versions. ``change`` is added, removed or changed; for a
    changed field, ``field`` names it with its old and new value."""

    kind: str  # "targets" or "milestones"
    code: str
    change: str
    field: str | None = None
    old: str | None = None
    new: str | None = None

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def field_label(self) -> str:
        fields = TARGET_FIELDS if self.kind == "targets" else MILESTONE_FIELDS
        return str(fields.get(self.field, self.field)) if self.field else ""


def diff(old: dict, new: dict) -> list[Change]:
    """Exactly what changed from ``old`` to ``new`` (two versions' content): per target and
    milestone, added, removed, or each field that changed, in code order."""
    changes: list[Change] = []
    for kind, fields in (("targets", TARGET_FIELDS), ("milestones", MILESTONE_FIELDS)):
        before, after = old.get(kind, {}), new.get(kind, {})
        for code in sorted(before.keys() | after.keys()):
            if code not in before:
                changes.append(Change(kind, code, "added"))
            elif code not in after:
                changes.append(Change(kind, code, "removed"))
            else:
                for name in fields:
                    if before[code].get(name) != after[code].get(name):
                        changes.append(
                            Change(
                                kind,
                                code,
                                "changed",
                                name,
                                before[code].get(name),
                                after[code].get(name),
                            )
                        )
    return changes
