from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.intake.geo import BoundaryError, import_boundaries


class Command(BaseCommand):
    help = (
        "Import municipal boundaries from a GeoJSON FeatureCollection in WGS84 (lon, lat). Each "
        "feature names its municipality by CBS code in the property statcode, code or cbs_code; "
        "features of unknown municipalities are skipped. All or nothing: one bad geometry "
        "imports none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="Where the file came from (kept).")

    def handle(self, *args, **options):
        try:
            imported = import_boundaries(options["file"], options["source"])
        except BoundaryError as error:
            raise CommandError(str(error)) from error
        if not imported:
            raise CommandError("No feature named a known municipality; nothing imported.")
        self.stdout.write(self.style.SUCCESS(f"Imported boundaries: {', '.join(imported)}"))
