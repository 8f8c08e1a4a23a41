import time

from django.core.management.base import BaseCommand

from noaber.jobs.recovery import recover_lost_tasks
from noaber.jobs.schedule import REGISTRY, enqueue_due


class Command(BaseCommand):
    help = (
        "Put periodic jobs (retention, reminders, peak detection, audit check) on the queue, "
        "and put tasks of a worker that stopped back on it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=30, help="Seconds between checks.")
        parser.add_argument("--once", action="store_true", help="Check once and exit.")

    def handle(self, *args, **options):
        self.stdout.write(f"Scheduler: {len(REGISTRY)} periodieke taken: {', '.join(REGISTRY)}")
        while True:
            for name in enqueue_due():
                self.stdout.write(f"In de wachtrij gezet: {name}")
            recovered = recover_lost_tasks()
            if any(recovered.values()):
                self.stdout.write(
                    "Taken van een gestopte worker: {retried} opnieuw in de wachtrij, "
                    "{failed} mislukt".format(**recovered)
                )
            if options["once"]:
                return
            time.sleep(options["interval"])
