import time
import tracemalloc

from django.core.management.base import BaseCommand

from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.search import index


class Command(BaseCommand):
    help = (
        "Rebuild the search index (keyed digests of the words of meldingen, signals and "
        "cases) with the current NOABER_BLIND_INDEX_KEY. Run after that key changed "
        "(rotate_field_keys --reindex does it for you) or after loading data without the "
        "app (fixtures, a restore). Searches keep working meanwhile; records not yet done are "
        "found by number only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=1000, help="records per transaction")
        parser.add_argument(
            "--memory", action="store_true", help="also report peak Python memory (slower)"
        )

    def handle(self, *args, **options):
        if options["memory"]:
            tracemalloc.start()
        last_line = [0.0]

        def progress(kind, done, total, seconds):
            now = time.monotonic()
            if now - last_line[0] < 1 and done < total:
                return
            last_line[0] = now
            share = 100 * done / total if total else 100
            self.stdout.write(f"{kind}: {done}/{total} ({share:.0f}%), {seconds:.1f} s elapsed")

        started = time.monotonic()
        count = index.rebuild(chunk=options["chunk"], progress=progress)
        seconds = max(time.monotonic() - started, 1e-6)
        line = (
            f"Search index rebuilt: {count} records in {seconds:.1f} s, "
            f"{count / seconds:.0f} records/s"
        )
        if options["memory"]:
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            line += f", peak Python memory {peak / 2**20:.1f} MiB"
        self.stdout.write(line)
        index.vacuum()
        record(
            Action.UPDATE,
            origin="system",
            object_type="search_index",
            object_id="rebuild",
            reason="key_rotation",
            detail={"records": count},
        )
