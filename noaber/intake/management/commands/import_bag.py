from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.intake.bag import BagImportError, import_bag


class Command(BaseCommand):
    help = (
        "Import addresses from the BAG GeoPackage (layer verblijfsobject; see docs/meldpunt.md). "
        "Import the municipal outlines first (import_areas): an address gets the municipality "
        "whose outline holds its point. All or nothing; running it again with a newer file "
        "updates the addresses and removes those that are gone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--layer", default="verblijfsobject")
        parser.add_argument(
            "--postcodes",
            metavar="FROM-TO",
            help="Only postcodes whose four digits lie in this range, e.g. 7500-7699.",
        )
        parser.add_argument(
            "--column",
            action="append",
            default=[],
            metavar="NAME=SOURCE",
            help="The file names a column differently, e.g. --column postcode=pc6.",
        )
        parser.add_argument("--source", default="", help="Where the file came from (kept).")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}".replace(",", "."),
            ending="",
        )
        self.stdout.flush()

    def handle(self, *args, **options):
        postcodes = None
        if options["postcodes"]:
            first, _dash, last = options["postcodes"].partition("-")
            if not (first.isdigit() and last.isdigit() and len(first) == len(last) == 4):
                raise CommandError("--postcodes: twee keer vier cijfers, bijvoorbeeld 7500-7699.")
            postcodes = (int(first), int(last))
        columns = {}
        for item in options["column"]:
            name, _is, source = item.partition("=")
            if not source:
                raise CommandError(f"--column {item}: schrijf NAAM=KOLOM.")
            columns[name] = source
        try:
            result = import_bag(
                options["file"],
                layer=options["layer"],
                columns=columns,
                postcodes=postcodes,
                progress=self._progress,
                source=options["source"],
            )
        except BagImportError as error:
            raise CommandError(str(error)) from error
        self.stdout.write("")
        per = ", ".join(f"{code}: {n}" for code, n in sorted(result.municipalities.items()))
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.imported} adressen geïmporteerd ({per or 'geen'}) in "
                f"{result.seconds:.1f} s, {result.rows_per_second:,.0f} rijen/s; "
                f"{result.removed} verdwenen adressen verwijderd, overgeslagen: "
                f"{result.skipped_incomplete} zonder postcode/huisnummer/punt, "
                f"{result.skipped_outside} buiten elke gemeentegrens."
            )
        )
