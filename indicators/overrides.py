"""Sector staff's judgement over the computed progress status, and the computed status in words.

Computed statuses follow the method (indicators.figures) and are never changed; an override is
shown beside the computed status, with who set it, why and until when."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from indicators.models import ProgressStatus, Snapshot, StatusOverride
from indicators.overview import SUMMARY_STATUSES
from themes.models import SectorTarget

# A person judges progress: one of the verdicts the method gives, not "no verdict".
OVERRIDABLE_STATUSES = [
    s for s in SUMMARY_STATUSES if s not in (ProgressStatus.NOT_YET, ProgressStatus.UNKNOWN)
]
LONGEST_OVERRIDE_DAYS = 2 * 366


def active_overrides(targets, on: datetime.date | None = None) -> dict[int, StatusOverride]:
    """The override in force on ``on`` (today) per target id, in one query; the latest set
    wins where two overlap."""
    on = on or timezone.localdate()
    in_force = (
        StatusOverride.objects.filter(target__in=targets, starts_on__lte=on, ends_on__gte=on)
        .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__date__gt=on))
        .select_related("set_by")
        .order_by("target_id", "-set_at")
    )
    by_target: dict[int, StatusOverride] = {}
    for override in in_force:
        by_target.setdefault(override.target_id, override)
    return by_target


def set_override(
    target: SectorTarget, *, status: str, reason: str, ends_on: datetime.date, by
) -> StatusOverride:
    today = timezone.localdate()
    errors = {}
    if status not in OVERRIDABLE_STATUSES:
        errors["status"] = _("Kies een voortgang uit de lijst.")
    if not reason.strip():
        errors["reason"] = _("Geef de reden: lezers zien die naast de berekende voortgang.")
    if ends_on < today:
        errors["ends_on"] = _("De einddatum ligt in het verleden.")
    elif (ends_on - today).days > LONGEST_OVERRIDE_DAYS:
        errors["ends_on"] = _(
            "Een bijstelling geldt hoogstens twee jaar; stel haar daarna opnieuw vast."
        )
    if target.measure == SectorTarget.Measure.MILESTONE:
        errors["status"] = _("Een mijlpaal is behaald of niet; markeer haar in het beheer.")
    if errors:
        raise ValidationError(errors)
    return StatusOverride.objects.create(
        target=target, status=status, reason=reason.strip(), starts_on=today, ends_on=ends_on,
        set_by=by,
    )  # fmt: skip


def withdraw_override(override: StatusOverride, *, by) -> None:
    if override.withdrawn_at is None:
        override.withdrawn_at, override.withdrawn_by = timezone.now(), by
        override.save(update_fields=["withdrawn_at", "withdrawn_by"])


def explain(target: SectorTarget, current: Snapshot, baseline: Snapshot | None) -> list[str]:
    """How the computed status came about, in the method's words, from the stored inputs."""
    if target.measure == SectorTarget.Measure.MILESTONE:
        return []
    if current.status == ProgressStatus.WITHHELD:
        return [_("Dit cijfer komt uit te weinig antwoorden om te tonen.")]
    value = target.format_value(current.value)
    goal = target.goal_display()
    deadline = formats.date_format(target.deadline, "j F Y")
    if current.value is None or baseline is None or baseline.value is None:
        return [_("Er is nog geen startpunt: zonder antwoorden is er geen tempo te meten.")]
    lines = [
        _(
            "Startpunt: %(start)s op %(date)s. Het benodigde tempo is een rechte lijn van daar "
            "naar %(goal)s op %(deadline)s."
        )
        % {
            "start": target.format_value(baseline.value),
            "date": formats.date_format(baseline.as_of, "j F Y"),
            "goal": goal,
            "deadline": deadline,
        }
    ]
    expected = target.format_value(current.expected_value)
    status = current.status
    if status == ProgressStatus.UNKNOWN:
        lines.append(
            _("De dekking (%(pct)s%%) is te laag voor een oordeel.")
            % {"pct": formats.number_format(current.coverage, 0)}
        )
    elif status == ProgressStatus.REACHED:
        lines.append(
            _("De sectorwaarde %(value)s haalt het doel %(goal)s.") % {"value": value, "goal": goal}
        )
    elif status == ProgressStatus.MISSED:
        lines.append(
            _("De streefdatum %(deadline)s is voorbij en %(value)s haalt het doel %(goal)s niet.")
            % {"deadline": deadline, "value": value, "goal": goal}
        )
    elif status == ProgressStatus.ON_TRACK:
        lines.append(
            _("De sectorwaarde %(value)s ligt op of boven de verwachte waarde %(expected)s.")
            % {"value": value, "expected": expected}
        )
    elif status == ProgressStatus.DECLINING:
        lines.append(
            _("De sectorwaarde %(value)s ligt onder het startpunt: achteruitgang.")
            % {"value": value}
        )
    else:
        made = current.value - baseline.value
        needed = current.expected_value - baseline.value
        lines.append(
            _(
                "De sectorwaarde %(value)s ligt onder de verwachte waarde %(expected)s. Sinds het "
                "startpunt is %(made)s bereikt van de %(needed)s die nu verwacht wordt: "
                "%(verdict)s."
            )
            % {
                "value": value,
                "expected": expected,
                "made": target.format_value(made),
                "needed": target.format_value(needed),
                "verdict": _("minstens de helft, matige voortgang")
                if status == ProgressStatus.MODERATE
                else _("minder dan de helft, onvoldoende voortgang"),
            }
        )
    if current.projected_on:
        lines.append(
            _("In het tempo sinds het startpunt wordt het doel gehaald in %(month)s.")
            % {"month": formats.date_format(current.projected_on, "F Y")}
        )
    return lines
