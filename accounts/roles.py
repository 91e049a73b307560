"""The sector-wide roles: Django groups with their permissions (``ensure_roles``, idempotent)
and the checks whether a person holds one. Per-institution roles (editor, viewer) are
memberships, in institutions.access."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission

SECTOR_STAFF_GROUP = "Sectorstaf"
COUNCIL_GROUP = "MBO Raad"

User = AbstractBaseUser | AnonymousUser


def _in_group(user: User, name: str) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_routekaart_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._routekaart_groups = cache
    return name in cache


def is_sector_staff(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or _in_group(user, SECTOR_STAFF_GROUP))


def is_council(user: User) -> bool:
    return user.is_authenticated and _in_group(user, COUNCIL_GROUP)


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
