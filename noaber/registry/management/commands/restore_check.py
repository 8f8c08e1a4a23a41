from django.core.management.base import BaseCommand, CommandError

from noaber.audit.chain import parse_head
from noaber.registry.backups import BackupError
from noaber.registry.restore import FOUT, GOED, RestoreCheck

EXIT_CODES = {GOED: 0, "onvolledig": 1, FOUT: 2}


class Command(BaseCommand):
    help = (
        "Restore a backup set written by `manage.py backup` into a scratch database and folder "
        "(never the live ones, both removed afterwards), then verify the audit chain, compare "
        "the row count of every table with the manifest, decrypt a sample of every encrypted "
        "field and every file rows refer to, and print a verdict: goed, onvolledig (exit 1: "
        "a part, files or rows missing, or the media part older than the database part) or "
        "fout (exit 2: a part changed, the chain broken, a value or file that does not "
        "decrypt). See docs/operations.md, Backups."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A backup set (the directory with manifest.json).")
        parser.add_argument(
            "--sample",
            type=int,
            default=20,
            help="Rows per model whose encrypted fields are decrypted: the oldest and the "
            "newest half (default 20).",
        )
        parser.add_argument(
            "--expect-head",
            metavar="SEQ:HASH",
            help="An audit head recorded apart from the backup; it must be in the restored log.",
        )
        parser.add_argument(
            "--server",
            metavar="URL",
            help="postgres://user@host:port/ of the server to create the scratch database on "
            "(default: the server of DATABASE_URL; the user needs CREATEDB).",
        )

    def handle(self, *args, **options):
        expect_head = None
        if options["expect_head"]:
            try:
                expect_head = parse_head(options["expect_head"])
            except ValueError as error:
                raise CommandError(f"--expect-head: {error}") from error
        check = RestoreCheck(
            options["directory"],
            sample=options["sample"],
            expect_head=expect_head,
            server_url=options["server"],
        )
        try:
            result = check.run()
        except BackupError as error:
            raise CommandError(str(error)) from error
        for note in result.notes:
            self.stdout.write(f"  {note}")
        for finding in result.findings:
            self.stdout.write(f"  {finding.verdict.upper()}: {finding.text}")
        verdict = result.verdict
        self.stdout.write(f"Oordeel: {verdict}")
        if verdict != GOED:
            raise CommandError(f"Oordeel: {verdict}", returncode=EXIT_CODES[verdict])
