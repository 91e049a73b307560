from django.core.management.base import BaseCommand

from accounts.roles import ensure_roles


class Command(BaseCommand):
    help = "Creates or completes the groups for sector staff and the council (idempotent)."

    def handle(self, *args, **options):
        groups = ensure_roles()
        self.stdout.write("Rollen klaar: " + ", ".join(groups))
