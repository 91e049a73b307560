"""The sector-wide roles as Django groups with their permissions. Idempotent."""

from django.contrib.auth.models import Group, Permission

from institutions.access import COUNCIL_GROUP, SECTOR_STAFF_GROUP

# Sector staff keep the route current (all of the themes app) and review answers.
SECTOR_STAFF_PERMISSIONS = {
    "themes": None,  # every permission of the app
    "institutions": ["view_institution", "view_membership", "view_answer", "add_answerreview"],
}
COUNCIL_PERMISSIONS = {"institutions": ["view_institution", "view_answer"]}


def _permissions(spec: dict[str, list[str] | None]) -> list[Permission]:
    found = []
    for app_label, codenames in spec.items():
        perms = Permission.objects.filter(content_type__app_label=app_label).exclude(
            content_type__model="sourcerecord"
        )
        if codenames is not None:
            perms = perms.filter(codename__in=codenames)
        found.extend(perms)
    return found


def ensure_roles() -> dict[str, Group]:
    groups = {}
    for name, spec in (
        (SECTOR_STAFF_GROUP, SECTOR_STAFF_PERMISSIONS),
        (COUNCIL_GROUP, COUNCIL_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(spec))
        groups[name] = group
    return groups
