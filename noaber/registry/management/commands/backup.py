from django.core.management.base import BaseCommand, CommandError

from noaber.audit.actions import record
from noaber.audit.models import Action
from noaber.registry.backups import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Write a backup set into DIRECTORY (new or empty): the database part (pg_dump custom "
        "format, or SQLite's online backup), then the media part (a tar of NOABER_MEDIA_ROOT, "
        "files as stored, encrypted), then manifest.json (times, SHA-256 of each part, row "
        "counts per table and the audit head from the dump's own snapshot, every file with its "
        "SHA-256). Exits non-zero when a file the database refers to did not make it into the "
        "media part. Prove a set with `manage.py restore_check DIRECTORY`. See "
        "docs/operations.md, Backups."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, **options):
        try:
            manifest = make_backup(options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        database, media = manifest["database"], manifest["media"]
        record(
            Action.EXPORT,
            origin="cli",
            object_type="backup",
            object_id=manifest["set"],
            reason="backup",
            detail={
                "directory": str(options["directory"]),
                "audit_head": database["audit_head"],
                "database_sha256": database["sha256"],
                "media_sha256": media["sha256"],
                "files": len(media["files"]),
                "missing_files": len(manifest["missing_files"]),
            },
        )
        self.stdout.write(
            f"Backup set {manifest['set']} in {options['directory']}:\n"
            f"  {database['file']}: {database['size']} bytes, "
            f"{sum(database['rows'].values())} rows in {len(database['rows'])} tables, "
            f"audit head {database['audit_head']}\n"
            f"  {media['file']}: {media['size']} bytes, {len(media['files'])} files\n"
            f"  manifest.json"
        )
        missing = manifest["missing_files"]
        if missing:
            for name in missing:
                self.stderr.write(f"  missing from the media part: {name}")
            raise CommandError(
                f"Incomplete backup set: {len(missing)} file(s) the database part refers to "
                "were deleted before the media part was taken. Run the backup again (not "
                "during apply_retention or sweep_files)."
            )
        self.stdout.write(
            f"Keep the audit head {database['audit_head']} apart from the backup; prove the "
            f"set with `manage.py restore_check {options['directory']}`."
        )
