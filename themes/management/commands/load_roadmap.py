from django.core.management.base import BaseCommand, CommandError

from themes.loader import RouteDataError, load_roadmap


class Command(BaseCommand):
    help = (
        "Loads the route (themes, lines, milestones, targets, programmes) from themes/route_data/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir", help="Folder with route.yaml (default: themes/route_data)"
        )

    def handle(self, *args, data_dir=None, **options):
        try:
            report = load_roadmap(data_dir)
        except RouteDataError as exc:
            raise CommandError(
                "De routebestanden bevatten fouten; er is niets opgeslagen:\n  "
                + "\n  ".join(exc.errors)
            ) from exc
        if options["verbosity"] == 0:
            return
        created = sum(report.created.values())
        updated = sum(report.updated.values())
        unchanged = sum(report.unchanged.values())
        self.stdout.write(
            f"Route geladen: {created} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd."
        )
        for kind, count in sorted(report.created.items()):
            self.stdout.write(f"  nieuw {kind}: {count}")
        for kind, count in sorted(report.updated.items()):
            self.stdout.write(f"  bijgewerkt {kind}: {count}")
        if report.kept_staff_edits:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.kept_staff_edits)} wijziging(en) uit de admin behouden "
                    "(het bestand zegt iets anders):"
                )
            )
            for line in report.kept_staff_edits:
                self.stdout.write(f"  - {line}")
        for line in report.only_in_database:
            self.stdout.write(f"  - {line}")
