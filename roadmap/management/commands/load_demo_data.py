"""Fictional demo accounts for local use. Refuses to run in production (DEBUG=false)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "routekaart-demo"  # noqa: S105 (printed for local demo logins only)

# The role that keeps the route current in the admin.
SECTOR_STAFF_GROUP = "Sectorstaf"
ROUTE_APP = "themes"

DEMO_USERS = [
    # (email, name, is_superuser, groups, what they do)
    ("staf@routekaart.example", "Sam Sectorstaf", False, [SECTOR_STAFF_GROUP],
     "sectorstaf: houdt de route bij in de admin"),
    ("beheer@routekaart.example", "Bo Beheerder", True, [],
     "beheerder: alles"),
]  # fmt: skip


def ensure_sector_staff_group() -> Group:
    group, _ = Group.objects.get_or_create(name=SECTOR_STAFF_GROUP)
    route_permissions = Permission.objects.filter(content_type__app_label=ROUTE_APP).exclude(
        content_type__model="sourcerecord"
    )
    group.permissions.add(*route_permissions)
    return group


class Command(BaseCommand):
    help = "Creates the fictional demo accounts (local use only)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo-accounts zijn alleen voor lokaal gebruik (DEBUG=true).")
        ensure_sector_staff_group()
        user_model = get_user_model()
        for email, name, is_superuser, groups, _role in DEMO_USERS:
            first, last = name.split(" ", 1)
            user, created = user_model.objects.get_or_create(
                username=email,
                defaults={"email": email, "first_name": first, "last_name": last},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            user.is_staff = True
            user.is_superuser = is_superuser
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
        self.stdout.write(f"Demo-accounts klaar ({len(DEMO_USERS)}).")


def demo_logins() -> list[str]:
    return [f"{email} / {DEMO_PASSWORD}  ({role})" for email, _n, _s, _g, role in DEMO_USERS]
