"""Fictional demo institutions, people, answers and rounds for local use. Refuses in production."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from roadmap.demo import load_demo_data


class Command(BaseCommand):
    help = "Creates the fictional demo institutions, accounts and answers (local use only)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError("Demo-accounts zijn alleen voor lokaal gebruik (DEBUG=true).")
        counts = load_demo_data()
        self.stdout.write(
            f"Demodata klaar: {counts['institutions']} fictieve instellingen, "
            f"{counts['people']} accounts, {counts['answers']} nieuwe antwoorden."
        )
