from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.intake.areas import AreaImportError, import_areas


class Command(BaseCommand):
    help = (
        "Import municipal outlines and kern outlines from a GeoPackage (CBS wijk- en buurtkaart "
        "style; see docs/meldpunt.md): every municipality of the file gets its outline (served "
        "ones also their boundary), every kern of a served municipality its polygon. Existing "
        "areas keep their ids. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--municipalities-layer",
            default="gemeenten",
            help="Empty: import kernen only (from a file of kernen alone).",
        )
        parser.add_argument("--code-column", default="gemeentecode")
        parser.add_argument("--name-column", default="gemeentenaam")
        parser.add_argument(
            "--kernen-layer", default="kernen", help="Empty: import municipal outlines only."
        )
        parser.add_argument("--kern-name-column", default="kernnaam")
        parser.add_argument("--kern-code-column", default="gemeentecode")
        parser.add_argument("--source", default="", help="Where the file came from (kept).")

    def handle(self, *args, **options):
        try:
            result = import_areas(
                options["file"],
                municipalities_layer=options["municipalities_layer"],
                code_column=options["code_column"],
                name_column=options["name_column"],
                kernen_layer=options["kernen_layer"],
                kern_name_column=options["kern_name_column"],
                kern_code_column=options["kern_code_column"],
                source=options["source"],
            )
        except AreaImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.outlines} gemeentegrenzen (bediend: {', '.join(result.boundaries)}), "
                f"{result.kernen} kernen ({len(result.created)} nieuw)."
            )
        )
