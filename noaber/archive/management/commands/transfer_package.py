from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from noaber.accounts.models import Municipality
from noaber.archive.actions import record_package
from noaber.archive.package import PackageError, write_package
from noaber.cases import archiving
from noaber.cases.models import Archiefnominatie


class Command(BaseCommand):
    help = (
        "Write the transfer package of 'blijvend bewaren' cases for the archive repository: "
        "per case a directory (or --zip) with zaak.json, its documents, MDTO metadata and a "
        "SHA-256 manifest (docs/operations.md). The case becomes 'gearchiveerd'; the archivist "
        "confirms the transfer at /m/<CBS>/archief/ ('overgedragen')."
    )

    def add_arguments(self, parser):
        parser.add_argument("cases", nargs="*", help="Case numbers (C-12 or 12).")
        parser.add_argument("--municipality", required=True, help="CBS code, e.g. GM1774.")
        parser.add_argument(
            "--due", action="store_true", help="Every case whose transfer date has passed."
        )
        parser.add_argument("--out", required=True, type=Path, help="Directory for packages.")
        parser.add_argument("--zip", action="store_true", help="One zip file per case.")

    def handle(self, *args, **options):
        municipality = Municipality.objects.filter(cbs_code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Unknown municipality {options['municipality']!r}.")
        closed = archiving.closed_cases(municipality)
        if options["due"]:
            cases = list(
                archiving.due_for_transfer(municipality, timezone.localdate()).exclude(
                    archiefstatus="gearchiveerd"
                )
            )
        else:
            if not options["cases"]:
                raise CommandError("Name the cases, or give --due.")
            ids = []
            for text in options["cases"]:
                digits = text.strip().upper().removeprefix("C-")
                if not digits.isdigit():
                    raise CommandError(f"{text!r} is not a case number (C-12).")
                ids.append(int(digits))
            cases = list(closed.filter(pk__in=ids))
            missing = sorted(set(ids) - {c.pk for c in cases})
            if missing:
                raise CommandError(
                    "Not a closed case of this municipality: "
                    + ", ".join(f"C-{pk}" for pk in missing)
                    + ". Nothing was written."
                )
            keep = [c for c in cases if c.archiefnominatie != Archiefnominatie.BLIJVEND_BEWAREN]
            if keep:
                raise CommandError(
                    "Nominated for destruction, not for transfer: "
                    + ", ".join(c.number for c in keep)
                    + ". Nothing was written."
                )
        options["out"].mkdir(parents=True, exist_ok=True)
        for case in cases:
            try:
                package = write_package(case, options["out"], zip_it=options["zip"])
            except PackageError as error:
                raise CommandError(
                    f"{case.number}: {error}; no package of it was written or recorded."
                ) from error
            try:
                record_package(case, package)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(
                f"{case.number}: {package.path} ({len(package.files)} files, "
                f"manifest sha256 {package.manifest_sha256})"
            )
        self.stdout.write(f"{len(cases)} package(s) written; archiefstatus 'gearchiveerd'.")
