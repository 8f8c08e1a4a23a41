import os
import stat as stat_module
import time
from datetime import UTC, datetime

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models

from noaber.audit.actions import record
from noaber.audit.models import Action


def referenced_files(root) -> set[str]:
    """Storage names of every file a row refers to, through any FileField of any model whose
    storage lives under `root`."""
    names = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.FileField):
                continue
            if os.path.realpath(field.storage.location) != os.path.realpath(root):
                continue
            rows = model._base_manager.exclude(**{field.name: ""}).values_list(
                field.name, flat=True
            )
            names.update(rows.iterator(chunk_size=2000))
    return names


def unreferenced_files(root, min_age_seconds: float) -> list[tuple[str, int, float]]:
    """(storage name, size, modified) of files under `root` no row refers to, older than the
    given age (so a file whose transaction has not committed yet is never taken)."""
    referenced = referenced_files(root)
    now = time.time()
    found = []
    for directory, _dirs, files in os.walk(root):
        for file_name in files:
            path = os.path.join(directory, file_name)
            name = os.path.relpath(path, root).replace(os.sep, "/")
            try:
                stat = os.lstat(path)
            except FileNotFoundError:
                continue  # removed while we walked
            if not stat_module.S_ISREG(stat.st_mode):
                continue  # only regular files: never a link, a socket or the like
            if name not in referenced and now - stat.st_mtime >= min_age_seconds:
                found.append((name, stat.st_size, stat.st_mtime))
    return sorted(found)


class Command(BaseCommand):
    help = (
        "List the files under NOABER_MEDIA_ROOT that no row refers to any more (left by a "
        "transaction that rolled back, or by an interrupted key rotation). A dry run by default; "
        "--delete removes them (audited). Files younger than --min-age minutes (default 60) are "
        "never taken, so an upload whose transaction is still running is safe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Remove what is listed.")
        parser.add_argument("--min-age", type=float, default=60, help="Minutes (default 60).")

    def handle(self, *args, **options):
        root = settings.MEDIA_ROOT
        found = unreferenced_files(root, options["min_age"] * 60)
        for name, size, modified in found:
            stamp = datetime.fromtimestamp(modified, UTC).strftime("%Y-%m-%d %H:%M")
            self.stdout.write(f"{name}  {size} bytes  {stamp} UTC")
        total = sum(size for _name, size, _modified in found)
        if not options["delete"]:
            self.stdout.write(
                f"{len(found)} file(s), {total} bytes, referred to by no row. Dry run: nothing "
                "removed (run with --delete to remove them)."
            )
            return
        for name, _size, _modified in found:
            os.remove(os.path.join(root, name))
        record(
            Action.DELETE,
            origin="system",
            object_type="files",
            object_id="unreferenced",
            reason="sweep_files",
            detail={"files": [name for name, _s, _m in found], "bytes": total},
        )
        self.stdout.write(f"{len(found)} file(s), {total} bytes, removed.")
