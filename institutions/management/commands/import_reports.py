"""The old name of import_answers (it imports answers, not reports), kept for one release so
that scripts and scheduled jobs that still call it keep working."""

from institutions.management.commands.import_answers import Command as ImportAnswers


class Command(ImportAnswers):
    help = "Verouderde naam van import_answers; gebruik import_answers."

    def handle(self, *args, **options):
        self.stderr.write(
            "import_reports heet nu import_answers; de oude naam verdwijnt in de volgende release."
        )
        return super().handle(*args, **options)
