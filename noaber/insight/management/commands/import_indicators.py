from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from noaber.insight.importers import KINDS, IndicatorImportError, format_error, read, store

MAX_ERRORS_SHOWN = 50
MAX_NAMES_SHOWN = 10
BAR_WIDTH = 30


def dutch_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class ProgressBar:
    """A one-line textual progress indicator, rewritten in place with a carriage return."""

    def __init__(self, stream):
        self.stream = stream

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if total:
            filled = BAR_WIDTH * done // total
            text = (
                f"\r{phase:<8} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
                f"{dutch_number(done)}/{dutch_number(total)}"
            )
        else:
            text = f"\r{phase:<8} {dutch_number(done)} rijen"
        self.stream.write(text, ending="\n" if total is not None and done >= total else "")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import indicator values. Kinds: cbs (CBS 83648NED OData JSON: a directory with "
        "TypedDataSet.json, TypedDataSet-2.json, ... and SoortMisdrijf.json, RegioS.json, "
        "Perioden.json; or --source URL of the OData v3 data set), cbs-csv (the CBS 83648NED CSV "
        "download), police (politie 47022NED OData JSON: a directory as for cbs with "
        "WijkenEnBuurten.json; or --source URL), local (the template of "
        "docs/indicators-template.md). Every row is checked first: one bad row and nothing is "
        "stored. Importing the same file again changes nothing. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("path", nargs="?", type=Path, help="File or directory.")
        parser.add_argument(
            "--source", metavar="URL", help="OData v3 base URL instead of a path (cbs, police)."
        )
        parser.add_argument(
            "--skip-unknown-regions",
            action="store_true",
            help="Skip rows of municipalities outside Noaber (and regions Noaber does not keep) "
            "instead of refusing the file; they are counted as skipped.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, store nothing."
        )

    def handle(self, *args, **options):
        kind, path, url = options["kind"], options["path"], options["source"]
        if (path is None) == (url is None):
            raise CommandError("Geef een PATH of --source URL (één van beide).")
        if path is not None and not path.exists():
            raise CommandError(f"{path} bestaat niet.")
        progress = ProgressBar(self.stderr)
        try:
            parsed, batch = read(
                kind,
                path,
                url=url,
                skip_unknown_regions=options["skip_unknown_regions"],
                progress=progress,
            )
            result = store(
                parsed, batch, origin="cli", dry_run=options["dry_run"], progress=progress
            )
        except IndicatorImportError as error:
            self.stderr.write("")
            for row_number, message in error.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(format_error(row_number, message))
            rest = len(error.errors) - MAX_ERRORS_SHOWN
            if rest > 0:
                self.stderr.write(f"en nog {dutch_number(rest)} fouten")
            raise CommandError(
                f"{dutch_number(len(error.errors))} "
                f"{'fout' if len(error.errors) == 1 else 'fouten'}; er is niets opgeslagen."
            ) from error
        total = result.rows + result.skipped
        self.stdout.write(
            f"{dutch_number(total)} rijen: {dutch_number(result.created)} nieuw, "
            f"{dutch_number(result.updated)} gewijzigd, {dutch_number(result.unchanged)} "
            f"ongewijzigd, {dutch_number(result.skipped)} overgeslagen"
        )
        if result.new_indicators:
            shown = ", ".join(result.new_indicators[:MAX_NAMES_SHOWN])
            rest = len(result.new_indicators) - MAX_NAMES_SHOWN
            more = f" en nog {rest}" if rest > 0 else ""
            self.stdout.write(f"Nieuwe indicatoren: {shown}{more}")
        if result.new_regions:
            self.stdout.write(f"Nieuwe gebieden: {dutch_number(result.new_regions)}")
        if result.new_months and not result.dry_run:
            self.stdout.write(
                f"Nieuwe maanden voor de piekdetectie: {dutch_number(len(result.new_months))} "
                f"(maandcijfers politie; de taakverwerker beoordeelt ze)"
            )
        if result.dry_run:
            self.stdout.write("Proefimport (--dry-run): er is niets opgeslagen.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Importbatch {result.batch.pk} opgeslagen."))
