from django.core.management.base import BaseCommand, CommandError

from indicators.actions import recompute
from themes.models import SectorTarget


class Command(BaseCommand):
    help = "Recomputes the sector figures (all targets, or --target CODE) synchronously."

    def add_arguments(self, parser):
        parser.add_argument("--target", action="append", dest="targets", metavar="CODE")

    def handle(self, *args, targets=None, **options):
        target_ids = None
        if targets:
            found = dict(SectorTarget.objects.filter(code__in=targets).values_list("code", "pk"))
            unknown = sorted(set(targets) - set(found))
            if unknown:
                raise CommandError(f"Onbekende sectordoelen: {', '.join(unknown)}")
            target_ids = list(found.values())
        run = recompute(target_ids=target_ids)
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"Herberekend: {run.targets} sectordoelen, {run.snapshots} momentopnamen "
            f"in {seconds:.2f} s."
        )
