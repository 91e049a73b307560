"""A route version's content, and what changed between two versions. Pure reads.

A version holds what a figure or a report depends on: every target's text, goal, unit,
deadline, measure and threshold, and every milestone's text, year, due date and line. Values
are stored as text (decimals normalised, dates ISO) so that two versions compare exactly.
"""

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from themes.models import Milestone, RouteVersion, SectorTarget

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


# --- The goals in force on a date ---------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """A target's goal value and deadline, as a published version (or the live route) says."""

    value: Decimal
    deadline: datetime.date


@dataclass(frozen=True)
class PublishedVersion:
    """What figures need of one RouteVersion: which it is, when, and its targets' goals."""

    id: int
    number: int
    published_at: datetime.datetime
    goals: dict[str, Goal]

    @property
    def published_on(self) -> datetime.date:
        return timezone.localdate(self.published_at)


def _goals_of(content: dict) -> dict[str, Goal]:
    goals = {}
    for code, fields in content.get("targets", {}).items():
        if fields.get("goal_value") is None or fields.get("deadline") is None:
            continue
        goals[code] = Goal(
            Decimal(fields["goal_value"]), datetime.date.fromisoformat(fields["deadline"])
        )
    return goals


class GoalsInForce:
    """The published versions, to tell per date which version a figure is judged against.

    The version in force on a day is the latest one published on or before it (its local
    date). A day before the first publication is judged by the first version: it is the
    earliest record of the route there is, and judging those days by later edits would
    rewrite figures already reported. Without any version, and for a target a version does not
    hold (added since), the target's live goal applies.
    """

    def __init__(self, versions: list[PublishedVersion]):
        self.versions = sorted(versions, key=lambda v: (v.published_at, v.number))

    @property
    def cache_key(self) -> str:
        """Changes whenever a version is published: for caches of computed progress."""
        return ",".join(str(v.number) for v in self.versions) or "-"

    def version_on(self, day: datetime.date) -> PublishedVersion | None:
        if not self.versions:
            return None
        in_force = self.versions[0]
        for version in self.versions:
            if version.published_on > day:
                break
            in_force = version
        return in_force

    def goal(self, target: SectorTarget, day: datetime.date) -> Goal:
        version = self.version_on(day)
        goal = version.goals.get(target.code) if version else None
        return goal or Goal(target.goal_value, target.deadline)

    def target_on(self, target: SectorTarget, day: datetime.date) -> SectorTarget:
        """``target`` with the goal value and deadline in force on ``day``: what a page shows
        beside a figure of that day (its goal, the trajectory, the explanation), since the
        live route may hold an edit that is not published and that no figure was judged
        against. The same object when nothing differs; otherwise an unsaved copy."""
        goal = self.goal(target, day)
        if (goal.value, goal.deadline) == (target.goal_value, target.deadline):
            return target
        judged = copy.copy(target)
        judged.goal_value, judged.deadline = goal.value, goal.deadline
        return judged


def goals_timeline() -> GoalsInForce:
    """Every published version with its goals. One query."""
    rows = RouteVersion.objects.order_by("number").values("id", "number", "published_at", "content")
    return GoalsInForce(
        [
            PublishedVersion(
                row["id"], row["number"], row["published_at"], _goals_of(row["content"])
            )
            for row in rows
        ]
    )


def goals_in_force(as_of: datetime.date) -> dict[str, tuple[Decimal, datetime.date]]:
    """{target code: (goal value, deadline)} of the version in force on ``as_of`` (see
    GoalsInForce); empty when no version is published yet (then the live goals apply)."""
    version = goals_timeline().version_on(as_of)
    if version is None:
        return {}
    return {code: (goal.value, goal.deadline) for code, goal in version.goals.items()}


def changes_since_previous(version: RouteVersion) -> tuple[int | None, list[Change]]:
    """The number of the version before ``version`` (None for the first) and what changed
    since it. One query."""
    previous = (
        RouteVersion.objects.filter(number__lt=version.number)
        .order_by("-number")
        .only("number", "content")
        .first()
    )
    if previous is None:
        return None, []
    return previous.number, diff(previous.content, version.content)
