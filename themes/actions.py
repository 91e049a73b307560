"""Writes of the route outside the admin: a milestone's delivery, publishing a route version.

Each checks its input and raises ValidationError (per field, in Dutch) before saving anything.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from themes.models import Milestone, MilestoneStatusChange, RouteVersion
from themes.versions import serialise_route

# No delivery is dated before the route's own start.
EARLIEST_CHANGE = datetime.date(2026, 1, 1)


def do_record_milestone_status(
    *,
    milestone: Milestone,
    status: str,
    changed_on: datetime.date,
    reason: str,
    by,
    today: datetime.date,
) -> MilestoneStatusChange:
    """Adds a step to the milestone's status history and makes it the current status.

    Refused: an unknown status, an empty reason, a date in the future, before the route's
    start, or before the milestone's latest change (history is appended, never rewritten).
    """
    errors: dict[str, list[str]] = {}
    if status not in Milestone.Status.values:
        errors.setdefault("status", []).append(_("Kies een status uit de lijst."))
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(_("Geef een reden voor de wijziging."))
    if changed_on > today:
        errors.setdefault("changed_on", []).append(
            _("De datum ligt in de toekomst; vandaag is %(today)s.") % {"today": today.isoformat()}
        )
    elif changed_on < EARLIEST_CHANGE:
        errors.setdefault("changed_on", []).append(
            _("De datum ligt voor de start van de route (%(start)s).")
            % {"start": EARLIEST_CHANGE.isoformat()}
        )
    with transaction.atomic():
        # The row lock orders two staff members recording at once (PostgreSQL; SQLite writes
        # one at a time anyway): the second sees the first's change as the latest.
        locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
        latest = locked.status_changes.order_by("-changed_on", "-id").first()
        if latest is not None and changed_on < latest.changed_on and "changed_on" not in errors:
            errors.setdefault("changed_on", []).append(
                _(
                    "De laatste wijziging is van %(date)s; een nieuwe wijziging kan niet "
                    "eerder zijn."
                )
                % {"date": latest.changed_on.isoformat()}
            )
        if errors:
            raise ValidationError(errors)
        change = MilestoneStatusChange.objects.create(
            milestone=locked,
            status=status,
            previous_status=locked.status,
            changed_on=changed_on,
            reason=reason,
            recorded_by=by,
        )
        locked.status = status
        locked._change_reason = reason  # simple_history keeps it with the status
        locked._history_user = by
        locked.save(update_fields=["status"])
    milestone.status = status
    return change


def do_publish_route_version(*, note: str, by, now: datetime.datetime | None = None):
    """Publishes the route as it is now as the next version, with the note. A version may
    equal the one before (a route confirmed unchanged is a decision too)."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Schrijf een toelichting bij de versie.")]})
    try:
        with transaction.atomic():
            latest = RouteVersion.objects.order_by("-number").values_list("number", flat=True)
            number = (latest.first() or 0) + 1
            return RouteVersion.objects.create(
                number=number,
                note=note,
                content=serialise_route(),
                published_at=now or timezone.now(),
                published_by=by,
            )
    except IntegrityError:
        # Someone else published the same number at the same moment (unique number).
        raise ValidationError(
            {"note": [_("Er is zojuist een andere versie gepubliceerd. Probeer het opnieuw.")]}
        ) from None
